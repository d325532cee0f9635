/**
 * Approvers are asked when it is their turn, and only then, over signed HTTP against the fake Slack and the
 * simulated cloud: a staged request (team lead @ops-approvers, then security @sre) is offered on the Home tab
 * and in `/ops approvals` only to the stage it waits on, names that stage and its own expiry; the first post
 * mentions (or messages) only the first stage, the approval that completes it mentions (or messages) the next;
 * a stage that runs out says which and after how long; the approvers' direct messages say what is asked (the
 * servers, the approvals so far, until when) and are updated once the request no longer waits; a recurring
 * schedule's request messages its approvers too.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { sendEvent } from "../helpers/slack-requests.js";
import { SOFT_POWER_RULE, stagedRebootPolicy } from "../helpers/staged-reboot-policy.js";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
const CANCEL = "ops.approval.cancel";
const COMMAND = "/ecs reboot web-03 --hard";

/** `/ops approvals` for everyone, as the shipped `reads-open` has it: every `/ops` command needs a rule. */
const OPS_APPROVALS_RULE = `  - id: ops-approvals-open
    description: Anyone may list what they may approve.
    actions: [ops:approvals:list]
    effect: allow
`;
const staged = (notify: "mention" | "dm") => stagedRebootPolicy(notify, SOFT_POWER_RULE + OPS_APPROVALS_RULE);

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
  await resetApprovalWorld(h);
});

/** The user's Home tab, opened now: its text and its action IDs. */
async function openHome(user: string): Promise<{ text: string; actions: string[] }> {
  const before = h.fake.homeView(user)?.history.length ?? 0;
  await sendEvent(h.eventsUrl, h.fake.signingSecret, h.fake.buildAppHomeOpened(user));
  const view = await h.fake.waitFor(() => {
    const v = h.fake.homeView(user);
    return v !== undefined && v.history.length > before ? v : undefined;
  });
  const blocks = view.view.blocks as unknown[];
  return { text: textOf({ blocks }), actions: actionIdsOf({ blocks }) };
}

/** `/ops approvals` as `user`: the ephemeral answer's text. */
async function opsApprovals(user: string): Promise<string> {
  const before = h.ephemeralTexts(user).length;
  await h.command("approvals", { user, command: "/ops" });
  return h.fake.waitFor(() => h.ephemeralTexts(user).slice(before).at(-1));
}

const dmTexts = (channel: string) => h.fake.messages(channel).map((m) => textOf(m));

async function stagedCard(): Promise<FakeSlackMessage> {
  await h.command('reboot web-03 --hard --reason "kernel patch CHG-1"', { user: IDS.dave });
  return h.waitCard(COMMAND, (t) => t.includes("Approval needed"));
}

it("the Home tab and /ops approvals offer a staged request only to the stage it waits on, naming it", async () => {
  await h.policy.replace(staged("mention"));
  const card = await stagedCard();

  // Stage 1: the team leads see it, with the stage, its count and its expiry; security does not, yet.
  const bobHome = await openHome(IDS.bob);
  expect(bobHome.text).toContain(
    "stage *team lead* (1 of 2): 0 of 1 (nobody yet) · the stage expires <!date^",
  );
  expect(bobHome.actions).toContain(APPROVE);
  const erinHome = await openHome(IDS.erin);
  expect(erinHome.text).toContain("Nothing is waiting for your approval.");
  expect(erinHome.actions).not.toContain(APPROVE);
  expect(await opsApprovals(IDS.erin)).not.toContain(COMMAND);
  expect(await opsApprovals(IDS.bob)).toContain("stage *team lead* (1 of 2): 0 of 1");

  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(COMMAND, (t) => t.includes("now: security"));

  // Stage 2: security sees it; Carol, a team lead whose stage is complete, no longer does.
  const erinNow = await openHome(IDS.erin);
  expect(erinNow.text).toContain(
    `stage *security* (2 of 2): 0 of 1 (nobody yet) · the stage expires <!date^`,
  );
  expect(erinNow.actions).toContain(APPROVE);
  expect(await opsApprovals(IDS.erin)).toContain("stage *security* (2 of 2): 0 of 1");
  const carolNow = await openHome(IDS.carol);
  expect(carolNow.text).toContain("Nothing is waiting for your approval.");
  expect(await opsApprovals(IDS.carol)).not.toContain(COMMAND);

  // What the tab offered Erin is what her click does: it counts, and the request runs.
  await h.click(card, APPROVE, IDS.erin);
  await h.waitCard(COMMAND, (t) => t.includes("Done"));
});

it("mention: the first post mentions only the first stage; completing it mentions the next stage in the thread", async () => {
  await h.policy.replace(staged("mention"));
  const card = await stagedCard();
  const first = card.history[0]!;
  const sre = `<!subteam^${IDS.sre}>`;
  expect(first.text).toContain(`<!subteam^${IDS.opsApprovers}>`);
  expect(first.text).not.toContain(sre);
  expect(JSON.stringify(first.blocks)).not.toContain(sre);
  // The card still lists every stage (security by name).
  expect(textOf(card)).toContain("2. security: 0 of 1 from `@sre`");

  await h.click(card, APPROVE, IDS.bob);
  const turn = await h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("which is complete")),
  );
  expect(turn.text).toContain(`<@${IDS.bob}> approved for team lead, which is complete (1 of 2).`);
  expect(turn.text).toContain(
    `Now stage *security* (2 of 2): ${sre}, your approval is wanted (1 needed, until <!date^`,
  );
  expect(h.replies(card).filter((m) => (m.text ?? "").includes(sre))).toHaveLength(1);
  await h.click(card, CANCEL, IDS.dave);
  await h.waitCard(COMMAND, (t) => t.includes("Cancelled"));
});

