/**
 * Break-glass and the requests around it, over signed HTTP: a break-glass run closes the requester's request of
 * the same change that waits for approval (superseded, its card, thread, approvers' direct messages and audit
 * entry saying so), so a late Approve runs nothing; a request of the same servers for another change stays open
 * and is named, one for other servers is not; an approval that got there
 * first runs and the break-glass one does not. The alert and `/ops audit break-glass` name the servers. A
 * denial the requester could break the glass on says so; a refused break-glass says what happens without it.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
const REASON = "checkout down, INC-9001 pager";

let h: OperationsHarness;
let shipped: string;
beforeAll(async () => {
  h = await startOperationsHarness();
  shipped = await readFile("flows/policy.yml", "utf8");
});
afterAll(async () => {
  await h?.close();
});
/** The shipped policy with break-glass for @sre, alerting in #prod-ops; approvers told by `notify`. */
function glassPolicy(notify: "mention" | "dm" = "mention"): string {
  const base = shipped.replace(/^# break_glass:[\s\S]*?(?=^\S)/m, "");
  return `${notify === "dm" ? base.replace("  notify_approvers: mention\n", "  notify_approvers: dm\n") : base}
break_glass:
  groups: [sre]
  alert_channel: ${IDS.prod}
  remind_every: 1h
`;
}
beforeEach(async () => {
  await resetApprovalWorld(h);
  await h.policy.replace(glassPolicy());
});

function nextEphemeral(user: string, from: number, ...needles: string[]): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .ephemeralTexts(user)
      .slice(from)
      .find((t) => needles.some((n) => t.includes(n))),
  );
}

it("break-glass closes the waiting request of the same change: its card and thread say so, a late Approve runs nothing", async () => {
  await h.command("reboot web-04 --hard");
  const waiting = await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Approvals: 0 of 1"));
  const from = h.ephemeralTexts(IDS.alice).length;
  await h.command(`reboot web-04 --hard --break-glass "${REASON}"`);
  const answer = await nextEphemeral(IDS.alice, from, "Break-glass: approval skipped", "Not allowed");
  expect(answer).toContain("Break-glass: approval skipped");
  expect(answer).toContain("I closed");
  expect(answer).toContain("nothing will run from it");
  await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Done") && t.includes("Break-glass"));

  const closed = await h.fake.waitFor(() => {
    const card = h.fake.messages(IDS.ops).find((m) => m.ts === waiting.ts);
    return card && textOf(card).includes("Superseded") ? card : undefined;
  });
  expect(textOf(closed)).not.toContain("[Approve]");
  expect(textOf(closed)).not.toContain("Cancelled");
  const superseded = await h.fake.waitFor(() =>
    h.replies(waiting).find((m) => textOf(m).includes("Superseded:")),
  );
  expect(textOf(superseded)).toContain(`<@${IDS.alice}> ran the same change with break-glass`);
  expect(textOf(superseded)).toContain("nothing will run from this request");
  const [glassUse] = await h.audit.query({ type: "break_glass.used", limit: 1 });
  const [cancelled] = await h.audit.query({ type: "request.cancelled", limit: 1 });
  expect(cancelled).toMatchObject({ actorId: IDS.alice, detail: { supersededBy: glassUse!.requestId } });
  // `/ops audit` of the closed request says it in words: not a withdrawal.
  const auditFrom = h.ephemeralTexts(IDS.bob).length;
  await h.command(`audit ${cancelled!.requestId}`, { command: "/ops", user: IDS.bob });
  expect(await nextEphemeral(IDS.bob, auditFrom, "Request cancelled")).toContain(
    "superseded: the same change ran with break-glass",
  );

  await h.ops.idle();
  await h.click(closed, APPROVE, IDS.bob);
  await h.ops.idle();
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
});

it("a request of the same servers for another change stays open and is named in the break-glass answer", async () => {
  await h.command("stop web-04 --hard");
  await h.waitCard("/ecs stop web-04 --hard", (t) => t.includes("Approvals: 0 of 1"));
  const from = h.ephemeralTexts(IDS.alice).length;
  await h.command(`reboot web-04 --hard --break-glass "${REASON}"`);
  const answer = await nextEphemeral(IDS.alice, from, "Break-glass: approval skipped", "Not allowed");
  expect(answer).toContain("Another request for these servers is waiting for approval");
  expect(answer).toContain("/ecs stop web-04 --hard");
  expect(answer).not.toContain("I closed");
  const still = await h.waitCard("/ecs stop web-04 --hard");
  expect(textOf(still)).toContain("Approvals: 0 of 1");
});

