/**
 * Calendars and scheduled changes end to end: signed Slack requests into the bot, the fake Slack, the simulated
 * cloud, a Redis store shared by two replicas, the shipped policy plus a freeze and a maintenance window set
 * relative to the test's clock. Time only moves through the injected clock: no test waits for the window.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createOperations, type Operations } from "../../src/operations/index.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { createRedisStore } from "../../src/store/create-redis-store.js";
import type { Store } from "../../src/store/store.js";
import { FREEZE_DENIES_POWER, testCalendarsYaml } from "../helpers/test-calendars.js";
import { openSharedRedis, REDIS_URL } from "../replicas/helpers/shared-redis.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
const CANCEL = "ops.approval.cancel";
const MINUTE = 60_000;
const namespace = `scheduled-${process.pid}-${Date.now()}`;

let h: OperationsHarness;
let shipped: string;
let second: Operations;
let secondStore: Store;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  cleanup = (await openSharedRedis(namespace)).cleanup;
  h = await startOperationsHarness({
    store: (clock) => createRedisStore({ url: REDIS_URL, namespace, clock }),
  });
  shipped = await readFile("flows/policy.yml", "utf8");
  // A second replica: its own connection to the same store, same policy and flows, same chat.
  secondStore = createRedisStore({ url: REDIS_URL, namespace, clock: h.clock });
  second = createOperations({ ...h.opsOptions, store: secondStore, replicaId: "second", audit: undefined });
  await second.start({ chat: createSlackChat(h.bot.app.client) });
});
afterAll(async () => {
  await second?.stop(2_000);
  await h?.close();
  await h?.store.close();
  await secondStore?.close();
  await cleanup?.();
});

/** The policy as shipped, plus a freeze and a window at the given offsets from now (minutes). */
async function withCalendars(freeze: [number, number], window: [number, number]): Promise<void> {
  // The shipped calendars stay; the test's join them, and a freeze rule is added to the shipped rules.
  await h.policy.replace(
    `${shipped.replace(/^calendars:\n/m, testCalendarsYaml(h.clock.now(), freeze, window))}\n${FREEZE_DENIES_POWER}`,
  );
}

beforeEach(async () => {
  await h.ops.idle();
  await second.idle();
  h.sim.control.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
});

async function approveBy(card: FakeSlackMessage, ...users: string[]): Promise<void> {
  for (const user of users) expect((await h.click(card, APPROVE, user)).status).toBe(200);
  await h.ops.idle();
}

function threadText(card: FakeSlackMessage): string {
  return h.replies(card).map(textOf).join("\n");
}

/** Both replicas run their periodic pass at the same moment, then settle. */
async function bothReplicasPass(): Promise<void> {
  await Promise.all([h.ops.runScheduled(), second.runScheduled()]);
  await Promise.all([h.ops.idle(), second.idle()]);
}

it("a freeze denies, /ops policy explain names it and when it ends, and it lifts", async () => {
  await withCalendars([10, 70], [500, 560]);
  await h.command("stop web-03");
  await h.waitCard("/ecs stop web-03", (t) => t.includes("Done"));
  await h.ops.idle();

  h.clock.advance(15 * MINUTE);
  await h.command("stop web-04");
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Changes are frozen.")));
  expect(h.mutations("batchStopServers")).toHaveLength(1);

  await h.command("policy explain /ecs stop web-04", { command: "/ops" });
  const explained = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("Calendars:") && t.includes("test-freeze")),
  );
  expect(explained).toContain("is in force until <!date^");
  // Explained as of its start: in the window, after the freeze, it would be allowed.
  await h.command("policy explain /ecs stop web-04 --window maint", { command: "/ops" });
  await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("Allowed: /ecs stop web-04")),
  );

  h.clock.advance(60 * MINUTE);
  await h.command("start web-03");
  await h.waitCard("/ecs start web-03", (t) => t.includes("Done"));
});

