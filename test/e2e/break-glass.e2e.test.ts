/**
 * Break-glass end to end over signed HTTP, with the shipped policy plus a `break_glass:` section (@sre may
 * break the glass; alerts in #prod-ops; reminders every hour): approval skipped and the alert with its review
 * card posted at once, reminders by the injected clock until acknowledged, non-members and short reasons
 * refused, a deny rule and `max_targets` still deny, `/ops audit break-glass` lists the uses. Break-glass is
 * decided on the same facts as the request without it (planned waves, the time it runs: a freeze next month, a
 * window open now), approval skipped and nothing else.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { waitForEphemeral } from "../helpers/wait-for-ephemeral.js";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

const ACK = "ops.breakglass.ack";
const HOUR = 60 * 60_000;
const REASON = "web tier down, INC-4711 rollback";

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
  await h.setUserGroupMembers("sre", [IDS.alice, IDS.erin]);
  await h.policy.replace(`${shipped.replace(/^# break_glass:[\s\S]*?(?=^\S)/m, "")}
break_glass:
  groups: [sre]
  alert_channel: ${IDS.prod}
  remind_every: 1h
`);
});

const ephemeral = (user: string, needle: string) => waitForEphemeral(h, user, needle);

/** The newest alert card in #prod-ops about `command`. */
function alert(command: string, check: (text: string) => boolean = () => true): Promise<FakeSlackMessage> {
  return h.fake.waitFor(() => {
    const found = h.fake
      .messages(IDS.prod)
      .filter((m) => m.user === IDS.bot && textOf(m).includes(command))
      .at(-1);
    return found && check(textOf(found)) ? found : undefined;
  });
}

function reminders(card: FakeSlackMessage): FakeSlackMessage[] {
  return h.replies(card).filter((m) => textOf(m).includes("still needs review"));
}

it("a member breaks the glass on a delete needing 2 approvals: it runs at once, alert and review card posted, audit marked", async () => {
  const web03 = h.serverId("web-03");
  await h.command(`delete web-03 --break-glass "${REASON}"`);
  const card = await alert("/ecs delete web-03");
  const text = textOf(card);
  expect(text).toContain(`<@${IDS.alice}> ran`);
  expect(text).toContain(REASON);
  expect(text).toContain("the request's thread");
  expect(JSON.stringify(card.blocks)).toContain("/archives/");
  expect(text).toContain("Needs review");
  // The reviewers' group is a real mention (Slack notifies its members), not its name as text.
  expect(text).toContain(`Needs review by <!subteam^${IDS.opsApprovers}>`);
  expect(actionIdsOf(card)).toEqual([ACK]);
  expect(await ephemeral(IDS.alice, "Break-glass: approval skipped")).toContain(`<#${IDS.prod}>`);

  const done = await h.waitCard("/ecs delete web-03", (t) => t.includes("Done"));
  expect(textOf(done)).toContain("Break-glass");
  expect(textOf(done)).not.toContain("--break-glass");
  await h.ops.idle();
  expect(h.sim.control.server(web03)).toBeUndefined();
  expect(h.mutations("deleteServers")).toHaveLength(1);

  const [used] = await h.audit.query({ type: "break_glass.used", limit: 1 });
  expect(used).toMatchObject({ actorId: IDS.alice, serverIds: [web03], message: REASON });
  const requestId = used?.requestId ?? "";
  const [created] = await h.audit.query({ type: "request.created", requestId, limit: 1 });
  expect(created?.detail).toMatchObject({ breakGlass: true, reason: REASON });
  const [started] = await h.audit.query({ type: "execution.started", requestId, limit: 1 });
  expect(started?.detail).toMatchObject({ breakGlass: true });
  const [decided] = await h.audit.query({ type: "policy.decided", userId: IDS.alice, limit: 1 });
  expect(decided).toMatchObject({ decision: "allow" });
  expect(decided?.detail).toMatchObject({ breakGlass: { reason: REASON, accepted: true } });
});

