import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ChatPort, MessageRef } from "../../src/app/ports.js";
import { createThreadReporter } from "../../src/operations/create-thread-reporter.js";
import { context, type Message, md } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import type { FlowEvent } from "../../src/workflow/flow-events.js";
import { emptyCounts, type FlowOutcome } from "../../src/workflow/summarize-run.js";
import { blocksText } from "../helpers/read-slack-blocks.js";
import { expectHarmless, render } from "../views/view-test-helpers.js";
import { createManualTime } from "./manual-time.js";

/** A chat that records every post and update of the status message as rendered text. */
function recordingChat() {
  const posts: string[] = [];
  const updates: { at: number; text: string }[] = [];
  /** Every message in the thread as it stands now, by its `ts`. */
  const thread = new Map<string, Message>();
  let now = () => 0;
  const text = (m: Message) => JSON.stringify(renderBlockKit(m).blocks);
  const chat = {
    postMessage: async (channel: string, message: Message) => {
      posts.push(text(message));
      const ref = { channel, ts: `1.${posts.length}` } satisfies MessageRef;
      thread.set(ref.ts, message);
      return ref;
    },
    updateMessage: async (ref: MessageRef, message: Message) => {
      updates.push({ at: now(), text: text(message) });
      thread.set(ref.ts, message);
    },
  } as unknown as ChatPort;
  return { chat, posts, updates, thread, setNow: (fn: () => number) => (now = fn) };
}

const run = (at: number): FlowEvent[] => [
  {
    type: "run_started",
    runId: "r1",
    requestId: "apr_1",
    operation: "stop",
    at,
    resumed: false,
    targets: [{ id: "a", name: "web-03" }],
    steps: [
      { id: "recheck", kind: "recheck", description: "Re-read every target." },
      {
        id: "stop",
        kind: "call",
        description: "The intent is saved before the call.",
        call: "ecs.batch_stop",
      },
      { id: "wait_stopped", kind: "wait", description: "Follow the stop jobs.", expect: "stopped" },
    ],
  },
  {
    type: "step_started",
    runId: "r1",
    stepId: "wait_stopped",
    kind: "wait",
    description: "Follow the stop jobs.",
    serverIds: ["a"],
    at,
  },
];

/** A reporter on manual time, 1 s apart, that has seen the run start and its wait step begin 2 s ago. */
async function startedRun() {
  const time = createManualTime(1_000_000);
  const rec = recordingChat();
  rec.setNow(time.clock.now);
  const reporter = createThreadReporter({
    chat: rec.chat,
    root: { channel: "C1", ts: "1.0" },
    clock: time.clock,
    logger: pino({ level: "silent" }),
    timers: time.timers,
    intervalMs: 1_000,
  });
  for (const e of run(time.clock.now())) reporter.onEvent(e);
  await time.advance(2_000);
  return { time, rec, reporter };
}

