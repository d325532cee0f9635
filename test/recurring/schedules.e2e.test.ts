/**
 * Recurring schedules end to end, over signed HTTP against the fake Slack and the simulated cloud, with the
 * harness's movable clock (no real waits for slots): a schedule asked for, approved and run at its slots, runs
 * skipped when the policy is now stricter (a deny rule, a target tagged env=prod) or when the command selects
 * more servers than approved, missed slots in one report, list / pause / resume / delete by who may, and bad
 * input changing nothing.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { nextSlots } from "../../src/recurring/parse-schedule-timing.js";
import type { Schedule } from "../../src/recurring/schedule-record.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";
import { waitForEphemeral } from "../helpers/wait-for-ephemeral.js";

let h: OperationsHarness;
let shippedPolicy: string;
beforeAll(async () => {
  h = await startOperationsHarness();
  shippedPolicy = await readFile("flows/policy.yml", "utf8");
  for (const name of ["nightly-1", "nightly-2"])
    h.sim.control.addServer({ name, status: "ACTIVE", tags: { env: "dev", team: "nightly" } });
});
afterAll(async () => {
  await h?.close();
});

const COMMAND = "/ecs stop tag:team=nightly";
const TIMING = { cron: "0 19 * * 1-5", timeZone: "Europe/Paris" };
const APPROVE = "ops.approval.approve";

function ops(text: string, user: string = IDS.alice) {
  return h.command(text, { command: "/ops", user });
}

/** Waits until `user` got an ephemeral whose text includes `needle`. */
const ephemeral = (user: string, needle: string) => waitForEphemeral(h, user, needle);

async function schedules(): Promise<Schedule[]> {
  const out: Schedule[] = [];
  for (const id of await h.store.members("schedules:all")) {
    const s = await h.store.get<Schedule>(`schedule:${id}`);
    if (s) out.push(s.value);
  }
  return out;
}

const stops = () => h.mutations("batchStopServers").length;

/** Moves the bot's clock just past the `n`-th slot from now (plus `lateMs`), the servers started again. */
async function toSlot(n = 1, lateMs = 5_000): Promise<number> {
  await h.ops.idle();
  for (const name of ["nightly-1", "nightly-2", "nightly-3"]) {
    const s = h.sim.control.server(name);
    if (s) h.sim.control.setServer(s.id, { status: "ACTIVE" });
  }
  const slot = nextSlots(TIMING, h.clock.now(), n).at(-1)!;
  h.clock.advance(slot - h.clock.now() + lateMs);
  return slot;
}

/** Top-level bot messages in #ops posted after `since` (by count). */
function postedSince(count: number) {
  return h.fake
    .messages(IDS.ops)
    .filter((m) => m.user === IDS.bot)
    .slice(count);
}
const postedCount = () => h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot).length;

it("bad cron, zone, command or servers: a specific message, nothing stored", async () => {
  await ops(`schedule add "0 25 * * *" ${COMMAND}`);
  expect(await ephemeral(IDS.alice, "is not valid")).toContain("hour");
  await ops(`schedule add "0 19 * *" ${COMMAND}`);
  // The example is a real code span (typeable), not look-alike characters of untrusted text.
  expect(await ephemeral(IDS.alice, "has 4 fields")).toContain("(e.g. `0 19 * * 1-5` for 19:00");
  await ops(`schedule add "0 19 * * *" tz=Mars/Olympus ${COMMAND}`);
  expect(await ephemeral(IDS.alice, "is not an IANA time zone")).toContain("Europe/Berlin");
  await ops(`schedule add 0 19 * * * ${COMMAND}`);
  await ephemeral(IDS.alice, "Put the cron expression in quotes");
  await ops(`schedule add "0 19 * * *" /ecs list`);
  await ephemeral(IDS.alice, "Only commands that change servers can be scheduled");
  await ops(`schedule add "0 19 * * *" /ecs stop no-such-server`);
  await ephemeral(IDS.alice, "no-such-server");
  expect(await schedules()).toEqual([]);
});

let scheduleId: string;

