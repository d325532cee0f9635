/**
 * "The policy is decided again at execution, on what the servers are then", end to end: signed Slack requests
 * into the bot, the fake Slack, the simulated cloud (tags changed through its control API between the request
 * and the approvals), the shipped policy (or an edited one, as an operator would change the file).
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import { createOperations } from "../../src/operations/index.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
let h: OperationsHarness;
let shipped: string;

beforeAll(async () => {
  h = await startOperationsHarness();
  shipped = await readFile("flows/policy.yml", "utf8");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
  await h.policy.replace(shipped);
});

/** Changes a server's tags through the simulator's HTTP control API, as the console would. */
async function setTags(name: string, tags: Record<string, string>): Promise<void> {
  const res = await fetch(`${h.sim.url}/__sim/servers/${h.serverId(name)}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tags }),
  });
  expect(res.status).toBe(200);
}

async function approveBy(card: FakeSlackMessage, ...users: string[]): Promise<void> {
  for (const user of users) {
    const res = await h.click(card, APPROVE, user);
    expect(res.status).toBe(200);
  }
  await h.ops.idle();
}

function threadText(card: FakeSlackMessage): string {
  return h.replies(card).map(textOf).join("\n");
}

it("delete of a staging server re-tagged env=prod before the approvals: not run, the card and thread say why", async () => {
  await h.command("delete web-03");
  const card = await h.waitCard("/ecs delete web-03", (t) => t.includes("0 of 2"));
  await setTags("web-03", { env: "prod", team: "platform", role: "web" });
  await approveBy(card, IDS.bob, IDS.carol);

  const final = await h.waitCard("/ecs delete web-03", (t) => t.includes("Not run"));
  expect(textOf(final)).toContain("web-03: now tagged env=prod; no longer tagged env=staging");
  expect(textOf(final)).toContain("this delete now needs 3 approvals, it had 2");
  const thread = await h.fake.waitFor(() =>
    threadText(card).includes("Not run") ? threadText(card) : undefined,
  );
  expect(thread).toContain("this delete now needs 3 approvals, it had 2");
  expect(thread).toContain(`<@${IDS.alice}>`);
  expect(thread).toContain("/ecs delete web-03");

  expect(h.mutations()).toEqual([]);
  expect(h.sim.control.server("web-03")?.status).toBe("ACTIVE");
  const entries = await h.audit.query({ serverId: h.serverId("web-03"), limit: 50 });
  const redecided = entries.find((e) => e.type === "policy.redecided");
  expect(redecided).toMatchObject({ decision: "needs_approval", detail: { stricter: true } });
  expect(entries.some((e) => e.type === "request.revoked")).toBe(true);
  expect(entries.some((e) => e.type === "execution.started")).toBe(false);
});

it("a hard reboot approved once, its server re-tagged env=prod meanwhile: not run (it now needs 2)", async () => {
  await h.command("reboot web-03 --hard");
  const card = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("0 of 1"));
  await setTags("web-03", { env: "prod" });
  await approveBy(card, IDS.bob);
  const final = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Not run"));
  expect(textOf(final)).toContain("this reboot now needs 2 approvals, it had 1");
  expect(h.mutations()).toEqual([]);
});

it("a deny rule on hold=true added to the policy after the request: not run, with the rule's message", async () => {
  await setTags("web-04", { env: "staging", hold: "true" });
  await h.command("delete web-04");
  const card = await h.waitCard("/ecs delete web-04", (t) => t.includes("0 of 2"));
  await h.policy.replace(
    shipped.replace(
      "rules:\n",
      `rules:
  - id: held-servers
    description: Servers tagged hold=true are protected from deletion.
    actions: [ecs:cloudServers:delete]
    match:
      targets: { tags: { hold: "true" } }
    effect:
      deny: "This server is on hold (tag hold=true); remove the tag first."
`,
    ),
  );
  await approveBy(card, IDS.bob, IDS.carol);
  const final = await h.waitCard("/ecs delete web-04", (t) => t.includes("Not run"));
  expect(textOf(final)).toContain("this delete is not allowed any more: This server is on hold");
  expect(h.mutations()).toEqual([]);
});

it("a tag change needing 1 approval, the policy then asking 2 for tags it matches on: not run", async () => {
  await h.command("tag worker-01 add env=staging");
  const card = await h.waitCard("/ecs tag worker-01 add env=staging", (t) => t.includes("0 of 1"));
  // The re-decision sees the tag change itself (it is bound with the request), not just the servers.
  await h.policy.replace(
    shipped.replace(/(\n {2}- id: policy-tag-change-needs-approval[\s\S]*?additional_approvals: )1/, "$12"),
  );
  await approveBy(card, IDS.bob);
  const final = await h.waitCard("/ecs tag worker-01 add env=staging", (t) => t.includes("Not run"));
  expect(textOf(final)).toContain("now needs 2 approvals, it had 1");
  expect(h.mutations()).toEqual([]);
});

it("a tag-selected server that lost the selecting tag is drift: nothing is stopped", async () => {
  await setTags("web-03", { env: "staging", role: "batch" });
  await setTags("web-04", { env: "staging", role: "batch" });
  await h.command("stop tag:role=batch --hard");
  const card = await h.waitCard("/ecs stop tag:role=batch --hard", (t) => t.includes("0 of 1"));
  await setTags("web-04", { env: "staging" });
  await approveBy(card, IDS.bob);
  const final = await h.waitCard("/ecs stop tag:role=batch --hard", (t) => t.includes("Not run"));
  expect(textOf(final)).toContain("Not run — servers changed since approval");
  const thread = await h.fake.waitFor(() =>
    threadText(card).includes("no longer tagged role=batch, the tag that selected it")
      ? threadText(card)
      : undefined,
  );
  expect(thread).toContain("web-04");
  expect(h.mutations()).toEqual([]);
});

it("a decision that became laxer runs as approved (the prod rule removed from the policy)", async () => {
  // web-01 is env=prod: a hard reboot needs 2 (hard-power + prod-needs-one-more).
  await h.command("reboot web-01 --hard");
  const card = await h.waitCard("/ecs reboot web-01 --hard", (t) => t.includes("0 of 2"));
  await h.policy.replace(
    shipped.replace(/ {2}- id: prod-needs-one-more[\s\S]*?additional_approvals: 1\n/, ""),
  );
  await approveBy(card, IDS.bob, IDS.carol);
  await h.waitCard("/ecs reboot web-01 --hard", (t) => t.includes("Done"));
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
  const [redecided] = await h.audit.query({ type: "policy.redecided", limit: 1 });
  expect(redecided).toMatchObject({ decision: "needs_approval", detail: { stricter: false } });
});

it("an allowed request is decided again too, and runs when nothing changed", async () => {
  await setTags("web-03", { env: "dev" });
  await h.command("stop web-03");
  await h.waitCard("/ecs stop web-03", (t) => t.includes("Done"));
  const [redecided] = await h.audit.query({ type: "policy.redecided", limit: 1 });
  expect(redecided).toMatchObject({ decision: "allow", detail: { stricter: false } });
});

it("an approver who left the approvers' group before the execution: not run, their approval no longer counts", async () => {
  // An approved request that no replica has claimed yet (as a restart finds it), then Bob leaves the group.
  const chat = createSlackChat(h.bot.app.client);
  const approvals = createApprovalService({ store: h.store, clock: h.clock, audit: h.audit });
  const s = h.sim.control.server("web-03")!;
  const root = await chat.postMessage(IDS.ops, { text: "reboot web-03 --hard", blocks: [] });
  const created = await approvals.create({
    requester: { userId: IDS.alice, teamId: IDS.team },
    channel: IDS.ops,
    action: "ecs:cloudServers:reboot",
    commandText: "/ecs reboot web-03 --hard",
    targets: [
      {
        id: s.id,
        name: s.name,
        status: s.status,
        flavor: s.flavorId,
        tags: { env: "staging", team: "platform", role: "web" },
      },
    ],
    parameters: { hard: true },
    ruleIds: ["hard-power-needs-approval"],
    requirement: {
      approvers: { users: [], groups: ["ops-approvers"] },
      minApprovals: 1,
      allowSelfApproval: false,
      expiresInMs: 30 * 60_000,
      reasonRequired: true,
    },
    terms: { effect: "needs_approval", minApprovals: 1, approvalRuleIds: ["hard-power-needs-approval"] },
    message: root,
  });
  const approved = await approvals.act(
    created.id,
    { type: "approve", userId: IDS.bob },
    { isApprover: true },
  );
  expect(approved.ok && approved.request.status).toBe("approved");
  await h.setUserGroupMembers("ops-approvers", [IDS.carol]);

  const replica = createOperations({ ...h.opsOptions, chat });
  await replica.start();
  await replica.idle();
  await replica.stop(1_000);
  expect((await approvals.get(created.id))?.status).toBe("revoked");
  const thread = h.fake.thread(IDS.ops, root.ts).slice(1).map(textOf).join("\n");
  // Bob left the group: said so, with the group, and not blamed on a policy that did not change.
  expect(thread).toContain(
    `Not run: <@${IDS.bob}>'s approval no longer counts (no longer in \`@ops-approvers\`)`,
  );
  expect(thread).toContain("*Not run — an approver's groups changed.*");
  expect(thread).not.toContain("policy");
  const redecided = await h.audit.query({ type: "policy.redecided", limit: 50 });
  expect(redecided.find((e) => e.requestId === created.id)?.detail?.cause).toBe(
    "an approver's groups changed",
  );
  expect(h.mutations()).toEqual([]);
});
