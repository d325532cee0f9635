/**
 * The App Home tab end to end, over signed HTTP against the fake Slack and the simulated cloud: what each
 * person sees when they open it, and its Approve / Reject / Cancel buttons, which are the card's (same handler,
 * same checks at click time) and publish the tab again with the answer on top.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackHomeView, FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { readRequestId } from "../helpers/read-request-id.js";
import { redeliver, sendBlockAction, sendEvent } from "../helpers/slack-requests.js";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

/** The request ID on a card's buttons. */

/** Waits for the next version of `user`'s Home tab after `before` versions. */
function nextHome(user: string, before: number): Promise<FakeSlackHomeView> {
  return h.fake.waitFor(() => {
    const home = h.fake.homeView(user);
    return home !== undefined && home.history.length > before ? home : undefined;
  });
}

const versions = (user: string) => h.fake.homeView(user)?.history.length ?? 0;

/** `user` opens the app's Home tab (Slack sends `app_home_opened`); resolves with what the bot published. */
async function openHome(user: string): Promise<FakeSlackHomeView> {
  const before = versions(user);
  const sent = await sendEvent(h.eventsUrl, h.fake.signingSecret, h.fake.buildAppHomeOpened(user));
  expect(sent.status).toBe(200);
  return nextHome(user, before);
}

/** The action ID of the `verb` button for `requestId` in a Home view, or undefined. */
function buttonOf(home: FakeSlackHomeView, verb: "approve" | "reject" | "cancel", requestId: string) {
  for (const block of (home.view.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[]) {
    for (const e of block.elements ?? []) {
      if (e.value === requestId && e.action_id?.startsWith(`ops.approval.${verb}`)) return e.action_id;
    }
  }
  return undefined;
}

/** `clicker` clicks a button of `home` (theirs, unless a test forges a click on someone else's). */
async function clickHome(home: FakeSlackHomeView, actionId: string, clicker = home.user) {
  const before = versions(clicker);
  const sent = await sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({ user: clicker, view: home.view, actions: [{ actionId }] }),
  );
  expect(sent.status).toBe(200);
  return nextHome(clicker, before);
}

const homeText = (home: FakeSlackHomeView) => textOf({ blocks: home.view.blocks as unknown[] });
const permalinkOf = (card: FakeSlackMessage) =>
  `https://hwc-fake.slack.com/archives/${card.channel}/p${card.ts.replace(".", "")}`;

it("each person's Home shows what they may approve, their own open requests and how to use the bot", async () => {
  await h.command("delete web-03");
  const card = await h.waitCard("/ecs delete web-03", (t) => t.includes("Approval needed"));
  const id = readRequestId(card);

  const bobs = await openHome(IDS.bob);
  expect(bobs.view.type).toBe("home");
  const bobText = homeText(bobs);
  expect(bobText).toContain("Waiting for your approval");
  expect(bobText).toContain(`<@${IDS.alice}> asks to *delete* web-03`);
  expect(bobText).toContain(`<${permalinkOf(card)}|Open the card>`);
  expect(bobText).toContain("How to use hwc-chatops");
  expect(buttonOf(bobs, "approve", id)).toBeDefined();
  expect(buttonOf(bobs, "reject", id)).toBeDefined();
  expect(buttonOf(bobs, "cancel", id)).toBeUndefined();

  const alices = await openHome(IDS.alice);
  expect(buttonOf(alices, "approve", id)).toBeUndefined();
  expect(buttonOf(alices, "cancel", id)).toBeDefined();
  expect(homeText(alices)).toMatch(/Your open requests\* \(\d+\)/);
  expect(homeText(alices)).toContain("waiting: approvals 0 of 2");

  const daves = await openHome(IDS.dave);
  expect(homeText(daves)).toContain("Nothing is waiting for your approval.");
  expect(homeText(daves)).toContain("You have no open requests.");
  expect(actionIdsOf({ blocks: daves.view.blocks as unknown[] })).toEqual([]);
});

