/**
 * Reading the audit log is audited, end to end (signed Slack requests over HTTP, the shipped policy, the fake
 * Slack's user groups): `/ops audit …` typed, its page buttons, `verify`, `break-glass`, each allowed read and
 * each one the read policy refused, leaves an `audit.read` entry with who, the filters, how many entries and
 * whether it was shown; the command line's export leaves one with the OS user.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/audit-entry.js";
import { runAuditCli } from "../../src/audit/run-audit-cli.js";
import { clickEphemeralButton } from "../helpers/click-ephemeral-button.js";
import { findAuditOlderButton } from "../helpers/find-audit-older-button.js";
import { runOpsCommand } from "../helpers/run-ops-command.js";
import { seedRebootDecisions } from "../helpers/seed-reboot-decisions.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
const REQUEST = "apr_AUDITREADAUDITREADAUDI";

beforeAll(async () => {
  h = await startOperationsHarness();
  await seedRebootDecisions(h, 30, (i) => `INC-${i}`);
});
afterAll(async () => {
  await h?.close();
});

const ops = (text: string, user: string, channel: string = IDS.ops) => runOpsCommand(h, text, user, channel);

/** The newest `audit.read` entry by `user`. */
async function lastRead(user: string): Promise<AuditRecord | undefined> {
  return (await h.audit.query({ type: "audit.read", userId: user, limit: 1 }))[0];
}

it("/ops audit typed: who, the filters as asked and how many entries are recorded, before the page is shown", async () => {
  const page = await ops("audit web-01 5", IDS.erin);
  expect(textOf(page)).toContain("INC-29");
  expect(await lastRead(IDS.erin)).toMatchObject({
    type: "audit.read",
    actorId: IDS.erin,
    teamId: IDS.team,
    action: "ops:audit:list",
    decision: "allow",
    detail: {
      via: "view",
      allowed: true,
      entries: 5,
      filters: { server: "web-01", serverIds: [h.serverId("web-01")], limit: 5 },
    },
  });
  await ops(`audit <@${IDS.alice}>`, IDS.bob);
  expect(await lastRead(IDS.bob)).toMatchObject({
    detail: { allowed: true, entries: 20, filters: { user: IDS.alice, limit: 20 } },
  });
  // The reader's own entry is not in what they were shown, and is in the next read of the log.
  const newest = await ops("audit 3", IDS.bob);
  expect(textOf(newest)).toContain("Audit log read");
  expect(textOf(newest)).toContain(`<@${IDS.bob}>`);
});

it("a page button's read is recorded with the page's cursor; a refused click, with the page's filters", async () => {
  const page = await ops("audit web-01 5", IDS.erin);
  const older = findAuditOlderButton(page);
  expect(older).toBeDefined();
  const refusedClick = async (user: string) => {
    const before = h.fake.ephemerals({ user }).length;
    const res = await clickEphemeralButton(h, page, user, older!.action_id);
    expect(res.status).toBe(200);
    await h.ops.idle();
    return h.fake.waitFor(() => h.fake.ephemerals({ user }).slice(before).at(-1) ?? undefined);
  };
  // Allowed, the page replaces the clicked one: its read is recorded before it is shown.
  const before = (await lastRead(IDS.erin))?.seq;
  const res = await clickEphemeralButton(h, page, IDS.erin, older!.action_id);
  expect(res.status).toBe(200);
  let paged = await lastRead(IDS.erin);
  for (let i = 0; paged?.seq === before; i++) {
    if (i > 500) throw new Error("the page click was not recorded");
    await new Promise((resolve) => setTimeout(resolve, 10));
    paged = await lastRead(IDS.erin);
  }
  expect(paged).toMatchObject({
    decision: "allow",
    detail: { allowed: true, entries: 5, filters: { server: "web-01", limit: 5 } },
  });
  expect(paged?.detail?.filters).toHaveProperty("beforeSeq");

  // Dave is in no reviewers' group: refused, and the attempt recorded with what it would have read.
  expect(textOf(await refusedClick(IDS.dave))).toContain("Not allowed by the policy");
  expect(await lastRead(IDS.dave)).toMatchObject({
    action: "ops:audit:list",
    decision: "deny",
    detail: {
      via: "view",
      allowed: false,
      filters: { server: "web-01", serverIds: [h.serverId("web-01")], limit: 5 },
    },
  });
});

it("refused typed reads are recorded with their filters and the policy's reasons, and show nothing", async () => {
  const answer = textOf(await ops(`audit ${REQUEST}`, IDS.dave, IDS.random));
  expect(answer).toContain("Not allowed by the policy");
  const refused = await lastRead(IDS.dave);
  expect(refused).toMatchObject({
    action: "ops:audit:list",
    decision: "deny",
    detail: { via: "view", allowed: false, filters: { request: REQUEST } },
  });
  expect(refused?.detail).not.toHaveProperty("entries");
  expect(JSON.stringify(refused?.detail?.reasons)).toContain("audit-for-reviewers");

  for (const [command, action] of [
    ["audit verify", "ops:audit:verify"],
    ["audit break-glass", "ops:audit:breakGlass"],
  ] as const) {
    expect(textOf(await ops(command, IDS.dave))).toContain("Not allowed by the policy");
    expect(await lastRead(IDS.dave), command).toMatchObject({
      action,
      decision: "deny",
      detail: { allowed: false },
    });
  }
});

it("verify and break-glass, allowed, are recorded with how much they showed", async () => {
  await ops("audit verify", IDS.bob);
  const verified = await lastRead(IDS.bob);
  expect(verified).toMatchObject({
    action: "ops:audit:verify",
    decision: "allow",
    detail: { allowed: true },
  });
  expect(verified?.detail?.entries).toBeGreaterThan(30);
  await ops("audit break-glass", IDS.erin);
  expect(await lastRead(IDS.erin)).toMatchObject({
    action: "ops:audit:breakGlass",
    detail: { allowed: true, entries: 0, filters: {} },
  });
});

it("an export from the command line is recorded with the OS user, its filters and how many entries it wrote", async () => {
  const out: string[] = [];
  const code = await runAuditCli(
    ["export", "--user", IDS.alice, "--server", h.serverId("web-01"), "--format", "csv"],
    {
      env: {},
      store: h.store,
      clock: h.clock,
      operator: { osUser: "auditor", host: "jump-1" },
      stdout: (t) => out.push(t),
      stderr: () => {},
    },
  );
  expect(code).toBe(0);
  const rows = out.join("").trim().split("\n").length - 1;
  expect(rows).toBeGreaterThanOrEqual(30);
  const [exported] = await h.audit.query({ type: "audit.read", limit: 1 });
  expect(exported).toMatchObject({
    actorId: "cli:auditor@jump-1",
    action: "audit:export",
    detail: {
      via: "export",
      allowed: true,
      entries: rows,
      filters: { user: IDS.alice, server: h.serverId("web-01"), format: "csv" },
    },
  });
});