describe("createThreadReporter", () => {
  it("refreshes the status message at least every 15 s while a slow job sends no events, saying since when it runs", async () => {
    const { time, rec, reporter } = await startedRun();
    // The run's start and its wait step's came at once: one post shows both.
    expect(rec.posts).toHaveLength(1);
    expect(rec.updates).toHaveLength(0);
    expect(rec.posts[0]).toContain("now: wait until they are stopped");

    // Two minutes without an event: the message still moves on, at least every 15 s.
    await time.advance(120_000);
    const times = rec.updates.map((u) => u.at);
    expect(times.length).toBeGreaterThanOrEqual(8);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(15_000);
    expect(rec.updates.at(-1)?.text).toContain("running since <!date^1000^{time}|00:16 UTC>");
    expect(rec.updates.at(-1)?.text).not.toContain("The intent is saved");

    await reporter.suspend();
    const after = rec.updates.length;
    await time.advance(60_000);
    expect(rec.updates).toHaveLength(after);
    expect(time.pendingTimers()).toBe(0);
  });

  it("a job poll that saw nothing new does not update the message; a change does, and the ticker keeps the time", async () => {
    const { time, rec, reporter } = await startedRun();
    const poll = (status: string, succeeded: number): FlowEvent => ({
      type: "job_progress",
      runId: "r1",
      stepId: "wait_stopped",
      jobId: "job-1",
      source: "job",
      status,
      counts: { total: 1, succeeded, failed: 0, running: 1 - succeeded },
      at: time.clock.now(),
    });
    reporter.onEvent(poll("RUNNING", 0));
    await time.advance(2_000);
    const afterFirstPoll = rec.updates.length;
    // Three more polls, each 2 s apart, all still RUNNING: nothing the reader sees has changed.
    for (let i = 0; i < 3; i++) {
      reporter.onEvent(poll("RUNNING", 0));
      await time.advance(2_000);
    }
    expect(rec.updates).toHaveLength(afterFirstPoll);
    reporter.onEvent(poll("SUCCESS", 1));
    await time.advance(2_000);
    expect(rec.updates).toHaveLength(afterFirstPoll + 1);
    expect(rec.updates.at(-1)?.text).toContain("1 of 1");
    // Without news, the elapsed time still moves on the ticker's schedule.
    await time.advance(15_000);
    expect(rec.updates.length).toBeGreaterThan(afterFirstPoll + 1);
    await reporter.suspend();
  });

  it("a job's end waits the settle time, and is shown then when nothing follows it; what follows it waits for the interval", async () => {
    const { time, rec, reporter } = await startedRun();
    const before = rec.updates.length;
    reporter.onEvent(jobEnded(time.clock.now()));
    await time.advance(249);
    expect(rec.updates).toHaveLength(before);
    await time.advance(1);
    expect(rec.updates).toHaveLength(before + 1);
    expect(rec.updates.at(-1)?.text).toContain("1 of 1 done");
    reporter.onEvent(waitFinished(time.clock.now()));
    await time.advance(999);
    expect(rec.updates).toHaveLength(before + 1);
    await time.advance(1);
    expect(rec.updates).toHaveLength(before + 2);
    expect(rec.updates.at(-1)?.text).toContain("1 done");
    await reporter.suspend();
  });

  it("a run that ends within the settle time after its last job's end is one update of the status message: its end", async () => {
    const { time, rec, reporter } = await startedRun();
    const before = rec.updates.length;
    const startedAt = time.clock.now() - 2_000;
    reporter.onEvent(jobEnded(time.clock.now()));
    await time.advance(100);
    reporter.onEvent(waitFinished(time.clock.now()));
    const finished = reporter.finish(
      outcomeOf("r1", "succeeded", { startedAt, finishedAt: time.clock.now() }, [
        { name: "web-03", result: "succeeded" },
      ]),
    );
    await time.advance(149);
    expect(rec.updates).toHaveLength(before);
    await time.advance(1);
    await finished;
    expect(rec.updates).toHaveLength(before + 1);
    expect(rec.updates.at(-1)?.text).toContain("finished after 2s");
    // The status message, then the summary.
    expect(rec.posts).toHaveLength(2);
    expect(time.pendingTimers()).toBe(0);
  });

  it.each(["finish", "abandon"] as const)(
    "%s: what is posted below the status message does not wait for its last edit (held by a rate limit); shown() does",
    async (end) => {
      const { time, rec, reporter } = await startedRun();
      const startedAt = time.clock.now() - 2_000;
      // From now on Slack holds every edit of the status message until the test lets it through.
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const edit = rec.chat.updateMessage.bind(rec.chat);
      rec.chat.updateMessage = async (ref, message) => {
        await held;
        await edit(ref, message);
      };
      reporter.onEvent(jobEnded(time.clock.now()));
      await time.advance(300);
      const ended =
        end === "finish"
          ? reporter.finish(
              outcomeOf("r1", "succeeded", { startedAt, finishedAt: time.clock.now() }, [
                { name: "web-03", result: "succeeded" },
              ]),
            )
          : reporter.abandon({
              text: "The execution could not run",
              blocks: [context(md`The execution could not run`)],
            });
      await time.advance(1_000);
      await ended;
      // The status message, then the summary or the notice, while the edit still waits.
      expect(rec.posts).toHaveLength(2);
      expect(rec.updates).toHaveLength(0);
      let shown = false;
      void reporter.shown().then(() => {
        shown = true;
      });
      await time.advance(1_000);
      expect(shown).toBe(false);
      release();
      await reporter.shown();
      expect(rec.updates.at(-1)?.text).toContain(end === "finish" ? "finished after" : "1 of 1 done");
      expect(time.pendingTimers()).toBe(0);
    },
  );
});

/** The end of the run's one job, as the wait step's poll sees it. */
function jobEnded(at: number): FlowEvent {
  return {
    type: "job_progress",
    runId: "r1",
    stepId: "wait_stopped",
    jobId: "job-1",
    source: "job",
    status: "SUCCESS",
    counts: { total: 1, succeeded: 1, failed: 0, running: 0 },
    at,
  };
}

/** The end of the run's wait step, right after its job's. */
function waitFinished(at: number): FlowEvent {
  return {
    type: "step_finished",
    runId: "r1",
    stepId: "wait_stopped",
    kind: "wait",
    status: "succeeded",
    counts: { succeeded: 1, failed: 0, unknown: 0, skipped: 0, incomplete: 0, not_started: 0 },
    jobIds: ["job-1"],
    at,
  };
}

