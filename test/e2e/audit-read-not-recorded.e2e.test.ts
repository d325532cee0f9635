/**
 * Every read of the audit log is recorded in it; when the store refuses that entry (`audit.read`), the read is
 * not shown and the failure is not silent: the reader is told (the not-recorded notice) and the bot's log gets
 * the entry that could not be written, at error level. Typed `/ops audit`, its page buttons, `verify` and
 * `break-glass` alike, end to end (signed Slack requests over HTTP, the shipped policy); every other audit write
 * goes through.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { AuditEntryInput } from "../../src/audit/audit-entry.js";
import { clickEphemeralButton } from "../helpers/click-ephemeral-button.js";
import { findAuditOlderButton } from "../helpers/find-audit-older-button.js";
import { runOpsCommand } from "../helpers/run-ops-command.js";
import { seedRebootDecisions } from "../helpers/seed-reboot-decisions.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
let readsRefused = false;
const NOT_SHOWN = "Not shown: every read of the audit log is recorded in it";

beforeAll(async () => {
  h = await startOperationsHarness();
  await seedRebootDecisions(h, 8, (i) => `INC-${i}`);
  const { record } = h.audit;
  h.audit.record = async (entry: AuditEntryInput) => {
    if (readsRefused && entry.type === "audit.read") throw new Error("store write refused");
    return record(entry);
  };
});
beforeEach(() => {
  readsRefused = false;
});
afterAll(async () => {
  await h?.close();
});

const ops = (text: string, user: string) => runOpsCommand(h, text, user, IDS.ops);

/** The bot's error lines about reads of the audit log it could not record, since `from`. */
const notRecordedLogs = (from: number) =>
  h.logs
    .slice(from)
    .filter(
      (l) => l.level === 50 && String(l.msg).startsWith("a read of the audit log could not be recorded"),
    );

it("a typed /ops audit, verify and break-glass: not shown, the reader told, the bot's log has the entry", async () => {
  readsRefused = true;
  for (const [command, action] of [
    ["audit web-01 5", "ops:audit:list"],
    ["audit verify", "ops:audit:verify"],
    ["audit break-glass", "ops:audit:breakGlass"],
  ] as const) {
    const from = h.logs.length;
    const answer = textOf(await ops(command, IDS.erin));
    expect(answer, command).toContain(NOT_SHOWN);
    expect(answer, command).not.toContain("INC-");
    const logged = notRecordedLogs(from);
    expect(logged, command).toHaveLength(1);
    expect(logged[0], command).toMatchObject({
      err: { message: "store write refused" },
      auditRead: { type: "audit.read", actorId: IDS.erin, action, detail: { via: "view", allowed: true } },
    });
  }
  expect(await h.audit.query({ type: "audit.read", userId: IDS.erin, limit: 5 })).toEqual([]);
});

it("a page button whose read cannot be recorded leaves the page as it was and says why", async () => {
  const page = await ops("audit web-01 3", IDS.erin);
  expect(textOf(page)).toContain("INC-7");
  const older = findAuditOlderButton(page);
  expect(older).toBeDefined();

  readsRefused = true;
  const from = h.logs.length;
  const before = h.fake.ephemerals({ user: IDS.erin }).length;
  const res = await clickEphemeralButton(h, page, IDS.erin, older!.action_id);
  expect(res.status).toBe(200);
  await h.ops.idle();
  const answer = await h.fake.waitFor(() => h.fake.ephemerals({ user: IDS.erin }).slice(before).at(-1));
  expect(textOf(answer)).toContain(NOT_SHOWN);
  expect(textOf(answer)).not.toContain("INC-4");
  expect(notRecordedLogs(from)).toHaveLength(1);
  expect(notRecordedLogs(from)[0]).toMatchObject({
    auditRead: { actorId: IDS.erin, detail: { filters: { server: "web-01", limit: 3 } } },
  });
});

it("a refused read stays refused when its entry cannot be written", async () => {
  readsRefused = true;
  const answer = textOf(await ops("audit verify", IDS.dave));
  expect(answer).toContain("Not allowed by the policy");
  expect(await h.audit.query({ type: "audit.read", userId: IDS.dave, limit: 1 })).toEqual([]);
});