it("a windowed change approved before the window runs once at its opening, with two replicas", async () => {
  await withCalendars([1000, 1010], [60, 120]);
  await h.command("reboot web-03 --hard --window maint");
  const card = await h.waitCard("/ecs reboot web-03 --hard --window maint", (t) => t.includes("0 of 1"));
  expect(textOf(card)).toContain("when the maintenance window `maint` opens");
  // The window opens in an hour, the policy's time limit for approving is 30 minutes: both say the same.
  expect(textOf(card)).toContain("(30m after it was asked)");
  const notice = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("needs 1 approval before")),
  );
  expect(notice).toContain("(the policy's time limit for approving), or it expires");
  await approveBy(card, IDS.bob);
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Scheduled:"));
  expect(threadText(card)).toContain("your request is approved. Runs <!date^");

  // Before the opening nothing runs, whichever replica looks.
  h.clock.advance(30 * MINUTE);
  await bothReplicasPass();
  expect(h.mutations("batchRebootServers")).toHaveLength(0);

  h.clock.advance(31 * MINUTE);
  await bothReplicasPass();
  await bothReplicasPass();
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Done"));
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
  const started = await h.audit.query({ type: "execution.started", limit: 50 });
  expect(started.filter((e) => e.action === "ecs:cloudServers:reboot")).toHaveLength(1);
});

it("the policy is decided again at the opening: a freeze declared after the approval stops the run", async () => {
  await withCalendars([1000, 1010], [60, 120]);
  await h.command("reboot web-04 --hard --window maint");
  const card = await h.waitCard("/ecs reboot web-04 --hard --window maint", (t) => t.includes("0 of 1"));
  await approveBy(card, IDS.bob);
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Scheduled:"));
  // The freeze is moved over the window after the approval, as an operator would edit the file.
  const frozenAt = h.clock.now();
  await withCalendars([-5, 200], [60, 120]);
  h.clock.advance(61 * MINUTE);
  await bothReplicasPass();
  const final = await h.waitCard("/ecs reboot web-04", (t) => t.includes("Not run"));
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
  // The freeze is named with its end (as `/ops policy explain` finds it), never "the policy changed"; asking
  // again now is denied too, so it says when to ask.
  const freezeEnd = `<!date^${String(Math.floor((frozenAt + 200 * MINUTE) / 1000))}^`;
  expect(textOf(final)).toContain(
    "this reboot is not allowed during the freeze `test-freeze` (in force until",
  );
  expect(textOf(final)).toContain(`Asking again is denied until the freeze ends ${freezeEnd}`);
  expect(textOf(final)).not.toContain("the policy changed");
  const thread = await h.fake.waitFor(() =>
    threadText(card).includes("Not run") ? threadText(card) : undefined,
  );
  expect(thread).toContain("*Not run — the freeze `test-freeze` is in force.*");
  expect(thread).toContain(`Asking again is denied until the freeze ends ${freezeEnd}`);
  expect(thread).not.toContain("Ask again to get the approvals");
});

it("a replica started after the opening, while the window is still open, runs it from the store, once", async () => {
  await withCalendars([1000, 1010], [60, 120]);
  await h.command("reboot web-03 --hard --window maint");
  const card = await h.waitCard("/ecs reboot web-03 --hard --window maint", (t) => t.includes("0 of 1"));
  await approveBy(card, IDS.carol);
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Scheduled:"));
  await second.stop(2_000);
  h.clock.advance(90 * MINUTE);
  // A new replica over the same store: its start-up recovery finds the change due, the window still open.
  const storeOfRestarted = createRedisStore({ url: REDIS_URL, namespace, clock: h.clock });
  const restarted = createOperations({
    ...h.opsOptions,
    store: storeOfRestarted,
    replicaId: "restarted",
    audit: undefined,
  });
  try {
    await restarted.start({ chat: createSlackChat(h.bot.app.client) });
    await restarted.runScheduled();
    await restarted.idle();
    await h.waitCard("/ecs reboot web-03", (t) => t.includes("Done"));
    expect(h.mutations("batchRebootServers")).toHaveLength(1);
  } finally {
    await restarted.stop(2_000);
    await storeOfRestarted.close();
    second = createOperations({
      ...h.opsOptions,
      store: secondStore,
      replicaId: "second-again",
      audit: undefined,
    });
    await second.start({ chat: createSlackChat(h.bot.app.client) });
  }
});