it("reminders every hour until acknowledged (one per period, missed periods collapse); only a reviewer acknowledges", async () => {
  await h.command(`reboot web-04 --hard --break-glass "${REASON}"`, { user: IDS.erin });
  const card = await alert("/ecs reboot web-04 --hard");
  // The command's work records the posted card after posting it; a pass before that would post it again.
  await h.bot.idle();
  await h.ops.idle();
  await h.ops.remindBreakGlass();
  expect(reminders(card)).toHaveLength(0);

  // Earlier tests' uses are open too: each gets its reminder, once per period.
  h.clock.advance(HOUR);
  expect(await h.ops.remindBreakGlass()).toBeGreaterThanOrEqual(1);
  expect(await h.ops.remindBreakGlass()).toBe(0);
  await h.fake.waitFor(() => reminders(card).length === 1 || undefined);
  // A reminder pages the reviewers: their group is mentioned, not named as text.
  expect(textOf(reminders(card)[0])).toContain(
    `<!subteam^${IDS.opsApprovers}>, break-glass by <@${IDS.erin}> (\`/ecs reboot web-04 --hard\`) still needs review after 1h`,
  );

  h.clock.advance(3 * HOUR + 60_000);
  await h.ops.remindBreakGlass();
  expect(await h.ops.remindBreakGlass()).toBe(0);
  expect(reminders(card)).toHaveLength(2);

  // Erin broke the glass; Dave reviews nothing; Bob (@ops-approvers, the default reviewers) acknowledges.
  await h.click(card, ACK, IDS.erin, IDS.prod);
  expect(await ephemeral(IDS.erin, "someone else reviews it")).toBeTruthy();
  await h.click(card, ACK, IDS.dave, IDS.prod);
  expect(await ephemeral(IDS.dave, "Only members of @ops-approvers")).toBeTruthy();
  await h.command("audit break-glass", { command: "/ops", user: IDS.bob });
  expect(await ephemeral(IDS.bob, "Break-glass uses")).toContain("not reviewed");

  await h.click(card, ACK, IDS.bob, IDS.prod);
  expect(await ephemeral(IDS.bob, "Acknowledged")).toBeTruthy();
  const reviewed = await alert("/ecs reboot web-04 --hard", (t) => t.includes("acknowledged by"));
  expect(textOf(reviewed)).toContain(`acknowledged by <@${IDS.bob}>`);
  expect(actionIdsOf(reviewed)).toEqual([]);
  await h.click(card, ACK, IDS.carol, IDS.prod);
  expect(await ephemeral(IDS.carol, "Already acknowledged")).toContain(`<@${IDS.bob}>`);

  h.clock.advance(5 * HOUR);
  await h.ops.remindBreakGlass();
  expect(reminders(card)).toHaveLength(2);
  const [acked] = await h.audit.query({ type: "break_glass.acknowledged", limit: 1 });
  expect(acked).toMatchObject({ actorId: IDS.bob, requesterId: IDS.erin });

  await h.command("audit break-glass", { command: "/ops", user: IDS.carol });
  const list = await ephemeral(IDS.carol, "Break-glass uses");
  expect(list).toContain(`acknowledged by <@${IDS.bob}>`);
  expect(list).toContain("/ecs reboot web-04 --hard");
});

it("a non-member is refused with the reason, and nothing is created or run", async () => {
  const before = h.fake.messages(IDS.ops).length;
  await h.command(`delete web-03 --break-glass "${REASON}"`, { user: IDS.dave });
  const text = await ephemeral(IDS.dave, "Not allowed");
  expect(text).toContain("break-glass is only for members of @sre, and you are not one");
  // A rule allows the delete with approval: the refusal is of break-glass, not of the command.
  expect(text).not.toMatch(/no rule (of the policy )?allows it/i);
  expect(h.fake.messages(IDS.ops)).toHaveLength(before);
  expect(h.fake.messages(IDS.prod).filter((m) => textOf(m).includes("delete web-03 --break"))).toHaveLength(
    0,
  );
  const [decided] = await h.audit.query({ type: "policy.decided", userId: IDS.dave, limit: 1 });
  expect(decided).toMatchObject({ decision: "deny" });
});

