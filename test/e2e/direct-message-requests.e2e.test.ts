/**
 * Changes asked in a direct conversation with the bot (its Messages tab, or a group DM), end to end over signed
 * HTTP with the shipped policy: what needs approval, or breaks the glass, is refused there with what to do
 * (nobody else could see its card: it would expire unseen), nothing recorded, posted or sent to the cloud; what
 * the policy allows outright runs and reports in the DM; a read answers as anywhere.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { sendSlashCommand } from "../helpers/slack-requests.js";
import { type ApprovalHarness, startApprovalHarness } from "../helpers/start-approval-harness.js";
import { IDS, latestCard, type OperationsHarness, textOf } from "./helpers/operations-harness.js";

const MINUTE = 60_000;
/** A group DM of Alice, Bob and Carol, as Slack names one in a slash command; the bot is not a member. */
const GROUP_DM = { id: "G0MPIM0001", name: "mpdm-alice--bob--carol-1" };

type AuditRecord = Awaited<ReturnType<OperationsHarness["audit"]["query"]>>[number];

let h: ApprovalHarness;
beforeAll(async () => {
  h = await startApprovalHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.reset());

/** The next ephemeral to Alice after `before` of them. */
function toAlice(before: number): Promise<string> {
  return h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).slice(before)[0]);
}

/** The request's card in Alice's DM, once `check` holds. */
function inDm(command: string, check: (text: string) => boolean) {
  return h.fake.waitFor(() => latestCard(h.fake, command, check, IDS.dmAlice));
}

/** Every message the bot posted (channels and DMs), and every direct message it opened. */
function botPosts(): string[] {
  return h.fake
    .world()
    .channels.flatMap((c) => h.fake.messages(c.id, { includeReplies: true }))
    .filter((m) => m.user === IDS.bot)
    .map(textOf);
}

/** Audit entries written since `seq` (exclusive), oldest first. */
async function auditSince(since: AuditRecord | undefined): Promise<AuditRecord[]> {
  const all = await h.audit.query({ userId: IDS.alice, limit: 50 });
  return all.filter((e) => since === undefined || e.seq > since.seq).reverse();
}

async function lastAudit(): Promise<AuditRecord | undefined> {
  return (await h.audit.query({ userId: IDS.alice, limit: 1 }))[0];
}

/** Refused, recorded as not requested after its decision, nothing posted anywhere, nothing sent to the cloud. */
async function expectRefusedNothingDone(since: AuditRecord | undefined, told: string): Promise<void> {
  expect(told).toContain("nothing was requested, nothing changed");
  expect(told).not.toContain("I posted it");
  await h.bot.idle();
  await h.ops.idle();
  expect(botPosts()).toEqual([]);
  expect(h.mutations()).toEqual([]);
  const entries = await auditSince(since);
  expect(entries.map((e) => e.type)).toEqual(["policy.decided", "request.refused"]);
  expect(entries[1]?.detail).toMatchObject({
    refusedBy: "direct_message",
    reference: entries[0]?.detail?.reference,
  });
}

it("from the bot's Messages tab, a delete needing 2 approvals is refused: ask in a channel your approvers are in", async () => {
  const since = await lastAudit();
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command("delete web-03", { channel: IDS.dmAlice });
  const told = await toAlice(before);
  expect(told).toContain(
    "`/ecs delete web-03` needs 2 approvals from `@ops-approvers`, who cannot see our direct messages, where its card would be posted. Ask in a channel your approvers are in — nothing was requested, nothing changed.",
  );
  await expectRefusedNothingDone(since, told);
  expect(h.sim.control.server("web-03")).toBeDefined();
});

it("with notify_approvers: dm, no approver is sent a link to the requester's DM", async () => {
  await h.policy.replace(h.shipped.replace("  notify_approvers: mention\n", "  notify_approvers: dm\n"));
  const since = await lastAudit();
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command("reboot web-01 --hard", { channel: IDS.dmAlice });
  const told = await toAlice(before);
  expect(told).toContain("needs 2 approvals from `@ops-approvers`");
  await expectRefusedNothingDone(since, told);
  expect(h.fake.messages(IDS.dmBob)).toEqual([]);
  expect(h.fake.messages(IDS.dmCarol)).toEqual([]);
});

