import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { runAuditCli } from "../../src/audit/run-audit-cli.js";
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
    // These entries are minutes old: the minimum retention has tests of its own below.
    env: { USER: "ops-admin", AUDIT_MIN_RETENTION: "0s" },
    operator: { osUser: "ops-admin", host: "ops-host" },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    clock,
    store,
  });
  return { code, out: out.join(""), err: err.join("") };
}

/** The CLI as an operator runs it: its own process, `STORE_URL` from the environment, nothing passed in. */
async function cliAt(env: Record<string, string | undefined>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditCli(argv, {
    env,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    clock: createManualClock(START),
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
    const sinceLines = since.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // The first export is recorded after what it wrote (entry 13), so the second one holds it.
    expect(sinceLines.map((l) => l.seq)).toEqual([10, 11, 12, 13]);
    expect(sinceLines[3].record).toMatchObject({
      type: "audit.read",
      actorId: "cli:ops-admin@ops-host",
      action: "audit:export",
      detail: { via: "export", allowed: true, entries: 12, filters: { format: "jsonl" } },
    });
  });

  it("an export is recorded in the chain: the OS user and host, its filters, its format, how many entries", async () => {
    const { clock, store } = await filled(12);
    const csv = await cli(
      store,
      clock,
      "export",
      "--since",
      "2025-01-01T00:05:00Z",
      "--until",
      "2025-01-01T00:08:00Z",
      "--user",
      "<@U_ALICE>",
      "--format",
      "csv",
    );
    expect(csv).toMatchObject({ code: 0 });
    const [read] = await auditOver(store, clock).query({ type: "audit.read", limit: 5 });
    expect(read).toMatchObject({
      seq: 13,
      actorId: "cli:ops-admin@ops-host",
      action: "audit:export",
      decision: "allow",
      detail: {
        via: "export",
        allowed: true,
        filters: { since: START + 5 * 60_000, until: START + 8 * 60_000, user: "U_ALICE", format: "csv" },
      },
    });
    // The count is what was written: the rows under the header.
    expect(read?.detail?.entries).toBe(csv.out.trim().split("\n").length - 1);
    expect(read?.message).toContain("Exported");
    expect(read?.message).toContain("as csv");
  });

  it("prune removes the exported past, records itself in the chain, and the chain still verifies", async () => {
    const { clock, store } = await filled(12);
    const pruned = await cli(store, clock, "prune", "--before", "2025-01-01T00:05:30Z", "--no-export");
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
      actorId: "cli:ops-admin@ops-host",
      detail: { throughSeq: 5, throughAt: START + 5 * 60_000 },
    });
    const verified = await cli(store, clock, "verify");
    expect(verified.code).toBe(0);
    expect(verified.out).toContain("The audit log is intact: entries 6–13 are linked");
    expect(verified.out).toContain("Entries 1–5 were pruned, as entry 13 (2025-01-01 00:12:00 UTC) records");
    expect(
      (await cli(store, clock, "prune", "--before", "2025-01-01T00:05:30Z", "--no-export")).out,
    ).toContain("Nothing to prune");
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
    const result = await cli(store, clock, "prune", "--before", "1h", "--no-export");
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
      [["export", "--format", "xml"], "--format xml is not supported; use jsonl (the default) or csv"],
      [["export", "--until", "2025-02-30"], "--until: `2025-02-30` is not a real date"],
      [["export", "--since", "2025-02-01", "--until", "2025-01-01"], "--until must be later than --since"],
      [["export", "--user", "alice"], "--user alice is not a Slack user ID"],
      [["export", "--request", "42"], "--request 42 is not a request ID"],
      [["export", "--server", " "], "--server needs a server name or ID"],
      [["export", "--host", "x"], "`export` takes no option --host"],
      [["prune", "--before", "2024-01-01"], "give --export <file> (the export holding them"],
      [["prune", "--before", "2024-01-01", "--export", "x", "--no-export"], "not both"],
      [["export", "--since"], "--since needs a value"],
      [["verify", "--digest", "12:abc"], "--digest must be <seq>:<hash>"],
      [["verify", "--before", "1d"], "`verify` takes no option --before"],
      [
        ["export", "--since", "2025-02-30"],
        "--since: `2025-02-30` is not a real date: February 2025 has 28 days",
      ],
      [["export", "--since", "2025-13-01"], "--since: `2025-13-01` is not a real date: there is no month 13"],
      [
        ["prune", "--before", "2023-04-31"],
        "--before: `2023-04-31` is not a real date: April 2023 has 30 days",
      ],
      [
        ["prune", "--before", "2024-06-01T25:00:00Z"],
        "--before: `2024-06-01T25:00:00Z` is not a real time: there is no hour 25",
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(store, clock, ...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.err).toContain(message);
    }
    expect((await store.logState("audit")).head.seq).toBe(3);
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

  it("accepts the valid date and time forms, leap days included", async () => {
    const { clock, store } = await filled(12);
    const seqs = async (since: string) => {
      const result = await cli(store, clock, "export", "--since", since);
      expect(result.code, since).toBe(0);
      // Each export is recorded (`audit.read`): those entries are left aside here.
      return result.out === ""
        ? []
        : result.out
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l))
            .filter((l) => l.record.type !== "audit.read")
            .map((l) => l.seq);
    };
    expect(await seqs("2025-01-01")).toHaveLength(12);
    expect(await seqs("2024-02-29")).toHaveLength(12);
    expect(await seqs("2025-01-01 00:10Z")).toEqual([10, 11, 12]);
    expect(await seqs("2025-01-01T01:10:00.000+01:00")).toEqual([10, 11, 12]);
    expect(await seqs("2024-12-31T24:00:00Z")).toHaveLength(12);
    expect(await seqs("2025-01-02")).toEqual([]);
    expect(
      (await cli(store, clock, "prune", "--before", "2025-01-01T00:03:30+0000", "--no-export")).out,
    ).toContain("Pruned 3 entries");
  });
});