it("opening the Messages tab changes nothing; a redelivered app_home_opened publishes once", async () => {
  const messages = h.fake.buildAppHomeOpened(IDS.erin, { tab: "messages" });
  expect((await sendEvent(h.eventsUrl, h.fake.signingSecret, messages)).status).toBe(200);
  const first = await sendEvent(h.eventsUrl, h.fake.signingSecret, h.fake.buildAppHomeOpened(IDS.erin));
  await nextHome(IDS.erin, 0);
  const retry = await redeliver(h.eventsUrl, h.fake.signingSecret, first, { retryNum: 1 });
  expect(retry.status).toBe(200);
  await h.ops.idle();
  expect(h.fake.homeView(IDS.erin)?.history).toHaveLength(1);
  expect(h.logs.some((l) => String(l.msg).includes("redelivered Slack request ignored"))).toBe(true);
});

it("Approve on the Home is the card's button: judged at click time, the card updated, the Home refreshed", async () => {
  await h.command("delete web-04");
  const card = await h.waitCard("/ecs delete web-04", (t) => t.includes("Approval needed"));
  const id = readRequestId(card);

  const bobs = await openHome(IDS.bob);
  const approve = buttonOf(bobs, "approve", id)!;
  const afterBob = await clickHome(bobs, approve);
  // The answer the card's click gets, at the top of the refreshed tab; the request is no longer offered.
  expect(homeText(afterBob)).toContain("Approval recorded (1 of 2).");
  expect(buttonOf(afterBob, "approve", id)).toBeUndefined();
  await h.waitCard("/ecs delete web-04", (t) => t.includes(`<@${IDS.bob}>`) && t.includes("1 of 2"));

  // A stale Home (the version before the click) is judged now: the second click counts for nothing.
  const again = await clickHome(bobs, approve);
  expect(homeText(again)).toContain("You already approved this request");
  // An outsider replaying Bob's button, and the requester, are refused; their Homes say so.
  const dave = await clickHome(bobs, approve, IDS.dave);
  expect(homeText(dave)).toContain("You are not an approver for this request.");
  const alice = await clickHome(bobs, approve, IDS.alice);
  expect(homeText(alice)).toContain("You cannot approve your own request");
  await h.ops.idle();
  expect(textOf(h.latest("/ecs delete web-04"))).toContain("1 of 2");
  expect(h.mutations("deleteServers")).toEqual([]);

  // Carol completes it from her Home: the delete runs once, as from the card.
  const carols = await openHome(IDS.carol);
  const afterCarol = await clickHome(carols, buttonOf(carols, "approve", id)!);
  expect(homeText(afterCarol)).toContain("Approved (2 of 2).");
  await h.waitCard("/ecs delete web-04", (t) => t.includes("Done"));
  expect(h.mutations("deleteServers")).toHaveLength(1);
  expect(h.sim.control.server("web-04")).toBeUndefined();
  const refreshed = await openHome(IDS.carol);
  expect(buttonOf(refreshed, "approve", id)).toBeUndefined();
});

it("Reject on the Home asks for the reason like the card; the rejection refreshes the rejecter's Home", async () => {
  await h.command("delete api-02");
  const card = await h.waitCard("/ecs delete api-02", (t) => t.includes("Approval needed"));
  const id = readRequestId(card);
  const carols = await openHome(IDS.carol);
  const before = versions(IDS.carol);
  await sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({
      user: IDS.carol,
      view: carols.view,
      actions: [{ actionId: buttonOf(carols, "reject", id)! }],
    }),
  );
  const submitted = await h.submitReason(IDS.carol, id, "api-02 still serves <traffic>");
  expect(submitted.status).toBe(200);
  await h.waitCard("/ecs delete api-02", (t) => t.includes("Rejected"));
  const after = await nextHome(IDS.carol, before + 1);
  expect(buttonOf(after, "reject", id)).toBeUndefined();
  expect(h.mutations("deleteServers")).toEqual([]);
});