it("from a group DM (`mpdm-…`), a change needing approval is refused the same way", async () => {
  const since = await lastAudit();
  const before = h.ephemeralTexts(IDS.alice).length;
  const payload = h.fake.buildSlashCommand({ text: "delete web-03", channel: GROUP_DM.id, user: IDS.alice });
  const sent = await sendSlashCommand(h.eventsUrl, h.fake.signingSecret, {
    ...payload,
    channel_name: GROUP_DM.name,
  });
  expect(sent.status).toBe(200);
  const told = await toAlice(before);
  expect(told).toContain("who cannot see this group conversation");
  expect(told).toContain("Ask in a channel your approvers are in");
  await expectRefusedNothingDone(since, told);
});

it("a scheduled change needing approval is refused from a DM; one the policy allows is scheduled there, said to be here", async () => {
  const at = new Date(h.clock.now() + 180 * MINUTE).toISOString().replace(/\.\d+Z$/, "Z");
  const since = await lastAudit();
  let before = h.ephemeralTexts(IDS.alice).length;
  await h.command(`reboot web-01 --hard --at ${at}`, { channel: IDS.dmAlice });
  const refused = await toAlice(before);
  expect(refused).toContain(`\`/ecs reboot web-01 --hard --at ${at}\` needs 2 approvals`);
  await expectRefusedNothingDone(since, refused);

  before = h.ephemeralTexts(IDS.alice).length;
  await h.command(`stop web-03 --at ${at}`, { channel: IDS.dmAlice });
  const notice = await toAlice(before);
  expect(notice).toContain(
    "I posted it here, in our direct messages; until then you can cancel it from its card.",
  );
  expect(notice).not.toContain("in the channel");
  await inDm(`/ecs stop web-03 --at ${at}`, (t) => t.includes("Scheduled:"));
  expect(h.mutations()).toEqual([]);
});

it("break-glass from a DM is refused: its reviewers could not open its thread; no alert, nothing run", async () => {
  await h.policy.replace(`${h.shipped.replace(/^# break_glass:[\s\S]*?(?=^\S)/m, "")}
break_glass:
  groups: [sre]
  alert_channel: ${IDS.prod}
  remind_every: 1h
`);
  const since = await lastAudit();
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command(`delete web-03 --break-glass "web tier down, INC-4711 rollback"`, { channel: IDS.dmAlice });
  const told = await toAlice(before);
  expect(told).toContain(
    `\`/ecs delete web-03\` breaks the glass: its use is reviewed in <#${IDS.prod}>, where nobody could open its thread in our direct messages. Break the glass in a channel instead — nothing was requested, nothing changed.`,
  );
  await expectRefusedNothingDone(since, told);
  expect((await h.audit.query({ type: "break_glass.used", limit: 1 })).length).toBe(0);
});

it("a change the policy allows outright runs from the DM: its card, thread and outcome are there", async () => {
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command("stop web-04", { channel: IDS.dmAlice });
  const card = await inDm("/ecs stop web-04", (t) => t.includes("Done"));
  await h.ops.idle();
  expect(h.mutations("batchStopServers")).toHaveLength(1);
  expect(h.sim.control.server("web-04")?.status).toBe("SHUTOFF");
  expect(h.replies(card).length).toBeGreaterThan(0);
  // Nothing about it anywhere else, and the requester was not told of a channel.
  const elsewhere = h.fake
    .world()
    .channels.filter((c) => c.id !== IDS.dmAlice)
    .flatMap((c) => h.fake.messages(c.id))
    .filter((m) => m.user === IDS.bot);
  expect(elsewhere).toEqual([]);
  expect(h.ephemeralTexts(IDS.alice).slice(before).join("\n")).not.toContain("in the channel");
});

it("a read from the DM answers as anywhere", async () => {
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command("show web-01", { channel: IDS.dmAlice });
  const answer = await toAlice(before);
  expect(answer).toContain("web-01");
  expect(answer).not.toContain("nothing was requested");
});

it("a dry run of a change needing approval answers in the DM: it requests nothing", async () => {
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command("resize web-03 s6.large.2 --dry-run", { channel: IDS.dmAlice });
  const answer = await toAlice(before);
  expect(answer).toContain("Dry run");
  expect(answer).not.toContain("nothing was requested");
  expect(h.mutations()).toEqual([]);
});

it("a recurring schedule (which always needs approval) is refused from a DM, nothing posted", async () => {
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command('schedule add "0 19 * * 2" tz=Europe/Berlin /ecs reboot web-01 --hard', {
    channel: IDS.dmAlice,
    command: "/ops",
  });
  const told = await toAlice(before);
  expect(told).toContain("who cannot see our direct messages, where its card would be posted");
  expect(told).toContain("Ask in a channel your approvers are in — nothing was requested, nothing changed.");
  await h.bot.idle();
  await h.ops.idle();
  expect(botPosts()).toEqual([]);
});
