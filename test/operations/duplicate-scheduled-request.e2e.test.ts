/**
 * One open request per intent for scheduled changes, end to end over signed Slack requests against the simulated
 * cloud: a change approved and waiting for its window, asked again (by its requester or by someone else in the
 * same channel), is answered with a link to it and when it runs, and nothing new is requested; at the window's
 * opening it runs once. Cancelled, it is asked again as a new request. Time moves only through the injected clock.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { type ApprovalService, createApprovalService } from "../../src/approvals/approval-service.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import {
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";
import { testCalendarsYaml } from "../helpers/test-calendars.js";

const MINUTE = 60_000;
const APPROVE = "ops.approval.approve";
const CANCEL = "ops.approval.cancel";

let h: OperationsHarness;
let shipped: string;
/** The bot's requests, read from its store. */
let approvals: ApprovalService;
let testStart: number;

beforeAll(async () => {
  h = await startOperationsHarness();
  approvals = createApprovalService({ store: h.store, clock: h.clock, audit: h.audit });
  shipped = await readFile("flows/policy.yml", "utf8");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  // The store outlives each test: a scheduled change a test left approved is cancelled, as its requester would.
  for (const request of await approvals.listByStatus("approved"))
    await approvals.act(
      request.id,
      { type: "cancel", userId: request.requester.userId },
      { isApprover: false },
    );
  await resetApprovalWorld(h);
  // The window `maint` opens in an hour, for an hour; the test freeze is far away.
  await h.policy.replace(
    shipped.replace(/^calendars:\n/m, testCalendarsYaml(h.clock.now(), [5000, 5010], [60, 120])),
  );
  testStart = h.clock.now();
}, 60_000);

const HARD = "reboot web-03 --hard --window maint";
const CARD = "/ecs reboot web-03 --hard --window maint";

const duplicateAnswers = (user: string) =>
  h.ephemeralTexts(user).filter((t) => t.includes("already asked this"));
const requestCards = (needle: string) =>
  h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot && textOf(m).includes(needle));
const refusals = async () =>
  (await h.audit.query({ type: "request.refused", limit: 100 })).filter(
    (e) => e.at >= testStart && e.detail?.refusedBy === "duplicate",
  );
const permalinkOf = (card: FakeSlackMessage) => `/archives/${IDS.ops}/p${card.ts.replace(".", "")}`;

/** Both approve and run at the window's opening: what the periodic pass of the bot does then. */
async function openTheWindow(): Promise<void> {
  h.clock.advance(61 * MINUTE);
  await h.ops.runScheduled();
  await h.ops.idle();
}

it("approved and waiting for its window, asked again with another reason: linked with its schedule, and run once", async () => {
  await h.command(`${HARD} --reason first`);
  const card = await h.waitCard(CARD, (t) => t.includes("0 of 1"));
  expect((await h.click(card, APPROVE, IDS.bob)).status).toBe(200);
  await h.ops.idle();
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Scheduled:"));
  const noticesBefore = h.ephemeralTexts(IDS.alice).filter((t) => t.includes("needs 1 approval before"));
  expect(noticesBefore).toHaveLength(1);

  await h.command(`${HARD} --reason second`);
  const answer = await h.fake.waitFor(() => duplicateAnswers(IDS.alice)[0]);
  await h.bot.idle();
  expect(answer).toMatch(
    /:information_source: You already asked this at <!date\^\d+\^\{time\}\|[^>]+>: <https:\/\/[^|]+/,
  );
  expect(answer).toContain(`${permalinkOf(card)}|your request>; it is approved. Runs <!date^`);
  expect(answer).toContain("when the maintenance window `maint` opens (it must start before <!date^");
  expect(answer).toContain("To run it at another time, cancel it first (from its card), then ask again.");
  expect(answer).toContain("Nothing new was requested.");

  // Nothing was posted or recorded for the second ask: no card for Carol to approve, no second notice.
  expect(requestCards(CARD)).toHaveLength(1);
  expect(h.ephemeralTexts(IDS.alice).filter((t) => t.includes("needs 1 approval before"))).toHaveLength(1);
  expect(await approvals.listPending()).toHaveLength(0);
  expect(await approvals.listByStatus("approved")).toHaveLength(1);
  const refused = await refusals();
  expect(refused).toHaveLength(1);
  expect(refused[0]?.detail?.reason).toMatch(/already asked by apr_\S+, approved and waiting for its time/);
  // `/ops jobs` lists one scheduled change, not two identical ones.
  const n = h.ephemeralTexts(IDS.dave).length;
  await h.command("jobs", { command: "/ops", user: IDS.dave });
  const jobs = await h.fake.waitFor(() => h.ephemeralTexts(IDS.dave).slice(n)[0]);
  expect(jobs).toContain("*Scheduled* (1)");

  await openTheWindow();
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Done"));
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
});

it("someone else asking the very same scheduled change is told whose it is; another server is another change", async () => {
  await h.command(HARD);
  const card = await h.waitCard(CARD, (t) => t.includes("0 of 1"));
  expect((await h.click(card, APPROVE, IDS.carol)).status).toBe(200);
  await h.ops.idle();
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Scheduled:"));

  await h.command(`${HARD} --reason "also me"`, { user: IDS.erin });
  const answer = await h.fake.waitFor(() => duplicateAnswers(IDS.erin)[0]);
  await h.bot.idle();
  expect(answer).toContain(`<@${IDS.alice}> already asked this at <!date^`);
  expect(answer).toContain(`${permalinkOf(card)}|their request>; it is approved. Runs <!date^`);
  expect(answer).toContain(`<@${IDS.alice}> or an approver must cancel it first (from its card).`);
  expect(requestCards(CARD)).toHaveLength(1);

  await h.command("reboot web-04 --hard --window maint", { user: IDS.erin });
  await h.waitCard("/ecs reboot web-04 --hard --window maint", (t) => t.includes("0 of 1"));
  expect(await approvals.listPending()).toHaveLength(1);
});

it("cancelled before its window, the same change asked again is a new request", async () => {
  await h.command(HARD);
  const card = await h.waitCard(CARD, (t) => t.includes("0 of 1"));
  expect((await h.click(card, APPROVE, IDS.bob)).status).toBe(200);
  await h.ops.idle();
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Scheduled:"));
  expect((await h.click(card, CANCEL, IDS.alice)).status).toBe(200);
  await h.ops.idle();
  expect(await approvals.listByStatus("approved")).toHaveLength(0);

  await h.command(HARD);
  await h.fake.waitFor(() => (requestCards(CARD).length === 2 ? true : undefined));
  await h.bot.idle();
  expect(await approvals.listPending()).toHaveLength(1);
  expect(duplicateAnswers(IDS.alice)).toHaveLength(0);
});

it("allowed without approval and scheduled, asked twice: one change scheduled, run once", async () => {
  await h.command("reboot web-03 --window maint");
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Scheduled: Runs")));
  await h.ops.idle();
  await h.command('reboot web-03 --window maint --reason "again"');
  const answer = await h.fake.waitFor(() => duplicateAnswers(IDS.alice)[0]);
  await h.bot.idle();
  expect(answer).toContain("; the policy allows it without approval. Runs <!date^");
  expect(await approvals.listByStatus("approved")).toHaveLength(1);

  await openTheWindow();
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Done"));
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
});
