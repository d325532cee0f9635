/**
 * `npm run audit -- export` with filters and as CSV, and prune's guards: the minimum retention (a prune of
 * `--before 0d` once removed every entry) and an explicit `--no-export` when no export file is given.
 */
import { describe, expect, it } from "vitest";
import type { AuditEntryInput } from "../../src/audit/audit-entry.js";
import { AUDIT_CSV_COLUMNS, csvCell } from "../../src/audit/export-audit-entries.js";
import { runAuditCli } from "../../src/audit/run-audit-cli.js";
import { serverNameKey } from "../../src/operations/request-details.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import { createManualClock, type ManualClock } from "../store/manual-clock.js";
import { auditOver } from "./audit-chain-helpers.js";

const START = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;
const WEB1 = "d704b694-9efd-4a74-920f-e8cf2caf37eb";
const WEB1_OLD = "0b1c2d3e-0000-4000-8000-000000000001";
const DB1 = "f38404cb-eed4-43f4-8c8b-cb06eedeb34c";
const REQ_A = "apr_AAAAAAAAAAAAAAAAAAAAAA";
const REQ_B = "apr_BBBBBBBBBBBBBBBBBBBBBB";

async function cli(store: Store, clock: ManualClock, env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditCli(argv, {
    env,
    operator: { osUser: "ops-admin", host: "ops-host" },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    clock,
    store,
  });
  return { code, out: out.join(""), err: err.join("") };
}

/**
 * Day 0: a request on an old `web-01` (written before names were recorded: IDs only; the name is known from
 * the request's index, as the bot keeps it). Day 10: Alice's request on the new `web-01`. Day 20: Bob's on
 * `db-01`, with text a spreadsheet would run. The clock is then at day 200.
 */
async function world() {
  const clock = createManualClock(START);
  const store = createMemoryStore({ clock });
  const audit = auditOver(store, clock);
  const created = (e: Partial<AuditEntryInput>): AuditEntryInput => ({
    type: "request.created",
    actorId: "U_ALICE",
    requesterId: "U_ALICE",
    action: "ecs:cloudServers:stop",
    bindingHash: "a".repeat(64),
    ...e,
  });
  await audit.record(created({ requestId: "apr_OLDOLDOLDOLDOLDOLDOLDO", serverIds: [WEB1_OLD] }));
  await store.addToSet(serverNameKey("web-01"), WEB1_OLD);
  clock.advance(10 * DAY);
  await audit.record(
    created({
      requestId: REQ_A,
      serverIds: [WEB1],
      serverNames: { [WEB1]: "web-01" },
      message: "/ecs stop web-01 --hard",
      detail: { parameters: { type: "HARD" } },
    }),
  );
  await audit.record({
    type: "approval.recorded",
    actorId: "U_BOB",
    requesterId: "U_ALICE",
    requestId: REQ_A,
    bindingHash: "a".repeat(64),
    serverIds: [WEB1],
    serverNames: { [WEB1]: "web-01" },
  });
  clock.advance(10 * DAY);
  await audit.record(
    created({
      actorId: "U_BOB",
      requesterId: "U_BOB",
      requestId: REQ_B,
      serverIds: [DB1],
      serverNames: { [DB1]: '=HYPERLINK("x")' },
      detail: { why: '-1 "quoted", with comma\nand a new line', reason: "@SUM(A1)" },
    }),
  );
  clock.advance(180 * DAY);
  return { clock, store };
}

const seqsOf = (jsonl: string) =>
  jsonl
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { seq: number }).seq);

describe("npm run audit -- export: filters", () => {
  it("--request, --user (actor or requester), --since/--until keep only what matches, in order", async () => {
    const { clock, store } = await world();
    const env = {};
    expect(seqsOf((await cli(store, clock, env, "export")).out)).toEqual([1, 2, 3, 4]);
    expect(seqsOf((await cli(store, clock, env, "export", "--request", REQ_A)).out)).toEqual([2, 3]);
    expect(seqsOf((await cli(store, clock, env, "export", "--user", "U_BOB")).out)).toEqual([3, 4]);
    expect(seqsOf((await cli(store, clock, env, "export", "--user", "<@U_BOB>")).out)).toEqual([3, 4]);
    const window = await cli(store, clock, env, "export", "--since", "2025-01-05", "--until", "2025-01-15");
    expect(seqsOf(window.out)).toEqual([2, 3]);
    expect(window.err).toBe("audit: exported 2 entries\n");
    // --until excludes the instant itself.
    expect(seqsOf((await cli(store, clock, env, "export", "--until", "2025-01-11")).out)).toEqual([1]);
    const after = await cli(store, clock, env, "export", "--until", "2025-01-11T00:00:00.001Z");
    expect(seqsOf(after.out)).toEqual([1, 2, 3]);
    expect(seqsOf((await cli(store, clock, env, "export", "--until", "2025-01-01")).out)).toEqual([]);
  });

  it("--server by name finds every server that had it (a deleted one by the name's IDs), or one by ID", async () => {
    const { clock, store } = await world();
    expect(seqsOf((await cli(store, clock, {}, "export", "--server", "web-01")).out)).toEqual([1, 2, 3]);
    expect(seqsOf((await cli(store, clock, {}, "export", "--server", WEB1)).out)).toEqual([2, 3]);
    expect(seqsOf((await cli(store, clock, {}, "export", "--server", WEB1_OLD)).out)).toEqual([1]);
    expect(seqsOf((await cli(store, clock, {}, "export", "--server", "nope")).out)).toEqual([]);
  });
});

