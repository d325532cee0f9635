import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openExclusiveDatabase } from "../../src/store/open-exclusive-database.js";

const dir = mkdtempSync(join(tmpdir(), "hwc-open-exclusive-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("opens the file in WAL mode without a sync a commit, and keeps temporary tables in memory", () => {
  const handle = openExclusiveDatabase(join(dir, "store.sqlite"));
  try {
    const { db } = handle;
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    // NORMAL (1): the group commit syncs the log off the event loop instead.
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    // MEMORY (2): every versioned write's `UPDATE … RETURNING` would otherwise go through a temporary file.
    expect(db.pragma("temp_store", { simple: true })).toBe(2);
    db.exec("CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
    db.exec("INSERT INTO counter VALUES ('revision', 0)");
    const bump = db.prepare("UPDATE counter SET value = value + 1 WHERE name = 'revision' RETURNING value");
    expect([bump.get(), bump.get()]).toEqual([{ value: 1 }, { value: 2 }]);
  } finally {
    handle.release();
  }
});