it("a schedule is a request of its own: its card says the cron in words, the zone, the next 3 runs and the cap", async () => {
  await ops(`schedule add "0 19 * * 1-5" tz=Europe/Paris ${COMMAND}`);
  await ephemeral(IDS.alice, "needs 1 approval");
  const card = await h.waitCard(COMMAND, (t) => t.includes("Schedule needs approval"));
  const text = textOf(card);
  expect(text).toContain("at 19:00, Monday to Friday");
  expect(text).toContain("Europe/Paris");
  expect(text).toContain("At most 2 servers per run");
  expect(text.match(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|/g)?.length).toBeGreaterThanOrEqual(3);
  const [schedule] = await schedules();
  expect(schedule).toMatchObject({ status: "pending", maxTargets: 2, owner: { userId: IDS.alice } });
  scheduleId = schedule!.id;

  // The owner cannot approve their own schedule; an approver can.
  await h.click(card, APPROVE, IDS.alice);
  await ephemeral(IDS.alice, "own");
  await h.click(card, APPROVE, IDS.bob);
  const active = await h.waitCard(COMMAND, (t) => t.includes("Schedule active"));
  await h.ops.idle();
  expect((await schedules())[0]).toMatchObject({ status: "active", approvedBy: [IDS.bob] });
  expect(h.replies(active).map(textOf).join("\n")).toContain("your schedule is approved and active");
  const audit = await h.audit.query({ type: "schedule.activated", limit: 5 });
  expect(audit).toHaveLength(1);
  expect(stops()).toBe(0);
});

it("runs once at its slot, finding its servers again, through the usual card and thread", async () => {
  expect(await h.ops.runSchedules()).toBe(0);
  await toSlot();
  const before = postedCount();
  expect(await h.ops.runSchedules()).toBe(1);
  expect(await h.ops.runSchedules()).toBe(0);
  const run = await h.waitCard(COMMAND, (t) => t.includes("Done"));
  await h.ops.idle();
  expect(stops()).toBe(1);
  expect(h.sim.control.server("nightly-1")?.status).toBe("SHUTOFF");
  expect(textOf(h.replies(run)[0])).toContain(`Run of schedule \`${scheduleId}\``);
  expect(postedSince(before).filter((m) => textOf(m).includes("Skipped"))).toEqual([]);
  expect((await schedules())[0]?.lastRun).toMatchObject({ result: "started" });
});

it("skips a run the policy now denies, and says why in the channel", async () => {
  await h.policy.replace(
    `${shippedPolicy}\n  - id: no-stops\n    description: test freeze\n    actions: [ecs:cloudServers:stop]\n    effect: { deny: "Stops are frozen this week." }\n`,
  );
  try {
    await toSlot();
    const before = postedCount();
    expect(await h.ops.runSchedules()).toBe(1);
    const skipped = postedSince(before).find((m) => textOf(m).includes("Skipped"));
    expect(textOf(skipped)).toContain("Stops are frozen this week.");
    expect(textOf(skipped)).toContain(scheduleId);
    await h.ops.idle();
    expect(stops()).toBe(1);
  } finally {
    await h.policy.replace(shippedPolicy);
  }
});

it("skips a run that would now need an approval (a target tagged env=prod)", async () => {
  const n1 = h.sim.control.server("nightly-1")!;
  h.sim.control.setServer(n1.id, { tags: { env: "prod", team: "nightly" } });
  try {
    await toSlot();
    const before = postedCount();
    expect(await h.ops.runSchedules()).toBe(1);
    const skipped = postedSince(before).find((m) => textOf(m).includes("Skipped"));
    expect(textOf(skipped)).toMatch(/approval/);
    await h.ops.idle();
    expect(stops()).toBe(1);
  } finally {
    h.sim.control.setServer(n1.id, { tags: { env: "dev", team: "nightly" } });
  }
});

it("skips a run that selects more servers than approved (max_targets)", async () => {
  const extra = h.sim.control.addServer({
    name: "nightly-3",
    status: "ACTIVE",
    tags: { env: "dev", team: "nightly" },
  });
  try {
    await toSlot();
    const before = postedCount();
    expect(await h.ops.runSchedules()).toBe(1);
    const skipped = postedSince(before).find((m) => textOf(m).includes("Skipped"));
    expect(textOf(skipped)).toContain("3 servers now, more than the 2 approved");
    await h.ops.idle();
    expect(stops()).toBe(1);
  } finally {
    h.sim.control.deleteServer(extra.id);
  }
});

it("skips a run whose tag selects no server any more", async () => {
  const ids = ["nightly-1", "nightly-2"].map((n) => h.serverId(n));
  for (const id of ids) h.sim.control.setServer(id, { tags: { env: "dev" } });
  try {
    await toSlot();
    const before = postedCount();
    expect(await h.ops.runSchedules()).toBe(1);
    const skipped = postedSince(before).find((m) => textOf(m).includes("Skipped"));
    expect(textOf(skipped)).toContain("tag:team=nightly selects no server now");
    expect(stops()).toBe(1);
  } finally {
    for (const id of ids) h.sim.control.setServer(id, { tags: { env: "dev", team: "nightly" } });
  }
});