it("approvers told by direct message read the waiting request superseded, linked to the break-glass request; only requests for the same servers are named", async () => {
  await h.policy.replace(glassPolicy("dm"));
  const reboot = "/ecs reboot web-04 --hard";
  // The same change (closed by the break-glass), another change of the same servers, and an unrelated one.
  await h.command("reboot web-04 --hard");
  const waiting = await h.waitCard(reboot, (t) => t.includes("Approval needed"));
  await h.command("stop web-04 --hard", { user: IDS.dave });
  await h.waitCard("/ecs stop web-04 --hard", (t) => t.includes("Approval needed"));
  await h.command("stop web-03 --hard", { user: IDS.dave });
  await h.waitCard("/ecs stop web-03 --hard", (t) => t.includes("Approval needed"));
  const dmAbout = (channel: string, needle: string) =>
    h.fake.waitFor(() =>
      h.fake.messages(channel).find((m) => textOf(m).includes(reboot) && textOf(m).includes(needle)),
    );
  for (const channel of [IDS.dmBob, IDS.dmCarol]) await dmAbout(channel, "asks for your approval");
  await h.ops.idle();

  const from = h.ephemeralTexts(IDS.alice).length;
  await h.command(`reboot web-04 --hard --break-glass "${REASON}"`);
  const answer = await nextEphemeral(IDS.alice, from, "Break-glass: approval skipped", "Not allowed");
  expect(answer).toContain("I closed");
  expect(answer).toContain(
    "Another request for these servers is waiting for approval: `/ecs stop web-04 --hard`",
  );
  // A pending request for other servers is not the breaker's concern here.
  expect(answer).not.toContain("web-03");

  // The break-glass request's card: the one of the same command that is not the waiting one.
  const glassCard = await h.fake.waitFor(() =>
    h.fake
      .messages(IDS.ops)
      .find((m) => m.ts !== waiting.ts && textOf(m).includes(reboot) && textOf(m).includes("Break-glass")),
  );
  const glassLink = `https://hwc-fake.slack.com/archives/${IDS.ops}/p${glassCard.ts.replace(".", "")}`;
  const card = await h.fake.waitFor(() => {
    const found = h.fake.messages(IDS.ops).find((m) => m.ts === waiting.ts);
    return found && textOf(found).includes("Superseded") ? textOf(found) : undefined;
  });
  expect(card).toContain(":fast_forward: *Superseded by break-glass:*");
  expect(card).toContain(
    `Superseded: <@${IDS.alice}> ran this change with break-glass (<${glassLink}|the break-glass request>). Nothing will run from this request; it needs no approval.`,
  );
  expect(card).not.toContain("Cancelled");
  for (const channel of [IDS.dmBob, IDS.dmCarol]) {
    const dm = textOf(await dmAbout(channel, "No longer waiting for you"));
    expect(dm).toContain(
      `:fast_forward: No longer waiting for you: <@${IDS.alice}>'s request \`${reboot}\` was superseded: <@${IDS.alice}> ran this change with break-glass (<${glassLink}|the break-glass request>). Your approval is no longer needed`,
    );
    expect(dm).not.toContain("cancelled");
  }
  // The other two still wait, their cards and messages untouched.
  expect(textOf(await h.waitCard("/ecs stop web-04 --hard"))).toContain("Approval needed");
  expect(textOf(await h.waitCard("/ecs stop web-03 --hard"))).toContain("Approval needed");
});

it("the alert and /ops audit break-glass name the servers the typed command meant", async () => {
  const id = h.serverId("web-04");
  await h.command(`reboot web-04 --hard --break-glass "${REASON}"`);
  const alert = await h.fake.waitFor(() =>
    h.fake.messages(IDS.prod).find((m) => textOf(m).includes("/ecs reboot web-04 --hard")),
  );
  expect(textOf(alert)).toContain(`on \`web-04\` (\`${id.slice(0, 8)}…\`) without approval`);
  const from = h.ephemeralTexts(IDS.bob).length;
  await h.command("audit break-glass", { command: "/ops", user: IDS.bob });
  expect(await nextEphemeral(IDS.bob, from, "Break-glass uses")).toContain(
    `\`/ecs reboot web-04 --hard\` on \`web-04\` (\`${id.slice(0, 8)}…\`)`,
  );
});

it("a denial the requester may break the glass on says so; a too-short reason says what happens without it", async () => {
  // Alice is the only approver: nobody else could approve her hard reboot.
  await h.setUserGroupMembers("ops-approvers", [IDS.alice]);
  let from = h.ephemeralTexts(IDS.alice).length;
  await h.command("reboot web-04 --hard");
  const denied = await nextEphemeral(IDS.alice, from, "Not allowed");
  expect(denied).toContain(
    'In an emergency you may run it now with `--break-glass "&lt;reason&gt;"` (it alerts',
  );
  expect(denied).toContain(`<#${IDS.prod}>`);

  from = h.ephemeralTexts(IDS.alice).length;
  await h.command('reboot web-04 --hard --break-glass "urgent"');
  const short = await nextEphemeral(IDS.alice, from, "Not allowed");
  expect(short).toContain("at least 15 characters");
  expect(short).toContain("is not allowed either");
  expect(short).not.toContain("waits for approval when the policy asks for one");

  // Dave is not in @sre: no break-glass line for him.
  from = h.ephemeralTexts(IDS.dave).length;
  await h.command("reboot web-04 --hard", { user: IDS.dave });
  expect(await nextEphemeral(IDS.dave, from, "Not allowed", "approval")).not.toContain("In an emergency");
});
