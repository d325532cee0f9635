/**
 * The audit CLI never upgrades a store: an SQLite file written by an older version (as the bot's schema 2
 * left it) is refused for every command, with what to do, and left byte for byte as it was; a current file is
 * read as before.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { runAuditCli } from "../../src/audit/run-audit-cli.js";
import { createSqliteStore } from "../../src/store/create-sqlite-store.js";
import { createManualClock } from "../store/manual-clock.js";
import { auditOver, writeEntries } from "./audit-chain-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "hwc-audit-cli-older-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const START = Date.UTC(2025, 0, 1);

async function cliAt(file: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditCli(argv, {
    env: { STORE_URL: `sqlite://${file}`, AUDIT_MIN_RETENTION: "0s" },
    operator: { osUser: "ops-admin", host: "ops-host" },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    clock: createManualClock(START + 365 * 86_400_000),
  });
  return { code, out: out.join(""), err: err.join("") };
}

/** A store file as the bot's schema 2 left it: rows in `WITHOUT ROWID` tables, one chained audit entry. */
function schema2File(name: string): string {
  const file = join(dir, name);
  const db = new Database(file);
  db.exec(`
    CREATE TABLE store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
    INSERT INTO store_meta VALUES ('schema_version', 2), ('revision', 7);
    CREATE TABLE kv (ns TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, version INTEGER NOT NULL,
      expires_at REAL, PRIMARY KEY (ns, key)) STRICT, WITHOUT ROWID;
    CREATE TABLE logs (ns TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
      prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT '',
      PRIMARY KEY (ns, stream, seq)) STRICT, WITHOUT ROWID;
    INSERT INTO logs VALUES ('hwc', 'audit', 1, '{}', '', '');
  `);
  db.close();
  return file;
}

it("refuses an older store for every command, says how to upgrade it, and changes nothing", async () => {
  const file = schema2File("old.sqlite");
  const before = readFileSync(file);
  for (const argv of [["verify"], ["export"], ["prune", "--before", "2025-01-02", "--no-export"]]) {
    const result = await cliAt(file, ...argv);
    expect(result.code, argv[0]).toBe(1);
    expect(result.out, argv[0]).toBe("");
    expect(result.err, argv[0]).toBe(
      `audit: the store file ${file} has schema version 2, from an older hwc-chatops; this version reads version 3. The audit command does not upgrade a store (the upgrade is one-way: older versions cannot open the file afterwards). Start the bot of this version once, which upgrades the file and says so in its log, then run the audit command again; or use the audit command of the version that wrote the file.\n`,
    );
  }
  expect(readFileSync(file).equals(before)).toBe(true);
  const check = new Database(file, { readonly: true });
  expect(check.prepare("SELECT value FROM store_meta WHERE name = 'schema_version'").get()).toEqual({
    value: 2,
  });
  check.close();
});

it("reads a current store as before", async () => {
  const file = join(dir, "current.sqlite");
  const clock = createManualClock(START);
  const store = createSqliteStore({ file, clock });
  await writeEntries(auditOver(store, clock), clock, 3);
  await store.close();
  const verified = await cliAt(file, "verify");
  expect(verified.code).toBe(0);
  const exported = await cliAt(file, "export");
  expect(exported.code).toBe(0);
  expect(exported.out.trim().split("\n")).toHaveLength(3);
});