it("a windowed change whose window closed before it could start does not run, and the thread says so", async () => {
  await withCalendars([1000, 1010], [60, 120]);
  await h.command("reboot web-04 --hard --window maint");
  const card = await h.waitCard("/ecs reboot web-04 --hard --window maint", (t) => t.includes("0 of 1"));
  await approveBy(card, IDS.carol);

  // Every replica was down for the whole window.
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Scheduled:"));
  h.clock.advance(125 * MINUTE);
  await bothReplicasPass();
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Not run — could not start in time"));
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
  await h.fake.waitFor(() => threadText(card).includes("closed at"));
  expect(threadText(card)).toContain("the maintenance window `maint` closed at <!date^");
});

it("an approval not complete before the start time lapses", async () => {
  await withCalendars([1000, 1010], [30, 90]);
  const noticesBefore = h.ephemeralTexts(IDS.alice).length;
  await h.command("reboot web-03 --hard --window maint");
  const card = await h.waitCard("/ecs reboot web-03 --hard --window maint", (t) => t.includes("0 of 1"));
  // The window opens when the policy's 30 minutes end: the start time is the deadline.
  const notice = await h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(noticesBefore)
      .find((t) => t.includes("needs 1 approval before")),
  );
  expect(notice).toContain("or it lapses");

  h.clock.advance(31 * MINUTE);
  expect((await h.click(card, APPROVE, IDS.bob)).status).toBe(200);
  await h.ops.sweepExpired();
  await h.ops.idle();
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Lapsed"));
  await h.fake.waitFor(() => threadText(card).includes("Lapsed"));
  expect(threadText(card)).toContain("approval was not complete before its start time");
  await bothReplicasPass();
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
});

it("the requester or an approver can cancel a scheduled change until it starts", async () => {
  await withCalendars([1000, 1010], [60, 120]);
  await h.command("reboot web-04 --hard --window maint");
  const card = await h.waitCard("/ecs reboot web-04 --hard --window maint", (t) => t.includes("0 of 1"));
  await approveBy(card, IDS.bob);
  const scheduled = await h.waitCard("/ecs reboot web-04", (t) => t.includes("Scheduled:"));
  // `/ops approvals` lists it for an approver, with when it runs.
  await h.command("approvals", { command: "/ops", user: IDS.carol });
  const listed = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.carol).find((t) => t.includes("Scheduled changes") && t.includes("web-04")),
  );
  expect(listed).toContain("when the maintenance window `maint` opens");
  // Someone else may not; an approver may.
  expect((await h.click(scheduled, CANCEL, IDS.dave)).status).toBe(200);
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.dave).find((t) => t.includes("or an approver can cancel")));
  expect((await h.click(scheduled, CANCEL, IDS.carol)).status).toBe(200);
  await h.ops.idle();
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Cancelled"));

  h.clock.advance(61 * MINUTE);
  await bothReplicasPass();
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
});

it("--at HH:MM is the next such time in the requester's Slack time zone; bad times change nothing", async () => {
  await withCalendars([1000, 1010], [60, 120]);
  const target = new Date(h.clock.now() + 3 * 60 * MINUTE);
  const hhmm = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Berlin",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(target);
  await h.command(`stop web-03 --at ${hhmm}`);
  const card = await h.waitCard(`/ecs stop web-03 --at ${hhmm}`, (t) => t.includes("Scheduled:"));
  expect(textOf(card)).toContain(`<!date^${Math.floor(Math.floor(target.getTime() / MINUTE) * 60)}^`);
  expect(h.mutations("batchStopServers")).toHaveLength(0);

  await h.command("stop web-03 --at 25:00");
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("is not a time of day")));
  await h.command("stop web-03 --window nightly");
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("no maintenance window")));
  await h.command("list --window maint");
  await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("this command changes nothing")),
  );
  // Cancelled by its requester, so nothing is left waiting.
  expect((await h.click(card, CANCEL, IDS.alice)).status).toBe(200);
  await h.ops.idle();
});
