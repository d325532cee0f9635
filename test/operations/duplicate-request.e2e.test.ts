/**
 * One pending request per intent, end to end over signed Slack requests against the simulated cloud: a change
 * asked again by the same person in the same channel while the first waits for approval (a command pasted
 * twice) makes no second card, and the answer links the first. Once the first is decided (rejected, expired),
 * or for other servers, a new request is made.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { type ApprovalService, createApprovalService } from "../../src/approvals/approval-service.js";
import {
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

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
  // The store outlives each test: what a test left waiting is cancelled by its requester, as a click would.
  for (const request of await approvals.listPending())
    await approvals.act(
      request.id,
      { type: "cancel", userId: request.requester.userId },
      { isApprover: false },
    );
  await resetApprovalWorld(h);
  await h.policy.replace(shipped);
  testStart = h.clock.now();
}, 60_000);

// web-01 and web-02 are prod: a reboot of them needs one approval.
const REBOOT = 'reboot web-01 web-02 --reason "INC-9: web tier unhealthy"';
const CARD = "/ecs reboot web-01 web-02";

const pendingCards = (needle: string) =>
  h.fake
    .messages(IDS.ops)
    .filter((m) => m.user === IDS.bot && textOf(m).includes(needle) && textOf(m).includes("Approval needed"));
const idOf = (card: { blocks?: unknown[] }) => /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks))![0];
const duplicateAnswers = () =>
  h.ephemeralTexts(IDS.alice).filter((t) => t.includes("You already asked this"));
/** This test's audit entries of a type (the audit log outlives each test). */
const audited = async (type: "request.created" | "request.refused") =>
  (await h.audit.query({ type, limit: 100 })).filter((e) => e.at >= testStart);
const refusals = async () =>
  (await audited("request.refused")).filter((e) => e.detail?.refusedBy === "duplicate");

it("pasted twice: one card, and the second answer links it; a new --reason is the same request", async () => {
  await h.command(REBOOT);
  const card = await h.waitCard(CARD, (t) => t.includes("Approval needed"));
  const permalink = `/archives/${IDS.ops}/p${card.ts.replace(".", "")}`;

  await h.command(REBOOT);
  const answer = await h.fake.waitFor(() => duplicateAnswers()[0]);
  await h.bot.idle();
  expect(answer).toMatch(
    /:information_source: You already asked this at <!date\^\d+\^\{time\}\|[^>]+>: <https:\/\/[^|]+/,
  );
  expect(answer).toContain(`${permalink}|your request>`);
  expect(answer).toContain(
    "it is waiting for approval (it still needs 1 approval). Nothing new was requested.",
  );

  // The reason is not part of what is approved: asked with another one, it is still the same change.
  await h.command('reboot web-02, web-01 --reason "INC-9: still down"');
  await h.fake.waitFor(() => duplicateAnswers().length === 2 || undefined);
  await h.bot.idle();

  expect(pendingCards(CARD)).toHaveLength(1);
  const pending = await approvals.listPending();
  expect(pending.map((r) => r.id)).toEqual([idOf(card)]);
  expect(await audited("request.created")).toHaveLength(1);
  // Audited as the other refusals are (`request.refused`), naming the request that waits.
  const refused = await refusals();
  expect(refused).toHaveLength(2);
  expect(refused[0]?.detail?.reason).toContain(idOf(card));
});

it("pasted twice at once: one card whatever the race, and the other answer says it waits", async () => {
  await Promise.all([h.command(REBOOT), h.command(REBOOT)]);
  await h.fake.waitFor(() => duplicateAnswers()[0]);
  await h.waitCard(CARD, (t) => t.includes("Approval needed"));
  await h.bot.idle();
  expect(pendingCards(CARD)).toHaveLength(1);
  expect(await approvals.listPending()).toHaveLength(1);
  const [answer] = duplicateAnswers();
  // Either the card was being posted, or it was there already.
  expect(answer).toMatch(/needs 1 approval/);
  expect(h.ephemeralTexts(IDS.alice).filter((t) => t.includes("Your request needs 1 approval"))).toHaveLength(
    1,
  );
});

it("after the first is rejected, the same change asked again is a new request", async () => {
  await h.command(REBOOT);
  const first = await h.waitCard(CARD, (t) => t.includes("Approval needed"));
  await h.click(first, "ops.approval.reject", IDS.bob);
  await h.submitReason(IDS.bob, idOf(first), "not during the incident call");
  await h.fake.waitFor(
    () => textOf(h.fake.message(first.channel, first.ts)).includes("Rejected") || undefined,
  );

  await h.command(REBOOT);
  const second = await h.fake.waitFor(() => pendingCards(CARD).find((m) => m.ts !== first.ts));
  await h.bot.idle();
  expect(idOf(second)).not.toBe(idOf(first));
  expect((await approvals.listPending()).map((r) => r.id)).toEqual([idOf(second)]);
  expect(duplicateAnswers()).toHaveLength(0);
});

it("after the first expired, the same change asked again is a new request", async () => {
  await h.command(REBOOT);
  const first = await h.waitCard(CARD, (t) => t.includes("Approval needed"));
  const [request] = await approvals.listPending();
  h.clock.advance(request!.expiresAt - h.clock.now() + 1);
  await h.fake.waitFor(
    () => textOf(h.fake.message(first.channel, first.ts)).includes("Expired") || undefined,
  );

  await h.command(REBOOT);
  await h.fake.waitFor(() => pendingCards(CARD).find((m) => m.ts !== first.ts));
  await h.bot.idle();
  expect(await approvals.listPending()).toHaveLength(1);
  expect(duplicateAnswers()).toHaveLength(0);
});

it("other servers, or another requester, make another request", async () => {
  await h.command(REBOOT);
  await h.waitCard(CARD, (t) => t.includes("Approval needed"));
  await h.command('reboot web-01 --reason "INC-9: web tier unhealthy"');
  await h.waitCard("/ecs reboot web-01 ", (t) => t.includes("Approval needed"));
  await h.command(REBOOT, { user: IDS.erin });
  await h.fake.waitFor(() => pendingCards(CARD).length === 2 || undefined);
  await h.bot.idle();
  expect(await approvals.listPending()).toHaveLength(3);
  expect(duplicateAnswers()).toHaveLength(0);
  expect(await refusals()).toHaveLength(0);
});