it("a reason under 15 characters is refused, saying how long it must be", async () => {
  await h.command('stop web-03 --hard --break-glass "urgent"', { user: IDS.erin });
  const short = await ephemeral(IDS.erin, "at least 15 characters");
  expect(short).toContain("yours has 6");
  // The example can be copied: a code span, not look-alike characters.
  expect(short).toContain('e.g. `--break-glass "web tier down, INC-4711"`');
  await h.command("stop web-03 --hard --break-glass", { user: IDS.erin });
  expect(await ephemeral(IDS.erin, "needs a reason")).toContain('`--break-glass "web tier down, INC-4711"`');
});

it("a deny rule and max_targets still deny with break-glass", async () => {
  await h.policy.replace(`${shipped.replace("\n      max_targets: 10\n", "\n      max_targets: 3\n")}
  - id: databases-stay
    description: Databases are never deleted from chat.
    actions: [ecs:cloudServers:delete]
    match: { targets: { names: ["db-*"] } }
    effect: { deny: "Databases are deleted by the DBA team, not from chat." }
break_glass:
  groups: [sre]
  alert_channel: ${IDS.prod}
`);
  await h.command(`delete db-01 --break-glass "${REASON}"`, { user: IDS.erin });
  expect(await ephemeral(IDS.erin, "DBA team")).toContain("Not allowed");
  await h.command(`delete web-01 web-02 web-03 web-04 --break-glass "${REASON}"`, { user: IDS.erin });
  expect(await ephemeral(IDS.erin, "at most 3 per request")).toBeTruthy();
  await h.ops.idle();
  expect(h.mutations("deleteServers")).toHaveLength(0);
  const alerts = h.fake.messages(IDS.prod).map((m) => textOf(m));
  expect(alerts.filter((t) => t.includes("delete db-01") || t.includes("delete web-01 web-02"))).toEqual([]);
});

it("--break-glass on a command that changes nothing is refused", async () => {
  await h.command(`list --break-glass "${REASON}"`, { user: IDS.erin });
  expect(await ephemeral(IDS.erin, "only applies to commands that change servers")).toBeTruthy();
});

const MINUTE = 60_000;
const GLASS = `break_glass:
  groups: [sre]
  alert_channel: ${IDS.prod}
`;
/** An ISO time `minutes` from the harness clock's now. */
const iso = (minutes: number) => new Date(h.clock.now() + minutes * MINUTE).toISOString();
/** The shipped policy (break-glass section removed) with `calendar` added to its calendars. */
function withCalendar(calendar: string): string {
  return shipped
    .replace(/^# break_glass:[\s\S]*?(?=^\S)/m, "")
    .replace(/^calendars:\n/m, `calendars:\n${calendar}`);
}
/** The first ephemeral to `user` after the `from`th that includes one of `needles`. */
function nextEphemeral(user: string, from: number, ...needles: string[]): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .ephemeralTexts(user)
      .slice(from)
      .find((t) => needles.some((n) => t.includes(n))),
  );
}

