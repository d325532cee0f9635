/**
 * Recurring schedules and the policy's calendars, end to end over signed HTTP (fake Slack, simulated cloud,
 * the harness's movable clock; no real waits): a schedule's command is decided at its next run when it is asked
 * for, and each run at its slot, so a freeze or a maintenance window counts at the time the run happens. Asked
 * during the year-end freeze, a weekly change is accepted with a note on the runs that will be skipped; its
 * frozen runs are skipped and the first one after the freeze runs. In June the same freeze does not apply;
 * a weekly reboot inside the maintenance window is allowed by a rule denying reboots outside it (as the same
 * one-off `--at` is), and one outside the window is refused, naming the run it was decided for.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { nextSlots } from "../../src/recurring/parse-schedule-timing.js";
import type { Schedule } from "../../src/recurring/schedule-record.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

const FREEZE_RULE = `
  - id: year-end-freeze
    description: During the year-end freeze, production servers are not changed from chat.
    actions: ["ecs:cloudServers:*", "ecs:servers:*"]
    match:
      during: [year-end]
      targets: { tags: { env: prod } }
    effect:
      deny: "Production is frozen for the year-end."
`;
const REBOOTS_IN_WINDOW = `
  - id: reboots-only-in-window
    description: Reboots only inside the maintenance window.
    actions: [ecs:cloudServers:reboot]
    match: { outside: [maintenance] }
    effect: { deny: "Reboots only in the maintenance window." }
`;
const WEEKLY = { cron: "0 23 * * 2", timeZone: "Europe/Berlin" };
const APPROVE = "ops.approval.approve";

let h: OperationsHarness;
let shipped: string;
beforeAll(async () => {
  // Its dates are fixed: the clock starts before the first of them, whatever the real date.
  h = await startOperationsHarness({ clockStartsAt: Date.parse("2026-12-01T00:00:00Z") });
  shipped = await readFile("flows/policy.yml", "utf8");
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
});

const ops = (text: string, user: string = IDS.alice) => h.command(text, { command: "/ops", user });
const setClock = (iso: string) => {
  const to = Date.parse(iso);
  if (to < h.clock.now()) throw new Error(`the clock is past ${iso} already`);
  h.clock.advance(to - h.clock.now());
};
/** The first ephemeral to Alice after `mark` that includes one of `needles`. */
const answer = (mark: number, ...needles: string[]) =>
  h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(mark)
      .find((t) => needles.some((n) => t.includes(n))),
  );
const bot = () => h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot);
async function schedules(): Promise<Schedule[]> {
  const out: Schedule[] = [];
  for (const id of await h.store.members("schedules:all")) {
    const s = await h.store.get<Schedule>(`schedule:${id}`);
    if (s) out.push(s.value);
  }
  return out;
}
/** Moves the clock just past the next slot of `WEEKLY`, the server started again, and runs the pass. */
async function runNextSlot(server: string): Promise<{ slot: number; posted: string }> {
  await h.ops.idle();
  h.sim.control.setServer(h.serverId(server), { status: "ACTIVE" });
  const slot = nextSlots(WEEKLY, h.clock.now(), 1)[0]!;
  h.clock.advance(slot - h.clock.now() + 5_000);
  const before = bot().length;
  expect(await h.ops.runSchedules()).toBe(1);
  await h.ops.idle();
  return { slot, posted: bot().slice(before).map(textOf).join("\n") };
}

it("asked during the freeze: accepted with a note naming the frozen runs; they are skipped at their time, the next runs", async () => {
  await h.policy.replace(`${shipped}${FREEZE_RULE}`);
  setClock("2026-12-21T09:00:00Z"); // Monday, day one of the freeze
  const mark = h.ephemeralTexts(IDS.alice).length;
  await ops(`schedule add "${WEEKLY.cron}" tz=${WEEKLY.timeZone} /ecs stop web-01`);
  const said = await answer(mark, "approval", "Not allowed");
  expect(said).toContain("needs 1 approval");
  // Runs of 22 and 29 December are frozen; 5 January is the first let through.
  expect(said).toContain("Its next 2 runs");
  expect(said).toContain(`<!date^${Date.parse("2026-12-22T22:00:00Z") / 1000}^`);
  expect(said).toContain("Production is frozen for the year-end.");
  expect(said).toContain(`<!date^${Date.parse("2027-01-05T22:00:00Z") / 1000}^`);
  const decided = (await h.audit.query({ type: "policy.decided", limit: 20 })).find(
    (e) => e.action === "ops:schedule:create",
  );
  expect(decided?.detail).toMatchObject({
    commandDecidedAt: "2027-01-05T22:00:00.000Z",
    nextSlotDenied: "2026-12-22T22:00:00.000Z",
    slotsDenied: 2,
  });

  const card = await h.waitCard("/ecs stop web-01", (t) => t.includes("Schedule needs approval"));
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard("/ecs stop web-01", (t) => t.includes("Schedule active"));
  const stops = () => h.mutations("batchStopServers").length;
  const before = stops();

  // 22 and 29 December: decided at the run's time, in the freeze: skipped, said why in the channel.
  for (const day of ["2026-12-22T22:00:00Z", "2026-12-29T22:00:00Z"]) {
    const { slot, posted } = await runNextSlot("web-01");
    expect(new Date(slot).toISOString()).toBe(new Date(day).toISOString());
    expect(posted).toContain("Skipped");
    expect(posted).toContain("Production is frozen for the year-end.");
    expect(stops()).toBe(before);
  }
  // 5 January, after the freeze: runs.
  const { posted } = await runNextSlot("web-01");
  expect(posted).not.toContain("Skipped");
  await h.waitCard("/ecs stop web-01", (t) => t.includes("Done"));
  expect(stops()).toBe(before + 1);
  const [schedule] = await schedules();
  expect(schedule?.lastRun).toMatchObject({ result: "started" });
  await ops(`schedule delete ${schedule!.id}`);
  await answer(mark, "deleted");
});