/** An outcome of `runId` (a stop), as the executor or the waves give it. */
function outcomeOf(
  runId: string,
  status: FlowOutcome["status"],
  times: { startedAt: number; finishedAt: number },
  servers: { name: string; result: "succeeded" | "failed" }[],
): FlowOutcome {
  const counts = emptyCounts();
  for (const s of servers) counts[s.result]++;
  const outcomeServers = servers.map((s) => ({
    id: `id-${s.name}`,
    name: s.name,
    result: s.result,
    ...(s.result === "failed" && { stepId: "stop", code: "Ecs.0111", reason: "disk busy" }),
  }));
  const failed = outcomeServers.filter((s) => s.result === "failed");
  return {
    runId,
    requestId: "apr_1",
    operation: "stop",
    status,
    verb: "stopped",
    include: ["duration", "per_server_results", "failures_by_reason"],
    ...times,
    durationMs: times.finishedAt - times.startedAt,
    servers: outcomeServers,
    counts,
    failuresByReason:
      failed.length > 0
        ? [
            {
              code: "Ecs.0111",
              reason: "disk busy",
              servers: failed.map((s) => ({ id: s.id, name: s.name })),
            },
          ]
        : [],
    unknownByReason: [],
    jobs: [],
    drift: [],
    resumes: 0,
  };
}

const STOP_STEPS = (run(0)[0] as Extract<FlowEvent, { type: "run_started" }>).steps;
const counts = (succeeded: number, failed = 0) => ({ ...emptyCounts(), succeeded, failed });

/** The events of a whole stop run of `names` (the first `failed` of them fail in the wait), from `at`. */
function stopRun(
  runId: string,
  names: string[],
  at: number,
  options: { failed?: number; wave?: { number: number; of: number }; endsAt: number },
): { events: FlowEvent[]; outcome: FlowOutcome } {
  const ids = names.map((n) => `id-${n}`);
  const failed = options.failed ?? 0;
  const outcome = outcomeOf(
    runId,
    failed > 0 ? "failed" : "succeeded",
    { startedAt: at, finishedAt: options.endsAt },
    names.map((name, i) => ({ name, result: i < failed ? "failed" : "succeeded" })),
  );
  const step = (
    stepId: string,
    kind: "recheck" | "call" | "wait",
    status: "succeeded" | "failed",
    c = counts(names.length),
  ): FlowEvent[] => [
    { type: "step_started", runId, stepId, kind, description: "", serverIds: ids, at },
    { type: "step_finished", runId, stepId, kind, status, counts: c, jobIds: [], at },
  ];
  return {
    outcome,
    events: [
      {
        type: "run_started",
        runId,
        requestId: "apr_1",
        operation: "stop",
        at,
        resumed: false,
        targets: names.map((name) => ({ id: `id-${name}`, name })),
        steps: STOP_STEPS,
        ...(options.wave !== undefined && { wave: options.wave }),
      },
      ...step("recheck", "recheck", "succeeded"),
      ...step("stop", "call", "succeeded"),
      ...step(
        "wait_stopped",
        "wait",
        failed > 0 ? "failed" : "succeeded",
        counts(names.length - failed, failed),
      ),
      { type: "run_finished", runId, outcome, at: options.endsAt },
    ],
  };
}

describe("createThreadReporter: a resumed run", () => {
  it("continues the status message posted before, from where the record stands, and ends with the summary's time", async () => {
    const time = createManualTime(1_000_000);
    const rec = recordingChat();
    const found: string[] = [];
    const reporter = createThreadReporter({
      chat: rec.chat,
      root: { channel: "C1", ts: "1.0" },
      findStatusMessage: async (runId) => {
        found.push(runId);
        return { channel: "C1", ts: "1.7" };
      },
      clock: time.clock,
      logger: pino({ level: "silent" }),
      timers: time.timers,
      intervalMs: 1_000,
      requesterId: "U_ALICE",
    });
    // Another process started it 40 s ago; its re-check and its call were done when it stopped.
    const startedAt = time.clock.now() - 40_000;
    const steps = STOP_STEPS.map((s) =>
      s.id === "wait_stopped"
        ? { ...s, status: "running" as const, serverCount: 1 }
        : { ...s, status: "succeeded" as const, serverCount: 1, counts: counts(1) },
    );
    reporter.onEvent({
      type: "run_started",
      runId: "r1",
      requestId: "apr_1",
      operation: "stop",
      at: time.clock.now(),
      resumed: true,
      startedAt,
      currentStepId: "wait_stopped",
      targets: [{ id: "id-web-03", name: "web-03" }],
      steps,
    });
    await time.advance(2_000);
    expect(found).toEqual(["r1"]);
    expect(rec.posts).toEqual([]);
    const adopted = blocksText(renderBlockKit(rec.thread.get("1.7")!).blocks);
    expect(adopted).toContain(
      "*stop* of 1 server: running since <!date^960^{time}|00:16 UTC> · now: wait until they are stopped (resumed)",
    );
    expect(adopted).toContain(":white_check_mark: Check that nothing changed since approval");
    expect(adopted).toContain(":white_check_mark: Stop the servers");

    const outcome = outcomeOf("r1", "succeeded", { startedAt, finishedAt: time.clock.now() }, [
      { name: "web-03", result: "succeeded" },
    ]);
    reporter.onEvent({
      type: "step_finished",
      runId: "r1",
      stepId: "wait_stopped",
      kind: "wait",
      status: "succeeded",
      counts: counts(1),
      jobIds: ["job-1"],
      at: time.clock.now(),
    });
    reporter.onEvent({ type: "run_finished", runId: "r1", outcome, at: time.clock.now() });
    // The final state is shown as of the run's end, however late the message is updated.
    await time.advance(5_000);
    await reporter.finish(outcome);
    const { kit, golden } = render(rec.thread.get("1.7")!);
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/status-resumed.json");
    expect(blocksText(kit.blocks)).toContain("*stop* of 1 server: finished after 42s (resumed)");
    // One message posted: the summary, with the same time.
    expect(rec.posts).toHaveLength(1);
    expect(rec.posts[0]).toContain("1 stopped in 42s");
  });
});

