/**
 * A recurring schedule naming servers exactly acts on the servers its approvers saw, whatever takes their names
 * later: over signed HTTP against the fake Slack and the simulated cloud (renames, deletions and new servers
 * made with the simulator's console-like control), with the harness's movable clock for the slots.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { nextSlots } from "../../src/recurring/parse-schedule-timing.js";
import type { Schedule } from "../../src/recurring/schedule-record.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});

// The generated world has its own web-NN servers: these names are the tests' own.
const TIMING = { cron: "0 19 * * *", timeZone: "Europe/Paris" };

function ops(text: string, user: string = IDS.alice) {
  return h.command(text, { command: "/ops", user });
}

async function schedule(commandLine: string): Promise<Schedule> {
  for (const id of await h.store.members("schedules:all")) {
    const s = await h.store.get<Schedule>(`schedule:${id}`);
    if (s?.value.commandLine === commandLine) return s.value;
  }
  throw new Error(`no schedule for ${commandLine}`);
}

/** Asks for a schedule of `command` and has Bob approve it; resolves with the stored schedule. */
async function approvedSchedule(command: string): Promise<Schedule> {
  // One schedule at a time: the earlier tests' schedules would run at the same slots.
  for (const id of await h.store.members("schedules:all")) {
    await h.store.delete(`schedule:${id}`);
    await h.store.removeFromSet("schedules:all", id);
  }
  await ops(`schedule add "${TIMING.cron}" tz=${TIMING.timeZone} ${command}`);
  const card = await h.waitCard(command, (t) => t.includes("Schedule needs approval"));
  await h.click(card, "ops.approval.approve", IDS.bob);
  await h.waitCard(command, (t) => t.includes("Schedule active"));
  await h.ops.idle();
  return schedule(command);
}

/** Moves the bot's clock just past the next slot. */
async function toSlot(): Promise<void> {
  await h.ops.idle();
  const slot = nextSlots(TIMING, h.clock.now(), 1)[0]!;
  h.clock.advance(slot - h.clock.now() + 5_000);
}

/** The server IDs of each stop sent to the cloud, oldest first. */
const stops = () => h.mutations("batchStopServers").map((m) => m.mutation?.serverIds ?? []);

const botPosts = () => h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot);

/** Rewrites a schedule as stored before the approved servers were kept (no `approvedServers`). */
async function storeAsBefore(s: Schedule): Promise<void> {
  const { approvedServers: _, ...legacy } = s;
  const current = await h.store.get<Schedule>(`schedule:${s.id}`);
  expect(await h.store.compareAndSwap(`schedule:${s.id}`, current!.version, legacy)).toBe(true);
}

function server(name: string, tags: Record<string, string> = { env: "dev" }) {
  return h.sim.control.addServer({ name, status: "ACTIVE", tags });
}

it("keeps the IDs of the servers named exactly, and only those (a tag finds its servers again)", async () => {
  const a = server("keep-01");
  server("keep-tagged", { env: "dev", team: "keep" });
  const s = await approvedSchedule("/ecs stop keep-01 tag:team=keep");
  expect(s.approvedServers).toEqual([{ target: "name:keep-01", id: a.id, name: "keep-01" }]);
});

it("the finding: a server renamed and a new one given its name; the run stops the server approved, never the new one", async () => {
  const old = server("nightly-web-03");
  await approvedSchedule("/ecs stop nightly-web-03");
  h.sim.control.setServer(old.id, { name: "nightly-web-03-retired" });
  const replacement = server("nightly-web-03");

  await toSlot();
  const before = stops().length;
  expect(await h.ops.runSchedules()).toBe(1);
  const run = await h.waitCard("/ecs stop nightly-web-03", (t) => t.includes("Done"));
  await h.ops.idle();

  expect(stops().slice(before)).toEqual([[old.id]]);
  expect(h.sim.control.server(replacement.id)?.status).toBe("ACTIVE");
  expect(h.sim.control.server(old.id)?.status).toBe("SHUTOFF");
  const note = h.replies(run).map(textOf).join("\n");
  expect(note).toContain("1 of at most 1 server, allowed by the schedule's approval");
  expect(note).toContain(
    `Skipped \`nightly-web-03\` (\`${replacement.id.slice(0, 8)}…\`): it is not the server this schedule was approved for (that was \`${old.id.slice(0, 8)}…\`, now named \`nightly-web-03-retired\`, which this run includes, as approved). Ask for a new schedule to change the new \`nightly-web-03\`.`,
  );
  const last = (await schedule("/ecs stop nightly-web-03")).lastRun;
  expect(last).toMatchObject({ result: "started" });
  expect(last?.why).toContain("not the server this schedule was approved for");
});