it("Cancel on the requester's Home cancels the request and its card", async () => {
  await h.command("resize cache-02 s6.large.2");
  const card = await h.waitCard("/ecs resize cache-02 s6.large.2", (t) => t.includes("Approval needed"));
  const id = readRequestId(card);
  const alices = await openHome(IDS.alice);
  const after = await clickHome(alices, buttonOf(alices, "cancel", id)!);
  expect(homeText(after)).toContain("Cancelled.");
  expect(buttonOf(after, "cancel", id)).toBeUndefined();
  const cancelled = await h.waitCard("/ecs resize cache-02 s6.large.2", (t) => t.includes("Cancelled"));
  expect(actionIdsOf(cancelled)).toEqual(["ops.request.details"]);
});

it("jobs running now are on everyone's Home while they run, and gone when they finish", async () => {
  const timing = h.sim.control.jobTiming();
  h.sim.control.setJobTiming({ runningMs: 3_600_000 });
  try {
    await h.command("reboot cache-02");
    // The run record is written before the call is sent, so a running job means an open run.
    await h.fake.waitFor(() => h.sim.control.jobs().find((j) => j.status === "RUNNING"));
    const bobs = homeText(await openHome(IDS.bob));
    expect(bobs).toMatch(/Running now\* \(1\)/);
    expect(bobs).toContain("reboot 1 server");
    expect(bobs).toContain("cache-02 · now: wait until they are back up");
    expect(bobs).toContain(`by <@${IDS.alice}>`);
    const alices = await openHome(IDS.alice);
    expect(homeText(alices)).toContain("running: follow it in the request");
  } finally {
    h.sim.control.advance(3_600_000);
    h.sim.control.setJobTiming(timing);
  }
  const root = await h.fake.waitFor(() => h.latest("/ecs reboot cache-02"));
  await h.fake.waitFor(() => h.replies(root).some((r) => /1 restarted/.test(textOf(r))));
  await h.ops.idle();
  const after = await openHome(IDS.bob);
  expect(homeText(after)).not.toContain("cache-02");
});

it("/ops approvals: what the user may approve first, then their own pending requests, each with its card's link", async () => {
  await h.command("delete web-03", { user: IDS.alice });
  const theirs = await h.waitCard("/ecs delete web-03", (t) => t.includes("Approval needed"));
  await h.command("resize api-02 s6.large.2", { user: IDS.bob });
  const own = await h.waitCard("/ecs resize api-02 s6.large.2", (t) => t.includes("Approval needed"));
  await h.command("approvals", { command: "/ops", user: IDS.bob });
  const list = await h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user: IDS.bob })
      .filter((e) => textOf(e).includes("Your pending requests"))
      .at(-1),
  );
  const text = textOf(list);
  const waitingAt = text.indexOf("Waiting for your approval");
  const ownAt = text.indexOf("Your pending requests");
  expect(waitingAt).toBeGreaterThanOrEqual(0);
  expect(ownAt).toBeGreaterThan(waitingAt);
  expect(text.indexOf(readRequestId(theirs))).toBeGreaterThan(waitingAt);
  expect(text.indexOf(readRequestId(theirs))).toBeLessThan(ownAt);
  expect(text.indexOf(readRequestId(own))).toBeGreaterThan(ownAt);
  expect(text).toContain(`<${permalinkOf(theirs)}|Open the card>`);
  expect(text).toContain(`<${permalinkOf(own)}|Open the card>`);
  // Bob may not approve his own resize: only Cancel is offered for it.
  const ids = actionIdsOf(list);
  expect(ids.filter((a) => a.startsWith("ops.approval.approve"))).toHaveLength(
    ids.filter((a) => a.startsWith("ops.approval.reject")).length,
  );
  expect(ids.filter((a) => a.startsWith("ops.approval.cancel"))).toHaveLength(1);
});