describe("npm run audit -- export --format csv", () => {
  it("one row per entry, stable columns, names beside IDs, escaped and defused cells", async () => {
    const { clock, store } = await world();
    const result = await cli(store, clock, {}, "export", "--format", "csv", "--since", "2025-01-05");
    expect(result.code).toBe(0);
    expect(result.err).toBe("audit: exported 3 entries\n");
    const [header, ...rows] = result.out.split("\r\n");
    expect(header).toBe("time,seq,type,actor,request,servers,outcome,detail");
    expect(AUDIT_CSV_COLUMNS.join(",")).toBe(header);
    expect(rows.at(-1)).toBe("");
    expect(rows[0]).toBe(
      `2025-01-11T00:00:00.000Z,2,request.created,U_ALICE,${REQ_A},web-01 (${WEB1}),,"{""parameters"":{""type"":""HARD""}}"`,
    );
    expect(rows[1]).toBe(`2025-01-11T00:00:00.000Z,3,approval.recorded,U_BOB,${REQ_A},web-01 (${WEB1}),,`);
    // The name a spreadsheet would run is text; the detail's quotes doubled (it is JSON: its line break is \n).
    expect(rows[2]).toBe(
      `2025-01-21T00:00:00.000Z,4,request.created,U_BOB,${REQ_B},"'=HYPERLINK(""x"") (${DB1})",,"{""reason"":""@SUM(A1)"",""why"":""-1 \\""quoted\\"", with comma\\nand a new line""}"`,
    );
    expect(rows).toHaveLength(4);
  });

  it("csvCell quotes what needs quoting and prefixes formula starts with ' (OWASP)", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("cr\rhere")).toBe('"cr\rhere"');
    for (const start of ["=", "+", "-", "@", "\t"]) expect(csvCell(`${start}1+1`)).toBe(`'${start}1+1`);
    expect(csvCell("=1,2")).toBe(`"'=1,2"`);
    expect(csvCell("\r=1")).toBe(`"'\r=1"`);
    expect(csvCell("")).toBe("");
    expect(csvCell("a=1")).toBe("a=1");
  });
});

describe("npm run audit -- prune: minimum retention and an explicit --no-export", () => {
  it("refuses --before 0d (and anything within 90 days by default), naming the limit; nothing is removed", async () => {
    const { clock, store } = await world();
    for (const before of ["0d", "89d", new Date(clock.now() - 30 * DAY).toISOString()]) {
      const result = await cli(store, clock, {}, "prune", "--before", before, "--no-export");
      expect(result.code, before).toBe(2);
      expect(result.err).toContain(
        `--before ${before} is within the minimum retention (90d, AUDIT_MIN_RETENTION): entries from the last 90d are kept; the latest --before allowed now is 2025-04-21 00:00:00 UTC`,
      );
    }
    expect((await store.logState("audit")).head.seq).toBe(4);
    expect((await store.logState("audit")).prunedThrough.seq).toBe(0);
    const pruned = await cli(store, clock, {}, "prune", "--before", "90d", "--no-export");
    expect(pruned).toMatchObject({ code: 0 });
    expect(pruned.out).toContain("Pruned 4 entries");
  });

  it("AUDIT_MIN_RETENTION sets the limit; a value that is not a duration is refused", async () => {
    const { clock, store } = await world();
    const env = { AUDIT_MIN_RETENTION: "365d" };
    const refused = await cli(store, clock, env, "prune", "--before", "100d", "--no-export");
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("within the minimum retention (365d, AUDIT_MIN_RETENTION)");
    const bad = await cli(
      store,
      clock,
      { AUDIT_MIN_RETENTION: "ninety" },
      "prune",
      "--before",
      "100d",
      "--no-export",
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("AUDIT_MIN_RETENTION: `ninety`");
    const shorter = await cli(
      store,
      clock,
      { AUDIT_MIN_RETENTION: "30d" },
      "prune",
      "--before",
      "185d",
      "--no-export",
    );
    expect(shorter.out).toContain("Pruned 3 entries");
  });

  it("refuses a prune with neither --export nor --no-export, and one with both; --no-export is recorded", async () => {
    const { clock, store } = await world();
    const neither = await cli(store, clock, {}, "prune", "--before", "100d");
    expect(neither.code).toBe(2);
    expect(neither.err).toContain(
      "prune removes entries for good: give --export <file> (the export holding them: `npm run audit -- export > <file>` first), or --no-export to remove them without one",
    );
    const both = await cli(
      store,
      clock,
      {},
      "prune",
      "--before",
      "100d",
      "--export",
      "f.jsonl",
      "--no-export",
    );
    expect(both.err).toContain("give --export <file> or --no-export, not both");
    expect((await store.logState("audit")).prunedThrough.seq).toBe(0);
    expect((await cli(store, clock, {}, "prune", "--no-export", "--before", "100d")).code).toBe(0);
    const [record] = await auditOver(store, clock).query({ type: "audit.pruned", limit: 1 });
    expect(record?.message).toContain("removed without an export file (--no-export)");
  });
});