it("with compliant --waves, break-glass skips approval and runs in the waves planned, as the request would", async () => {
  await h.policy.replace(`${withCalendar("")}
  - id: big-reboots-in-waves
    description: Reboots of three or more servers go in waves.
    actions: [ecs:cloudServers:reboot]
    match: { target_count: { min: 3 } }
    effect:
      require_waves: { min_waves: 3, max_failures: "1" }
${GLASS}`);
  const cmd = "reboot web-03 web-04 cache-02 --hard --waves 3 --max-failures 1";
  let from = h.ephemeralTexts(IDS.erin).length;
  await h.command(`policy explain /ecs ${cmd}`, { command: "/ops", user: IDS.erin });
  expect(await nextEphemeral(IDS.erin, from, "Needs", "Denied")).toContain("Runs in at least 3 waves");

  from = h.ephemeralTexts(IDS.erin).length;
  await h.command(`${cmd} --break-glass "${REASON}"`, { user: IDS.erin });
  const answer = await nextEphemeral(IDS.erin, from, "Break-glass: approval skipped", "Not allowed");
  expect(answer).toContain("Break-glass: approval skipped");
  const card = await h.waitCard(`/ecs ${cmd}`);
  expect(textOf(card)).toContain("3 waves (1, 1, 1 servers)");
  await h.waitCard(`/ecs ${cmd}`, (t) => t.includes("Done"));
  await h.ops.idle();
  expect(h.mutations("batchRebootServers")).toHaveLength(3);

  // Without the waves it is refused, break-glass or not: it skips approval, nothing else.
  from = h.ephemeralTexts(IDS.erin).length;
  await h.command(`reboot web-03 web-04 cache-02 --hard --break-glass "${REASON}"`, { user: IDS.erin });
  expect(await nextEphemeral(IDS.erin, from, "Break-glass: approval skipped", "Not allowed")).toContain(
    "must run in at least 3 waves",
  );
});

it("a freeze next month does not refuse break-glass today; in the freeze it does", async () => {
  await h.policy.replace(`${withCalendar(`  test-freeze:
    kind: freeze
    description: A freeze next month.
    events:
      - { start: "${iso(60 * 24 * 30)}", end: "${iso(60 * 24 * 31)}" }
`)}
  - id: freeze-denies-power
    description: No power changes during the freeze.
    actions: [ecs:cloudServers:stop, ecs:cloudServers:reboot]
    match: { during: [test-freeze] }
    effect: { deny: "Changes are frozen." }
${GLASS}`);
  let from = h.ephemeralTexts(IDS.erin).length;
  await h.command(`reboot web-04 --hard --break-glass "${REASON}"`, { user: IDS.erin });
  expect(await nextEphemeral(IDS.erin, from, "Break-glass: approval skipped", "Not allowed")).toContain(
    "Break-glass: approval skipped",
  );
  await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Done"));
  await h.ops.idle();

  h.clock.advance(30 * 24 * 60 * MINUTE + 60 * MINUTE);
  from = h.ephemeralTexts(IDS.erin).length;
  await h.command(`reboot web-04 --hard --break-glass "${REASON}"`, { user: IDS.erin });
  expect(await nextEphemeral(IDS.erin, from, "Break-glass: approval skipped", "Not allowed")).toContain(
    "Changes are frozen.",
  );
});

it("a rule granting only in a window grants break-glass while the window is open", async () => {
  await h.policy.replace(`${withCalendar(`  now-window:
    kind: window
    description: A window open now.
    events:
      - { start: "${iso(-10)}", end: "${iso(120)}" }
`).replace(
    "    actions: [ecs:cloudServers:migrate]\n",
    "    actions: [ecs:cloudServers:migrate]\n    match: { during: [now-window] }\n",
  )}
${GLASS}`);
  // On a dedicated host, so a migrate without --dedicated-host (back to the public pool) passes its preflight.
  h.sim.control.setServer(h.serverId("web-04"), { dedicatedHostId: h.sim.control.dedicatedHosts()[0]! });
  let from = h.ephemeralTexts(IDS.erin).length;
  await h.command("policy explain /ecs migrate web-04", { command: "/ops", user: IDS.erin });
  expect(await nextEphemeral(IDS.erin, from, "Needs", "Denied")).toContain("Needs 1 approval");
  from = h.ephemeralTexts(IDS.erin).length;
  await h.command(`migrate web-04 --break-glass "${REASON}"`, { user: IDS.erin });
  expect(await nextEphemeral(IDS.erin, from, "Break-glass: approval skipped", "Not allowed")).toContain(
    "Break-glass: approval skipped",
  );
  const card = await h.waitCard("/ecs migrate web-04", (t) => t.includes("*Break-glass:* approval skipped"));
  expect(textOf(card)).toContain(`<@${IDS.erin}> asked to *migrate* web-04`);
});
