/**
 * A job still running when its run's wait ran out (15 minutes: its servers end "outcome unknown", never re-sent)
 * is followed afterwards, end to end over signed Slack requests against the simulated cloud, on the bot's clock
 * (moved by hand: no real waits): the thread gets exactly one follow-up once the cloud finishes the job, none
 * before; a second replica over the same store does not post it again; a new operations instance (a restart)
 * resumes it; after a day without an end, one reply says the bot stopped following. The run's recorded outcome
 * is never changed, and the cloud is asked little: one job read per due time, one read by ID per server.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createPrometheusMetrics } from "../../src/metrics/create-prometheus-metrics.js";
import { createOperations, type Operations } from "../../src/operations/index.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import {
  type OperationsHarness,
  startOperationsHarness,
  textOf,
  WAVES_ON_THE_HARNESS_CLOCK,
} from "../e2e/helpers/operations-harness.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let h: OperationsHarness;
const metrics = createPrometheusMetrics();
/** A counter's value on `/metrics` now (0 before its first count). */
async function counted(series: string): Promise<number> {
  const line = (await metrics.render()).split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
/** Other operations instances over the harness's store (replicas, restarts), stopped after each test. */
const others: Operations[] = [];

beforeAll(async () => {
  h = await startOperationsHarness({
    operations: {
      // The bot's clock jumps by minutes and hours here: the runs' leases must outlive the jumps.
      runLeaseTtlMs: 48 * HOUR,
      // Looked for often by the timers; what is due is judged by the (moved) clock, at the shipped pace.
      jobFollowUps: { passIntervalMs: 20 },
      waves: WAVES_ON_THE_HARNESS_CLOCK.waves,
      metrics,
    },
  });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  for (const o of others.splice(0)) await o.stop(2_000);
  await h.ops.idle();
  h.sim.control.reset();
});

let seq = 0;
function addServer(): { id: string; name: string } {
  seq++;
  return h.sim.control.addServer({ name: `late-job-${seq}`, status: "ACTIVE", tags: { env: "dev" } });
}

/** Another operations instance over the same store (a replica, or the bot after a restart). */
async function startInstance(replicaId: string): Promise<Operations> {
  const o = createOperations({ ...h.opsOptions, replicaId, chat: createSlackChat(h.bot.app.client) });
  others.push(o);
  await o.start();
  return o;
}

const followUps = (card: FakeSlackMessage) =>
  h.replies(card).filter((m) => /update on (your|the) \*\w+\* \(its outcome was unknown\)/.test(textOf(m)));
const summaryOf = (card: FakeSlackMessage) =>
  h.replies(card).find((m) => (m.text ?? "").startsWith("stop: "));
const jobReads = (jobId: string) =>
  h.sim.control.requests().filter((r) => r.method === "GET" && r.path.endsWith(`/jobs/${jobId}`));

/** A real moment for the timers' passes (every 20 ms) to look at what the clock made due. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/**
 * Stops a new server with a job the cloud keeps RUNNING for 10 hours, and lets the bot's clock pass the wait's
 * 15 minutes: the run ends with the server "outcome unknown". Returns the card and the job.
 */
async function stopPastTheDeadline(): Promise<{
  server: { id: string; name: string };
  card: FakeSlackMessage;
  jobId: string;
}> {
  const server = addServer();
  const timing = h.sim.control.jobTiming();
  h.sim.control.setJobTiming({ runningMs: 10 * HOUR });
  try {
    expect((await h.command(`stop ${server.name}`)).status).toBe(200);
    const card = await h.waitCard(`/ecs stop ${server.name}`);
    const jobId = await h.fake.waitFor(
      () => h.sim.control.jobs().find((j) => j.serverIds.includes(server.id))?.id,
    );
    // The run follows the job (its wait reads it): now its 15 minutes pass.
    await h.fake.waitFor(() => jobReads(jobId)[0]);
    h.clock.advance(16 * MINUTE);
    const summary = await h.fake.waitFor(() => summaryOf(card), 10_000);
    expect(summary.text).toContain("outcome unknown for 1 server");
    await h.ops.idle();
    return { server, card, jobId };
  } finally {
    h.sim.control.setJobTiming(timing);
  }
}

/** The card's text once the run ended: the follow-up must leave it as it is. */
async function finalCard(server: { name: string }): Promise<string> {
  return textOf(await h.waitCard(`/ecs stop ${server.name}`, (t) => t.includes("Outcome unknown")));
}

it("one follow-up once the cloud finishes the job, none before; the run's outcome stays as it ended", async () => {
  const { server, card, jobId } = await stopPastTheDeadline();
  const cardBefore = await finalCard(server);
  h.sim.control.clearRequests();

  // Before the first due time (2 minutes after the run ended): nothing is read, nothing posted.
  await h.ops.followUpJobs();
  await settle();
  expect(jobReads(jobId)).toHaveLength(0);
  // Due: the job is read once, still RUNNING: nothing posted.
  h.clock.advance(2 * MINUTE + 1_000);
  await settle();
  await h.ops.followUpJobs();
  expect(jobReads(jobId)).toHaveLength(1);
  expect(followUps(card)).toEqual([]);
  // Next due 3 minutes later (backing off): not before.
  h.clock.advance(2 * MINUTE);
  await settle();
  expect(jobReads(jobId)).toHaveLength(1);

  // The cloud finishes the job; at the next due time the one follow-up is posted.
  h.sim.control.advance(10 * HOUR);
  expect(h.sim.control.server(server.id)?.status).toBe("SHUTOFF");
  h.clock.advance(MINUTE + 1_000);
  const posted = await h.fake.waitFor(() => followUps(card)[0], 10_000);
  const text = textOf(posted);
  expect(text).toContain(
    "update on your *stop* (its outcome was unknown): Huawei Cloud finished it, *succeeded*, at",
  );
  // The push preview leads with the outcome and the server, never the job's ID; the ID is in the context.
  expect(posted.text).toMatch(
    new RegExp(`^Update: stop ${server.name} succeeded after all \\(Huawei Cloud, [\\dhm ]+ later\\)$`),
  );
  expect(text).toContain(`Cloud job \`${jobId}\``);
  expect(text).toContain(`\`${server.name}\``);
  expect(text).toContain("in the job: succeeded · now: SHUTOFF");
  expect(text).toContain("the run's recorded outcome stays as it ended");

  // Exactly one, whatever passes follow and however much time.
  for (const ms of [10 * MINUTE, HOUR, 25 * HOUR]) {
    h.clock.advance(ms);
    await h.ops.followUpJobs();
    await settle();
  }
  expect(followUps(card)).toHaveLength(1);
  // The cloud was asked little: the job twice (RUNNING, then SUCCESS), the server once, by its ID; no listing.
  expect(jobReads(jobId)).toHaveLength(2);
  const reads = h.sim.control.requests().map((r) => `${r.method} ${r.path}`);
  expect(reads.filter((p) => p.includes(server.id))).toHaveLength(1);
  expect(reads.filter((p) => p.endsWith("servers/detail"))).toEqual([]);
  expect(h.mutations()).toEqual([]);

  // Audited once, as a step of the run, with the job; the run's record and card stay as the run ended.
  const entries = await h.audit.query({ serverId: server.id, limit: 50 });
  const followed = entries.filter((e) => e.detail?.phase === "job_followed_up");
  expect(followed).toHaveLength(1);
  expect(followed[0]).toMatchObject({
    type: "execution.step",
    jobId,
    detail: { ending: "finished", status: "SUCCESS" },
  });
  expect(entries.filter((e) => e.type === "execution.finished").map((e) => e.outcome)).toEqual([
    "outcome_unknown",
  ]);
  expect(await finalCard(server)).toBe(cardBefore);
});

it("a job that never ends: after 24 hours, one reply says the bot stopped following it; polls stay bounded", async () => {
  const ops = h.ops;
  const server = addServer();
  const timing = h.sim.control.jobTiming();
  h.sim.control.setJobTiming({ runningMs: 100 * HOUR });
  let card: FakeSlackMessage;
  let jobId: string;
  try {
    expect((await h.command(`stop ${server.name}`)).status).toBe(200);
    card = await h.waitCard(`/ecs stop ${server.name}`);
    jobId = await h.fake.waitFor(() => h.sim.control.jobs().find((j) => j.serverIds.includes(server.id))?.id);
    await h.fake.waitFor(() => jobReads(jobId)[0]);
  } finally {
    h.sim.control.setJobTiming(timing);
  }
  h.clock.advance(16 * MINUTE);
  await h.fake.waitFor(() => summaryOf(card), 10_000);
  await ops.idle();
  h.sim.control.clearRequests();

  // A day less the last step, by steps of 10 minutes (the interval's cap): at most one read of the job each.
  for (let elapsed = 10 * MINUTE; elapsed < 24 * HOUR; elapsed += 10 * MINUTE) {
    h.clock.advance(10 * MINUTE);
    await ops.followUpJobs();
  }
  expect(followUps(card)).toEqual([]);
  const polls = jobReads(jobId).length;
  expect(polls).toBeGreaterThan(24 * 6 - 10);
  expect(polls).toBeLessThanOrEqual(24 * 6);
  h.clock.advance(20 * MINUTE);
  await ops.followUpJobs();
  const posted = await h.fake.waitFor(() => followUps(card)[0], 10_000);
  expect(textOf(posted)).toContain(
    "Huawei Cloud had still not finished it after 1d (last seen running), so the bot stopped following it",
  );
  h.clock.advance(HOUR);
  await ops.followUpJobs();
  await settle();
  expect(followUps(card)).toHaveLength(1);
  expect(jobReads(jobId).length).toBe(polls);
});

it("the job fails later: the reply says FAIL and why; a job gone from the cloud: said so, with the servers read then", async () => {
  h.sim.control.failNextJob({ reason: "host <b>maintenance</b>", errorCode: "Ecs.0100" });
  const failing = await stopPastTheDeadline();
  h.sim.control.advance(10 * HOUR);
  h.clock.advance(2 * MINUTE + 1_000);
  const failed = textOf(await h.fake.waitFor(() => followUps(failing.card)[0], 10_000));
  expect(failed).toContain("Huawei Cloud finished it, *failed*");
  expect(failed).toContain(`Cloud job \`${failing.jobId}\``);
  expect(failed).toContain("in the job: failed (host &lt;b&gt;maintenance&lt;/b&gt;)");

  // A job whose record the cloud purged (a day after its end) before the bot looked again.
  const purged = await stopPastTheDeadline();
  h.sim.control.advance(10 * HOUR + 25 * HOUR);
  expect(h.sim.control.job(purged.jobId)).toBeUndefined();
  h.clock.advance(2 * MINUTE + 1_000);
  const gone = textOf(await h.fake.waitFor(() => followUps(purged.card)[0], 10_000));
  expect(gone).toContain("it stays unknown. Huawei Cloud no longer had its job when the bot looked at");
  expect(gone).toContain(`Cloud job \`${purged.jobId}\``);
  expect(gone).toContain(`\`${purged.server.name}\``);
  expect(gone).toContain("now: SHUTOFF");
  await settle();
  expect(followUps(failing.card)).toHaveLength(1);
  expect(followUps(purged.card)).toHaveLength(1);
});

it("a rollout in waves stopped by its late job: the job of wave 1 is followed, one reply in the request's thread", async () => {
  const servers = [addServer(), addServer()];
  const names = servers.map((s) => s.name);
  const started = await counted("hwc_chatops_job_follow_ups_started_total");
  const finished = await counted('hwc_chatops_job_follow_ups_ended_total{ending="finished"}');
  const timing = h.sim.control.jobTiming();
  h.sim.control.setJobTiming({ runningMs: 10 * HOUR });
  let card: FakeSlackMessage;
  let jobId: string;
  try {
    expect((await h.command(`stop ${names.join(" ")} --waves 2`)).status).toBe(200);
    card = await h.waitCard(`/ecs stop ${names.join(" ")}`);
    jobId = await h.fake.waitFor(() => h.sim.control.jobs()[0]?.id);
    await h.fake.waitFor(() => jobReads(jobId)[0]);
  } finally {
    h.sim.control.setJobTiming(timing);
  }
  // Wave 1's wait runs out: its server is unknown, and the rollout stops there (wave 2 never sent).
  h.clock.advance(16 * MINUTE);
  const summary = await h.fake.waitFor(
    () => h.replies(card).find((m) => textOf(m).includes("your request finished")),
    10_000,
  );
  expect(textOf(summary)).toContain("outcome unknown for 1 server");
  await h.ops.idle();
  expect(h.mutations("batchStopServers")).toHaveLength(1);
  expect(await counted("hwc_chatops_job_follow_ups_started_total")).toBe(started + 1);

  h.sim.control.advance(10 * HOUR);
  h.clock.advance(2 * MINUTE + 1_000);
  const posted = textOf(await h.fake.waitFor(() => followUps(card)[0], 10_000));
  expect(posted).toContain("Huawei Cloud finished it, *succeeded*");
  expect(posted).toContain(`\`${names[0]}\``);
  expect(posted).not.toContain(`\`${names[1]}\``);
  await settle();
  expect(followUps(card)).toHaveLength(1);
  expect(h.mutations("batchStopServers")).toHaveLength(1);
  expect(await counted('hwc_chatops_job_follow_ups_ended_total{ending="finished"}')).toBe(finished + 1);
});

it("two replicas on one store: one poll per due time, one follow-up; a restart resumes it", async () => {
  const { card, jobId } = await stopPastTheDeadline();
  const requestId = (await h.audit.query({ type: "execution.finished", limit: 1 }))[0]!.requestId;
  h.sim.control.clearRequests();
  const b = await startInstance("replica-b");

  // Both replicas look at every pass; each due time is polled by one of them only.
  h.clock.advance(2 * MINUTE + 1_000);
  await Promise.all([h.ops.followUpJobs(), b.followUpJobs()]);
  await settle();
  expect(jobReads(jobId)).toHaveLength(1);
  h.clock.advance(3 * MINUTE + 1_000);
  await Promise.all([h.ops.followUpJobs(), b.followUpJobs()]);
  await settle();
  expect(jobReads(jobId)).toHaveLength(2);
  expect(followUps(card)).toEqual([]);

  // Both stop (a deploy: the harness's own instance too, so this test comes last); the bot starts again over the same store and takes the follow-up up.
  await b.stop(2_000);
  await h.ops.stop(2_000);
  const restarted = await startInstance("restarted");
  const again = await startInstance("restarted-b");
  h.sim.control.advance(10 * HOUR);
  h.clock.advance(5 * MINUTE);
  await Promise.all([restarted.followUpJobs(), again.followUpJobs()]);
  const posted = await h.fake.waitFor(() => followUps(card)[0], 10_000);
  expect(textOf(posted)).toContain("Huawei Cloud finished it, *succeeded*");
  for (let i = 0; i < 3; i++) {
    h.clock.advance(10 * MINUTE);
    await Promise.all([restarted.followUpJobs(), again.followUpJobs()]);
    await settle();
  }
  expect(followUps(card)).toHaveLength(1);
  expect(jobReads(jobId)).toHaveLength(3);
  const entries = await h.audit.query({ ...(requestId !== undefined && { requestId }), limit: 200 });
  expect(entries.filter((e) => e.jobId === jobId && e.detail?.phase === "job_followed_up")).toHaveLength(1);
});