it("a deleted server whose name was taken is skipped; the others of the command run", async () => {
  const gone = server("nightly-web-05");
  const kept = server("nightly-web-06");
  await approvedSchedule("/ecs stop nightly-web-05 nightly-web-06");
  h.sim.control.deleteServer(gone.id);
  const newcomer = server("nightly-web-05");

  await toSlot();
  const before = stops().length;
  await h.ops.runSchedules();
  const run = await h.waitCard("/ecs stop nightly-web-05 nightly-web-06", (t) => t.includes("Done"));
  await h.ops.idle();

  expect(stops().slice(before)).toEqual([[kept.id]]);
  expect(h.sim.control.server(newcomer.id)?.status).toBe("ACTIVE");
  const note = h.replies(run).map(textOf).join("\n");
  expect(note).toContain("1 of at most 2 servers");
  expect(note).toContain(
    `Skipped \`nightly-web-05\` (\`${newcomer.id.slice(0, 8)}…\`): it is not the server this schedule was approved for (that was \`${gone.id.slice(0, 8)}…\`, which no longer exists). Ask for a new schedule to change the new \`nightly-web-05\`.`,
  );
});

it("every server skipped: nothing is sent, and the channel is told once, in one message", async () => {
  const gone = server("nightly-web-07");
  await approvedSchedule("/ecs stop nightly-web-07");
  h.sim.control.deleteServer(gone.id);

  await toSlot();
  const before = stops().length;
  const posted = botPosts().length;
  await h.ops.runSchedules();
  await h.ops.idle();

  expect(stops().length).toBe(before);
  const skipped = botPosts()
    .slice(posted)
    .filter((m) => textOf(m).includes("nightly-web-07"));
  expect(skipped).toHaveLength(1);
  expect(textOf(skipped[0])).toContain(
    `Skipped \`nightly-web-07\`: the server this schedule was approved for (\`nightly-web-07\`, \`${gone.id.slice(0, 8)}…\`) no longer exists.`,
  );
  expect((await schedule("/ecs stop nightly-web-07")).lastRun).toMatchObject({ result: "skipped" });
});

it("a schedule stored before the IDs were kept: traced from its creation request, and kept from then on", async () => {
  const old = server("nightly-web-09");
  const s = await approvedSchedule("/ecs stop nightly-web-09");
  await storeAsBefore(s);
  h.sim.control.setServer(old.id, { name: "nightly-web-09-retired" });
  const replacement = server("nightly-web-09");

  await toSlot();
  const before = stops().length;
  await h.ops.runSchedules();
  await h.waitCard("/ecs stop nightly-web-09", (t) => t.includes("Done"));
  await h.ops.idle();

  expect(stops().slice(before)).toEqual([[old.id]]);
  expect(h.sim.control.server(replacement.id)?.status).toBe("ACTIVE");
  expect((await schedule("/ecs stop nightly-web-09")).approvedServers).toEqual([
    { target: "name:nightly-web-09", id: old.id, name: "nightly-web-09" },
  ]);
});

it("a schedule stored before the IDs were kept whose request has expired: its names are skipped, never guessed", async () => {
  const old = server("nightly-web-11");
  const s = await approvedSchedule("/ecs stop nightly-web-11");
  await storeAsBefore(s);
  await h.store.delete(`approval:${s.requestId}`);

  await toSlot();
  const before = stops().length;
  const posted = botPosts().length;
  await h.ops.runSchedules();
  await h.ops.idle();

  expect(stops().length).toBe(before);
  expect(h.sim.control.server(old.id)?.status).toBe("ACTIVE");
  const skipped = botPosts()
    .slice(posted)
    .filter((m) => textOf(m).includes("nightly-web-11"));
  expect(skipped).toHaveLength(1);
  expect(textOf(skipped[0])).toContain("nothing says which server its approvers saw");
  expect((await schedule("/ecs stop nightly-web-11")).approvedServers).toBeUndefined();
});