describe("createThreadReporter: a run in waves", () => {
  it("gives each wave its own status message, saying which; the request's outcome does not overwrite the last", async () => {
    const time = createManualTime(1_000_000);
    const rec = recordingChat();
    const remembered: [string, string][] = [];
    const reporter = createThreadReporter({
      chat: rec.chat,
      root: { channel: "C1", ts: "1.0" },
      findStatusMessage: async () => undefined,
      onStatusPosted: (ref, runId) => {
        remembered.push([runId, ref.ts]);
      },
      clock: time.clock,
      logger: pino({ level: "silent" }),
      timers: time.timers,
      intervalMs: 1_000,
    });
    const start = time.clock.now();
    const wave1 = stopRun("r1.w1", ["web-01", "web-02"], start, {
      failed: 1,
      wave: { number: 1, of: 2 },
      endsAt: start + 5_000,
    });
    for (const e of wave1.events) reporter.onEvent(e);
    // The health gate and the pause between the waves.
    await time.advance(20_000);
    const wave2 = stopRun("r1.w2", ["web-03", "web-04"], time.clock.now(), {
      wave: { number: 2, of: 2 },
      endsAt: time.clock.now() + 4_000,
    });
    for (const e of wave2.events) reporter.onEvent(e);
    await time.advance(4_000);
    // The request's outcome: 3 stopped, 1 failed, over both waves.
    const request = outcomeOf("r1", "failed", { startedAt: start, finishedAt: time.clock.now() }, [
      { name: "web-01", result: "failed" },
      { name: "web-02", result: "succeeded" },
      { name: "web-03", result: "succeeded" },
      { name: "web-04", result: "succeeded" },
    ]);
    await reporter.finish(request);

    expect(remembered).toEqual([
      ["r1.w1", "1.1"],
      ["r1.w2", "1.2"],
    ]);
    expect(rec.posts).toHaveLength(3);
    const first = render(rec.thread.get("1.1")!);
    expectHarmless(first.kit);
    await expect(first.golden).toMatchFileSnapshot("golden/status-wave-failed.json");
    const second = blocksText(renderBlockKit(rec.thread.get("1.2")!).blocks);
    // The last wave's message ends as that wave ended, agreeing with its lines.
    expect(second.split("\n")).toEqual([
      "*Wave 2 of 2*",
      "*stop* of 2 servers: finished after 4s",
      ":white_check_mark: Check that nothing changed since approval",
      ":white_check_mark: Stop the servers",
      ":white_check_mark: Wait until they are stopped — 2 done",
    ]);
    // The summary is the request's.
    expect(rec.posts[2]).toContain("3 stopped, 1 failed in 24s");
  });

  it("a wave's status message posted before (by another replica) is updated, not posted again", async () => {
    const time = createManualTime(1_000_000);
    const rec = recordingChat();
    const reporter = createThreadReporter({
      chat: rec.chat,
      root: { channel: "C1", ts: "1.0" },
      findStatusMessage: async (runId) => (runId === "r1.w2" ? { channel: "C1", ts: "1.42" } : undefined),
      clock: time.clock,
      logger: pino({ level: "silent" }),
      timers: time.timers,
    });
    const wave2 = stopRun("r1.w2", ["web-03"], time.clock.now(), {
      wave: { number: 2, of: 3 },
      endsAt: time.clock.now() + 1_000,
    });
    for (const e of wave2.events) reporter.onEvent(e);
    await time.advance(2_000);
    await reporter.suspend();
    expect(rec.posts).toEqual([]);
    expect(blocksText(renderBlockKit(rec.thread.get("1.42")!).blocks)).toContain("*Wave 2 of 3*");
  });
});
