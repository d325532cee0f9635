/**
 * Deny by default for `/ops`, end to end (signed Slack requests over HTTP, the shipped policy, the fake Slack's
 * user groups): every `/ops` command and `help` is decided by the read policy like an `/ecs` read, refused with
 * the same "Not allowed by the policy" answer; the audit log (`/ops audit`, its page buttons, `verify`,
 * `break-glass`) only for the reviewers' groups; a schedule's pause, resume and delete decided by
 * `ops:schedule:update` (shipped: its owner and whoever may approve it now), every refusal audited.
 */
import { readFile } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { Schedule } from "../../src/recurring/schedule-record.js";
import { clickEphemeralButton } from "../helpers/click-ephemeral-button.js";
import { findAuditOlderButton } from "../helpers/find-audit-older-button.js";
import { runOpsCommand } from "../helpers/run-ops-command.js";
import { seedRebootDecisions } from "../helpers/seed-reboot-decisions.js";
import {
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
let shippedPolicy: string;
/** A reason typed in a private channel: what the audit must not show to just anyone. */
const PRIVATE_REASON = "INC-9001 payroll migration, confidential";

beforeAll(async () => {
  h = await startOperationsHarness();
  shippedPolicy = await readFile("flows/policy.yml", "utf8");
  await seedRebootDecisions(h, 70, (i) => `${PRIVATE_REASON} ${i}`);
});
afterEach(async () => {
  await h.policy.replace(shippedPolicy);
  await resetApprovalWorld(h);
});
afterAll(async () => {
  await h?.close();
});

const ops = (text: string, user: string, channel: string = IDS.ops) => runOpsCommand(h, text, user, channel);

async function schedules(): Promise<Schedule[]> {
  const out: Schedule[] = [];
  for (const id of await h.store.members("schedules:all")) {
    const s = await h.store.get<Schedule>(`schedule:${id}`);
    if (s) out.push(s.value);
  }
  return out;
}

it("the audit is for the reviewers' groups: anyone else is refused with the rule, and sees no reason", async () => {
  for (const command of [
    "audit",
    "audit web-01",
    `audit @${IDS.alice}`,
    "audit verify",
    "audit break-glass",
  ]) {
    const answer = textOf(await ops(command, IDS.dave, IDS.random));
    expect(answer, command).toContain("Not allowed by the policy");
    expect(answer, command).toContain("audit-for-reviewers");
    expect(answer, command).not.toContain(PRIVATE_REASON);
  }
  // @sre (Erin) and @ops-approvers (Bob) read it.
  expect(textOf(await ops("audit web-01", IDS.erin))).toContain(PRIVATE_REASON);
  expect(textOf(await ops("audit verify", IDS.bob))).not.toContain("Not allowed by the policy");
  // Leaving the group takes the right away at once.
  await h.setUserGroupMembers("sre", [IDS.alice]);
  expect(textOf(await ops("audit web-01", IDS.erin))).toContain("Not allowed by the policy");
});

it("the audit's page buttons are decided for whoever clicks, when they click", async () => {
  const page = await ops("audit web-01", IDS.erin);
  const older = findAuditOlderButton(page);
  expect(older).toBeDefined();
  const click = async (user: string) => {
    const before = h.fake.ephemerals({ user }).length;
    const res = await clickEphemeralButton(h, page, user, older!.action_id);
    expect(res.status).toBe(200);
    return h.fake.waitFor(() => h.fake.ephemerals({ user }).slice(before).at(-1));
  };
  // A click by someone outside the groups (the message shown to them, or the policy changed since).
  const refused = textOf(await click(IDS.dave));
  expect(refused).toContain("Not allowed by the policy");
  expect(refused).not.toContain(PRIVATE_REASON);
  // Erin left @sre after the page was shown: her click is refused too, and the page stays as it was.
  await h.setUserGroupMembers("sre", [IDS.alice]);
  expect(textOf(await click(IDS.erin))).toContain("Not allowed by the policy");
  expect(textOf(h.fake.ephemerals({ user: IDS.erin }).find((e) => e.ts === page.ts))).toBe(textOf(page));
});

it("the bot's state stays open to everyone; without a rule for them, every /ops read and help is refused", async () => {
  const open = [
    "jobs",
    "approvals",
    "calendar",
    "watch list",
    "schedule list",
    "policy explain /ecs list",
    "help",
  ];
  for (const command of open)
    expect(textOf(await ops(command, IDS.dave, IDS.random)), command).not.toContain(
      "Not allowed by the policy",
    );
  // The reads rule without the `/ops` actions: nothing of the bot's state is shown any more.
  await h.policy.replace(shippedPolicy.replace(/^ {6}- ops:[a-zA-Z:]+\n/gm, ""));
  for (const command of open) {
    const answer = textOf(await ops(command, IDS.erin));
    expect(answer, command).toContain("Not allowed by the policy");
    expect(answer, command).toContain("no rule");
  }
});

it("schedule pause, resume and delete are decided by the policy and by the groups now; refusals are audited", async () => {
  // Added here: each test's reset gives the simulated cloud its default fleet again.
  h.sim.control.addServer({ name: "nightly-1", status: "ACTIVE", tags: { env: "dev", team: "nightly" } });
  await ops('schedule add "0 19 * * 1-5" tz=Europe/Paris /ecs stop nightly-1', IDS.alice);
  const card = await h.waitCard("/ecs stop nightly-1", (t) => t.includes("Schedule needs approval"));
  await h.click(card, "ops.approval.approve", IDS.carol);
  await h.waitCard("/ecs stop nightly-1", (t) => t.includes("Schedule active"));
  await h.ops.idle();
  const [schedule] = await schedules();
  expect(schedule).toMatchObject({ status: "active", approvedBy: [IDS.carol] });
  const id = schedule!.id;

  const updates = async (user: string) =>
    (await h.audit.query({ userId: user, limit: 20 })).filter(
      (e) => e.actorId === user && e.action === "ops:schedule:update" && e.detail?.scheduleId === id,
    );
  // Dave neither owns nor may approve it: refused, audited, nothing changed.
  let answer = textOf(await ops(`schedule pause ${id}`, IDS.dave));
  expect(answer).toContain("Only the owner");
  expect((await schedules())[0]?.status).toBe("active");
  expect(await updates(IDS.dave)).toMatchObject([{ type: "request.refused" }]);

  // Carol approved it, then left @ops-approvers: having approved it once gives her no lasting right.
  await h.setUserGroupMembers("ops-approvers", [IDS.bob]);
  answer = textOf(await ops(`schedule pause ${id}`, IDS.carol));
  expect(answer).toContain("Only the owner");
  expect((await schedules())[0]?.status).toBe("active");
  expect(await updates(IDS.carol)).toMatchObject([{ type: "request.refused" }]);

  // Without a rule for schedule changes, even the owner is refused by the policy (deny by default), audited.
  await h.policy.replace(
    shippedPolicy.replace(/^ {2}- id: schedule-changes-by-owners-and-approvers\n(?: {4}.*\n)+/m, ""),
  );
  answer = textOf(await ops(`schedule pause ${id}`, IDS.alice));
  expect(answer).toContain("Not allowed by the policy");
  expect((await schedules())[0]?.status).toBe("active");
  expect(await updates(IDS.alice)).toMatchObject([
    { type: "policy.decided", decision: "deny", action: "ops:schedule:update" },
  ]);

  // The shipped policy: Bob, in @ops-approvers now, may; and so may the owner, in no approver group.
  await h.policy.replace(shippedPolicy);
  expect(textOf(await ops(`schedule pause ${id}`, IDS.bob))).toContain("paused");
  expect(textOf(await ops(`schedule delete ${id}`, IDS.alice))).toContain("deleted");
});
