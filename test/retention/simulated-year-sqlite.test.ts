/** A simulated year at 1,000 requests a day on the SQLite store (see `simulate-year.ts`). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, it } from "vitest";
import { createSqliteStore } from "../../src/store/create-sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { createManualClock } from "../store/manual-clock.js";
import { expectBounded, simulateYear } from "./simulate-year.js";

// tmpfs when there is one: the SQLite store syncs every commit, and a year is a million commits.
const dir = mkdtempSync(join(process.platform === "linux" ? "/dev/shm" : tmpdir(), "hwc-year-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a simulated year at 1,000 requests a day", () => {
  it("SQLite: the number of rows stays bounded", async () => {
    const clock = createManualClock();
    const file = join(dir, "year.sqlite");
    // The store holds its file exclusively: rows are counted between a close and a reopen, as after a restart.
    let store = createSqliteStore({ file, clock, namespace: "year" });
    const tables = ["kv", "claims", "set_members", "leases", "logs", "log_heads"];
    const handle: Store = new Proxy({} as Store, { get: (_, name) => Reflect.get(store, name) });
    const count = async () => {
      await store.close();
      const reader = new Database(file, { readonly: true });
      const rows = tables.reduce(
        (sum, table) =>
          sum +
          (reader.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ns = 'year'`).get() as { n: number }).n,
        0,
      );
      reader.close();
      store = createSqliteStore({ file, clock, namespace: "year" });
      return rows;
    };
    const year = await simulateYear(handle, clock, count);
    expectBounded(year);
    await store.close();
  }, 900_000);
});