describe("npm run audit, where there is no store", () => {
  const noStoreMessage = (path: string) =>
    `audit: no audit store at ${path}: check STORE_URL (the bot's store file).\n`;

  it("refuses a STORE_URL naming no file, for every command, naming the path and creating nothing", async () => {
    const parent = mkdtempSync(join(dir, "typo-"));
    const paths = [join(parent, "typo-prod.db"), join(parent, "no-such-folder", "hwc-chatops.sqlite")];
    for (const path of paths)
      for (const argv of [
        ["verify"],
        ["export"],
        ["export", "--since", "1d"],
        ["prune", "--before", "100d", "--no-export"],
      ]) {
        const result = await cliAt({ STORE_URL: `sqlite://${path}` }, ...argv);
        expect(result, `${path} ${argv.join(" ")}`).toEqual({ code: 1, out: "", err: noStoreMessage(path) });
      }
    // Not the file, its -wal, its .pid, nor the missing folder.
    expect(readdirSync(parent)).toEqual([]);
  });

  it("names the absolute path of a relative STORE_URL, and refuses a folder and memory://", async () => {
    // Relative to the current directory, but landing in the temporary one, so that a regression litters nothing.
    const absolute = join(dir, "no-such-folder", "typo.sqlite");
    const relativePath = relative(process.cwd(), absolute);
    expect(relativePath.startsWith("..")).toBe(true);
    expect(await cliAt({ STORE_URL: `sqlite://${relativePath}` }, "verify")).toEqual({
      code: 1,
      out: "",
      err: noStoreMessage(absolute),
    });
    expect(existsSync(join(dir, "no-such-folder"))).toBe(false);

    const folder = mkdtempSync(join(dir, "folder-"));
    const onFolder = await cliAt({ STORE_URL: `sqlite://${folder}` }, "verify");
    expect(onFolder).toMatchObject({ code: 1, out: "" });
    expect(onFolder.err).toBe(
      `audit: no audit store at ${folder}, which is not a file: check STORE_URL (the bot's store file).\n`,
    );
    expect(readdirSync(folder)).toEqual([]);

    const memory = await cliAt({ STORE_URL: "memory://" }, "verify");
    expect(memory).toMatchObject({ code: 1, out: "" });
    expect(memory.err).toContain("STORE_URL is memory://");
    expect(memory.err).toContain("there is no audit log here to read");
  });

  it("checks usage before the store: a bad argument is still exit code 2", async () => {
    const path = join(dir, "never-there.sqlite");
    const result = await cliAt({ STORE_URL: `sqlite://${path}` }, "export", "--since", "2025-02-30");
    expect(result.code).toBe(2);
    expect(result.err).toContain("February 2025 has 28 days");
    expect(existsSync(path)).toBe(false);
  });

  it("with STORE_URL unset, looks for the bot's default file and creates nothing; uses it when it is there", async () => {
    const cwd = realpathSync(mkdtempSync(join(dir, "cwd-")));
    const tsx = resolve("node_modules/.bin/tsx");
    const script = resolve("src/audit/cli.ts");
    const { STORE_URL: _unset, ...env } = process.env;
    const missing = await run(tsx, [script, "verify"], { cwd, env }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toBe(
      `audit: no audit store at ${join(cwd, "data", "hwc-chatops.sqlite")}: STORE_URL is not set, so the bot's default (sqlite://./data/hwc-chatops.sqlite) was looked for in the current directory. Set STORE_URL to the bot's store file.\n`,
    );
    expect(readdirSync(cwd)).toEqual([]);

    // The reported defect, as typed: a mistyped STORE_URL in the environment.
    const typo = join(cwd, "typo-prod.db");
    const mistyped = await run(tsx, [script, "verify"], {
      cwd,
      env: { ...env, STORE_URL: `sqlite://${typo}` },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(mistyped).toMatchObject({ code: 1, stdout: "", stderr: noStoreMessage(typo) });
    expect(readdirSync(cwd)).toEqual([]);

    const clock = createManualClock(START);
    const store = createSqliteStore({ file: join(cwd, "data", "hwc-chatops.sqlite"), clock });
    await writeEntries(auditOver(store, clock), clock, 3);
    await store.close();
    const { stdout } = await run(tsx, [script, "verify"], { cwd, env });
    expect(stdout).toContain("The audit log is intact: entries 1–3 are linked");
  }, 60_000);
});