it("in June the year-end freeze does not apply: the schedule is asked for as usual and its June run runs", async () => {
  setClock("2027-06-14T12:00:00Z"); // a Monday
  const mark = h.ephemeralTexts(IDS.alice).length;
  await ops(`schedule add "${WEEKLY.cron}" tz=${WEEKLY.timeZone} /ecs stop web-02`);
  const said = await answer(mark, "approval", "Not allowed");
  expect(said).toContain("needs 1 approval");
  expect(said).not.toContain("frozen");
  expect(said).not.toContain("skipped");
  const card = await h.waitCard("/ecs stop web-02", (t) => t.includes("Schedule needs approval"));
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard("/ecs stop web-02", (t) => t.includes("Schedule active"));
  const before = h.mutations("batchStopServers").length;
  const { posted } = await runNextSlot("web-02");
  expect(posted).not.toContain("frozen");
  await h.waitCard("/ecs stop web-02", (t) => t.includes("Done"));
  expect(h.mutations("batchStopServers")).toHaveLength(before + 1);
  const schedule = (await schedules()).find((s) => s.commandLine.includes("web-02"));
  await ops(`schedule delete ${schedule!.id}`);
  await answer(mark, "deleted");
});

it("a weekly reboot inside the maintenance window is allowed by a rule denying reboots outside it, like the same --at", async () => {
  await h.policy.replace(`${shipped}${REBOOTS_IN_WINDOW}`);
  setClock("2027-06-21T12:00:00Z"); // a Monday; Tuesday 23:00 Berlin is inside the window (22:00 to 02:00)
  // The same moment as a one-off change is accepted.
  let mark = h.ephemeralTexts(IDS.alice).length;
  await h.command("reboot web-04 --at 2027-06-22T23:00+02:00");
  expect(await answer(mark, "Scheduled", "Not allowed")).toContain("Scheduled");
  const once = h.latest("/ecs reboot web-04 --at");
  await h.click(once!, "ops.approval.cancel", IDS.alice);
  await h.bot.idle();

  mark = h.ephemeralTexts(IDS.alice).length;
  await ops(`schedule add "${WEEKLY.cron}" tz=${WEEKLY.timeZone} /ecs reboot web-04`);
  const said = await answer(mark, "approval", "Not allowed");
  expect(said).not.toContain("Not allowed");
  const card = await h.waitCard("/ecs reboot web-04", (t) => t.includes("Schedule needs approval"));
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Schedule active"));
  const before = h.mutations("batchRebootServers").length;
  const { posted } = await runNextSlot("web-04");
  expect(posted).not.toContain("Skipped");
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Done"));
  expect(h.mutations("batchRebootServers")).toHaveLength(before + 1);
  const schedule = (await schedules()).find((s) => s.commandLine.includes("web-04"));
  await ops(`schedule delete ${schedule!.id}`);
  await answer(mark, "deleted");
});

it("a weekly reboot outside the window is refused, naming the run it was decided for; nothing is stored", async () => {
  const mark = h.ephemeralTexts(IDS.alice).length;
  await ops(`schedule add "0 12 * * 2" tz=Europe/Berlin /ecs reboot web-04`);
  const said = await answer(mark, "Not allowed", "approval");
  expect(said).toContain("Not allowed");
  expect(said).toContain("Reboots only in the maintenance window.");
  const next = nextSlots({ cron: "0 12 * * 2", timeZone: "Europe/Berlin" }, h.clock.now(), 1)[0]!;
  expect(said).toContain(`Decided for its next run, <!date^${next / 1000}^`);
  expect(await schedules()).toEqual([]);
});
