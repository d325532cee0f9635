import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { parseTimeArgument, runAuditCli } from "../../src/audit/run-audit-cli.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { createSqliteStore } from "../../src/store/create-sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { createManualClock, type ManualClock } from "../store/manual-clock.js";
import { auditOver, writeEntries } from "./audit-chain-helpers.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "hwc-audit-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const START = Date.UTC(2025, 0, 1);

async function cli(store: Store, clock: ManualClock, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditCli(argv, {
    env: { USER: "ops-admin" },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    clock,
    store,
  });
  return { code, out: out.join(""), err: err.join("") };
}

async function filled(count: number) {
  const clock = createManualClock(START);
  const store = createMemoryStore({ clock });
  await writeEntries(auditOver(store, clock), clock, count);
  return { clock, store };
}

describe("npm run audit", () => {
  it("export writes every entry in order with its hashes, and --since keeps the newer ones", async () => {
    const { clock, store } = await filled(12);
    const all = await cli(store, clock, "export");
    expect(all.code).toBe(0);
    const lines = all.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(lines[1].prevHash).toBe(lines[0].hash);
    expect(lines[0].record).toMatchObject({ type: "policy.decided", message: "entry 1" });
    expect(all.err).toContain("exported 12 entries");
    const since = await cli(store, clock, "export", "--since", "2025-01-01T00:10:00Z", "--format", "jsonl");
    expect(
      since.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).seq),
    ).toEqual([10, 11, 12]);
  });

  it("prune removes the exported past, records itself in the chain, and the chain still verifies", async () => {
    const { clock, store } = await filled(12);
    const pruned = await cli(store, clock, "prune", "--before", "2025-01-01T00:05:30Z");
    expect(pruned).toMatchObject({ code: 0 });
    expect(pruned.out).toContain(
      "Pruned 5 entries (up to entry 5, 2025-01-01 00:05:00 UTC); the prune is entry 13.",
    );
    const log = await store.readLog<{ type: string; actorId: string; detail: Record<string, unknown> }>(
      "audit",
      {
        limit: 100,
      },
    );
    expect(log[0]?.seq).toBe(6);
    expect(log.at(-1)?.record).toMatchObject({
      type: "audit.pruned",
      actorId: "cli:ops-admin",
      detail: { throughSeq: 5, throughAt: START + 5 * 60_000 },
    });
    const verified = await cli(store, clock, "verify");
    expect(verified.code).toBe(0);
    expect(verified.out).toContain("The audit log is intact: entries 6–13 are linked");
    expect(verified.out).toContain("Entries 1–5 were pruned after export");
    expect((await cli(store, clock, "prune", "--before", "2025-01-01T00:05:30Z")).out).toContain(
      "Nothing to prune",
    );
  });

  it("refuses to prune a chain that does not verify", async () => {
    const clock = createManualClock(START);
    const file = join(dir, "broken.sqlite");
    let store = createSqliteStore({ file, clock });
    await writeEntries(auditOver(store, clock), clock, 6);
    await store.close();
    const db = new Database(file);
    db.prepare("DELETE FROM logs WHERE seq = 3").run();
    db.close();
    store = createSqliteStore({ file, clock });
    const result = await cli(store, clock, "prune", "--before", "1h");
    expect(result.code).toBe(1);
    expect(result.err).toContain("Not pruned: the chain does not verify");
    expect(result.err).toContain("Entry 3 is missing, after entry 2");
    expect((await store.logState("audit")).prunedThrough.seq).toBe(0);
    await store.close();
  });

  it("answers bad input with a specific message and exit code 2, changing nothing", async () => {
    const { clock, store } = await filled(3);
    const cases: [string[], string][] = [
      [["purge"], "unknown command `purge`"],
      [["prune"], "prune needs --before <time>"],
      [["prune", "--before", "yesterday"], "`yesterday` is not a time"],
      [["prune", "--before", "2099-01-01"], "--before is in the future"],
      [["export", "--format", "csv"], "--format csv is not supported"],
      [["export", "--since"], "--since needs a value"],
      [["verify", "--digest", "12:abc"], "--digest must be <seq>:<hash>"],
      [["verify", "--before", "1d"], "`verify` takes no option --before"],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(store, clock, ...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.err).toContain(message);
    }
    expect((await store.logState("audit")).head.seq).toBe(3);
  });

  it("reads times as ISO dates, times or ages", () => {
    expect(parseTimeArgument("2025-01-31", START)).toEqual({ ok: true, at: Date.UTC(2025, 0, 31) });
    expect(parseTimeArgument("2025-01-31T12:00:00Z", START)).toEqual({
      ok: true,
      at: Date.UTC(2025, 0, 31, 12),
    });
    expect(parseTimeArgument("90d", START)).toEqual({ ok: true, at: START - 90 * 86_400_000 });
    expect(parseTimeArgument("2025-13-45", START).ok).toBe(false);
  });

  it("runs as `npm run audit -- verify` against STORE_URL, like the bot", async () => {
    const file = join(dir, "process.sqlite");
    const clock = createManualClock(START);
    const store = createSqliteStore({ file, clock });
    await writeEntries(auditOver(store, clock), clock, 4);
    await store.close();
    const { stdout } = await run("npm", ["run", "--silent", "audit", "--", "verify"], {
      env: { ...process.env, STORE_URL: `sqlite://${file}` },
    });
    expect(stdout).toContain("The audit log is intact: entries 1–4 are linked");
    const failed = await run("npm", ["run", "--silent", "audit", "--", "prune"], {
      env: { ...process.env, STORE_URL: `sqlite://${file}` },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining("prune needs --before") });
  }, 60_000);
});