it("missed slots collapse into one report; only the latest runs, and only within the grace", async () => {
  // Three slots pass with no pass (the bot was down); the latest is 1 minute old: it runs, the two before are reported.
  await toSlot(3, 60_000);
  let before = postedCount();
  expect(await h.ops.runSchedules()).toBe(1);
  await h.waitCard(COMMAND, (t) => t.includes("Done"));
  await h.ops.idle();
  let posted = postedSince(before).filter((m) => textOf(m).includes("missed"));
  expect(posted).toHaveLength(1);
  expect(textOf(posted[0])).toContain("missed 2 runs");
  expect(textOf(posted[0])).toContain("runs now");
  expect(stops()).toBe(2);

  // Two slots pass and the latest is 20 minutes old: nothing runs, one report.
  await toSlot(2, 20 * 60_000);
  before = postedCount();
  expect(await h.ops.runSchedules()).toBe(1);
  await h.ops.idle();
  posted = postedSince(before);
  expect(posted).toHaveLength(1);
  expect(textOf(posted[0])).toContain("missed 2 runs");
  expect(textOf(posted[0])).toContain("does not run either");
  expect(stops()).toBe(2);
  expect((await schedules())[0]?.lastRun).toMatchObject({ result: "missed" });
});

it("list, pause, resume and delete: by the owner or an approver, audited; a paused schedule runs nothing", async () => {
  await ops("schedule list");
  const list = await ephemeral(IDS.alice, "Recurring schedules");
  expect(list).toContain(scheduleId);
  expect(list).toContain("active");
  expect(list).toContain("at 19:00, Monday to Friday");

  await ops(`schedule pause ${scheduleId}`, IDS.dave);
  await ephemeral(IDS.dave, "Only the owner");
  await ops(`schedule pause ${scheduleId}`);
  await ephemeral(IDS.alice, "paused");
  expect((await schedules())[0]?.status).toBe("paused");
  await toSlot();
  expect(await h.ops.runSchedules()).toBe(0);
  expect(stops()).toBe(2);

  await ops(`schedule resume ${scheduleId}`, IDS.carol);
  await ephemeral(IDS.carol, "resumed");
  // The slot that passed while paused is not a missed run.
  const before = postedCount();
  expect(await h.ops.runSchedules()).toBe(0);
  expect(postedSince(before)).toEqual([]);

  await ops(`schedule delete ${scheduleId}`, IDS.bob);
  await ephemeral(IDS.bob, "deleted");
  expect(await schedules()).toEqual([]);
  await ops(`schedule pause ${scheduleId}`);
  await ephemeral(IDS.alice, "There is no schedule");
  const audited = await h.audit.query({
    requestId: (await h.audit.query({ type: "schedule.activated", limit: 1 }))[0]!.requestId!,
    limit: 50,
  });
  const kinds = audited.map((e) => e.type);
  for (const kind of ["schedule.paused", "schedule.resumed", "schedule.deleted", "schedule.skipped"])
    expect(kinds).toContain(kind);
});

it("a schedule whose request is cancelled never runs and is removed at the next pass", async () => {
  await ops(`schedule add "*/10 * * * *" ${COMMAND}`);
  const card = await h.waitCard(
    COMMAND,
    (t) => t.includes("Schedule needs approval") && t.includes("every 10 minutes"),
  );
  expect(await schedules()).toHaveLength(1);
  await h.click(card, "ops.approval.cancel", IDS.alice);
  await h.waitCard(COMMAND, (t) => t.includes("Schedule cancelled"));
  await h.ops.idle();
  await toSlot();
  expect(await h.ops.runSchedules()).toBe(0);
  expect(await schedules()).toEqual([]);
  expect(stops()).toBe(2);
});

it("the stricter side decides: a schedule of a delete needs the delete's 2 approvals; a denied command stores nothing", async () => {
  const locked = h.sim.control.addServer({
    name: "nightly-locked",
    status: "ACTIVE",
    tags: { env: "dev", lock: "true" },
  });
  await ops('schedule add "0 3 * * 0" /ecs delete nightly-locked');
  const denial = await ephemeral(IDS.alice, "Not allowed");
  expect(denial).toContain("lock=true");
  expect(await schedules()).toEqual([]);
  h.sim.control.deleteServer(locked.id);

  await ops('schedule add "0 3 * * 0" /ecs delete nightly-2');
  await ephemeral(IDS.alice, "needs 2 approvals");
  const card = await h.waitCard("/ecs delete nightly-2", (t) => t.includes("Schedule needs approval"));
  expect(textOf(card)).toContain("0 of 2");
  expect(textOf(card)).toContain("at 03:00 on Sundays");
  await h.click(card, "ops.approval.approve", IDS.bob);
  await h.waitCard("/ecs delete nightly-2", (t) => t.includes("1 of 2"));
  expect((await schedules())[0]?.status).toBe("pending");
  await h.click(card, "ops.approval.cancel", IDS.alice);
  await h.waitCard("/ecs delete nightly-2", (t) => t.includes("Schedule cancelled"));
});