it("dm: only the first stage is messaged at first; the next stage when it is reached, once; every message is updated at the end", async () => {
  await h.policy.replace(staged("dm"));
  const card = await stagedCard();
  await h.fake.waitFor(() => dmTexts("D_BOB").length > 0 && dmTexts("D_CAROL").length > 0);
  await h.ops.idle();
  expect(dmTexts("D_ERIN")).toEqual([]);
  expect(dmTexts("D_ALICE")).toEqual([]);
  const asked = dmTexts("D_BOB")[0]!;
  // What is asked, in the message itself: the servers, where the approvals stand and until when.
  expect(asked).toContain(`<@${IDS.dave}> asks for your approval: \`${COMMAND}\``);
  expect(asked).toContain("*Why:* kernel patch CHG-1");
  expect(asked).toContain("*Servers (1):* `web-03`");
  expect(asked).toContain("stage *team lead* (1 of 2): 0 of 1 (nobody yet) · the stage expires <!date^");

  await h.click(card, APPROVE, IDS.bob);
  await h.fake.waitFor(() => dmTexts("D_ERIN").length > 0 && dmTexts("D_ALICE").length > 0);
  await h.ops.idle();
  for (const channel of ["D_ERIN", "D_ALICE"]) {
    expect(dmTexts(channel)).toHaveLength(1);
    expect(dmTexts(channel)[0]).toContain("stage *security* (2 of 2): 0 of 1");
  }
  // Bob approved already; Carol's stage is complete: neither is asked again.
  expect(dmTexts("D_BOB")).toHaveLength(1);
  expect(dmTexts("D_CAROL")).toHaveLength(1);

  await h.click(card, APPROVE, IDS.erin);
  await h.waitCard(COMMAND, (t) => t.includes("Done"));
  await h.ops.idle();
  for (const channel of ["D_BOB", "D_CAROL", "D_ERIN", "D_ALICE"]) {
    const message = await h.fake.waitFor(() =>
      h.fake.messages(channel).find((m) => textOf(m).includes("and run (succeeded)")),
    );
    expect(textOf(message)).toContain(
      `No longer waiting for you: <@${IDS.dave}>'s request \`${COMMAND}\` was approved by <@${IDS.bob}>, <@${IDS.erin}> and run (succeeded).`,
    );
    expect(textOf(message)).not.toContain("asks for your approval");
  }
});

it("dm: a rejected request's messages say who rejected it and why", async () => {
  await h.policy.replace(shipped.replace("  notify_approvers: mention\n", "  notify_approvers: dm\n"));
  await h.command("resize web-04 s6.large.2");
  const card = await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Approval needed"));
  await h.fake.waitFor(() => dmTexts("D_CAROL").length > 0);
  await h.click(card, "ops.approval.reject", IDS.bob);
  const id = /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks))![0];
  await h.submitReason(IDS.bob, id, "wrong flavor <!channel>");
  const updated = await h.fake.waitFor(() =>
    h.fake.messages("D_CAROL").find((m) => textOf(m).includes("No longer waiting for you")),
  );
  expect(textOf(updated)).toContain(`was rejected by <@${IDS.bob}>: wrong flavor`);
  expect(textOf(updated)).not.toContain("<!channel>");
});

it("a stage that runs out says which stage and how long it waited, not the overall limit", async () => {
  await h.policy.replace(staged("mention"));
  const card = await stagedCard();
  h.clock.advance(5 * 60_000);
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(COMMAND, (t) => t.includes("now: security"));
  h.clock.advance(11 * 60_000);
  const expired = await h.fake.waitFor(() => h.replies(card).find((m) => textOf(m).includes("Expired")));
  expect(expired.text).toContain(
    "Expired at stage *security* (2 of 2): it waited 10m with 0 of 1 approvals (team lead complete).",
  );
  expect(expired.text).not.toContain("30m");

  // A click on it now says when it expired in the reader's time, not as ISO 8601.
  await h.click(card, APPROVE, IDS.erin);
  const answer = await h.fake.waitFor(() => h.ephemeralTexts(IDS.erin).find((t) => t.includes("expired")));
  expect(answer).toMatch(/expired at <!date\^\d+\^\{date_short_pretty\} \{time\}\|/);
  expect(answer).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
});

it("dm: a recurring schedule's request messages its approvers like any change", async () => {
  await h.policy.replace(shipped.replace("  notify_approvers: mention\n", "  notify_approvers: dm\n"));
  await h.command('schedule add "0 19 * * 1-5" tz=Europe/Paris /ecs stop tag:env=staging', {
    command: "/ops",
  });
  const card = await h.waitCard("/ecs stop tag:env=staging", (t) => t.includes("Schedule needs approval"));
  const dms = await h.fake.waitFor(() => {
    const bob = dmTexts("D_BOB");
    const carol = dmTexts("D_CAROL");
    return bob.length > 0 && carol.length > 0 ? [...bob, ...carol] : undefined;
  });
  for (const dm of dms) {
    expect(dm).toContain(`<@${IDS.alice}> asks for your approval`);
    expect(dm).toContain("/ecs stop tag:env=staging");
    expect(dm).toContain(`/archives/${IDS.ops}/p${card.ts.replace(".", "")}`);
  }
  expect(dmTexts("D_ALICE")).toEqual([]);
});
