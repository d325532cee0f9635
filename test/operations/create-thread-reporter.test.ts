import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ChatPort, MessageRef } from "../../src/app/ports.js";
import { createThreadReporter } from "../../src/operations/create-thread-reporter.js";
import type { Message } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import type { FlowEvent } from "../../src/workflow/flow-events.js";
import { createManualTime } from "./manual-time.js";

/** A chat that records every post and update of the status message as rendered text. */
function recordingChat() {
  const posts: string[] = [];
  const updates: { at: number; text: string }[] = [];
  let now = () => 0;
  const text = (m: Message) => JSON.stringify(renderBlockKit(m).blocks);
  const chat = {
    postMessage: async (channel: string, message: Message) => {
      posts.push(text(message));
      return { channel, ts: `1.${posts.length}` } satisfies MessageRef;
    },
    updateMessage: async (_ref: MessageRef, message: Message) => {
      updates.push({ at: now(), text: text(message) });
    },
  } as unknown as ChatPort;
  return { chat, posts, updates, setNow: (fn: () => number) => (now = fn) };
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
  it("refreshes the status message at least every 15 s while a slow job sends no events, with the elapsed time", async () => {
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
    expect(rec.updates.at(-1)?.text).toContain("running for 2m");
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

  it("a job's end is shown at once, without the settle time; what follows it at once waits for the interval", async () => {
    const { time, rec, reporter } = await startedRun();
    const before = rec.updates.length;
    reporter.onEvent({
      type: "job_progress",
      runId: "r1",
      stepId: "wait_stopped",
      jobId: "job-1",
      source: "job",
      status: "SUCCESS",
      counts: { total: 1, succeeded: 1, failed: 0, running: 0 },
      at: time.clock.now(),
    });
    await time.advance(0);
    expect(rec.updates).toHaveLength(before + 1);
    expect(rec.updates.at(-1)?.text).toContain("1 of 1 done");
    reporter.onEvent({
      type: "step_finished",
      runId: "r1",
      stepId: "wait_stopped",
      kind: "wait",
      status: "succeeded",
      counts: { succeeded: 1, failed: 0, unknown: 0, skipped: 0, incomplete: 0, not_started: 0 },
      jobIds: ["job-1"],
      at: time.clock.now(),
    });
    await time.advance(999);
    expect(rec.updates).toHaveLength(before + 1);
    await time.advance(1);
    expect(rec.updates).toHaveLength(before + 2);
    expect(rec.updates.at(-1)?.text).toContain("1 done");
    await reporter.suspend();
  });
});
