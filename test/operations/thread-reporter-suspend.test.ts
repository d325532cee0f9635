/**
 * A replica letting go of a run (`suspend`): a run that finished still gets its last state in its status
 * message (a wave that just ended, during the pause: else it stays "running" until someone adopts the run),
 * while a run still going leaves its message to the replica that continues it (an edit from here could land
 * after the new owner's and show an older state).
 */
import pino from "pino";
import { expect, it } from "vitest";
import type { ChatPort, MessageRef } from "../../src/app/ports.js";
import { createThreadReporter } from "../../src/operations/create-thread-reporter.js";
import type { Message } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import type { FlowEvent } from "../../src/workflow/flow-events.js";
import { emptyCounts, type FlowOutcome } from "../../src/workflow/summarize-run.js";
import { createManualTime } from "./manual-time.js";

function reporterOnManualTime() {
  const time = createManualTime(1_000_000);
  const texts: string[] = [];
  const chat = {
    postMessage: async (channel: string, message: Message) => {
      texts.push(JSON.stringify(renderBlockKit(message).blocks));
      return { channel, ts: `1.${texts.length}` } satisfies MessageRef;
    },
    updateMessage: async (_ref: MessageRef, message: Message) => {
      texts.push(JSON.stringify(renderBlockKit(message).blocks));
    },
  } as unknown as ChatPort;
  const reporter = createThreadReporter({
    chat,
    root: { channel: "C1", ts: "1.0" },
    clock: time.clock,
    logger: pino({ level: "silent" }),
    timers: time.timers,
    intervalMs: 60_000,
  });
  return { time, texts, reporter };
}

const started = (at: number): FlowEvent => ({
  type: "run_started",
  runId: "r1.w1",
  requestId: "apr_1",
  operation: "reboot",
  at,
  resumed: false,
  targets: [{ id: "a", name: "web-03" }],
  steps: [{ id: "reboot", kind: "call", description: "Reboot.", call: "ecs.batch_reboot" }],
  wave: { number: 1, of: 2 },
});

function finished(at: number): FlowEvent {
  const outcome: FlowOutcome = {
    runId: "r1.w1",
    requestId: "apr_1",
    operation: "reboot",
    status: "succeeded",
    verb: "reboot",
    include: [],
    startedAt: at - 4_000,
    finishedAt: at,
    durationMs: 4_000,
    servers: [{ id: "a", name: "web-03", result: "succeeded" }],
    counts: { ...emptyCounts(), succeeded: 1 },
    failuresByReason: [],
    unknownByReason: [],
    jobs: [],
    drift: [],
    resumes: 0,
  };
  return { type: "run_finished", runId: "r1.w1", outcome, at };
}

it("a run that finished gets its last state when the replica lets go, before the interval allows it", async () => {
  const { time, texts, reporter } = reporterOnManualTime();
  reporter.onEvent(started(time.clock.now()));
  await time.advance(1_000);
  expect(texts.at(-1)).toContain("running since");
  // The end comes within the minute-long interval: its edit waits.
  reporter.onEvent(finished(time.clock.now()));
  await time.advance(1_000);
  expect(texts.at(-1)).toContain("running since");

  const suspended = reporter.suspend();
  await time.advance(60_000);
  await suspended;
  expect(texts.at(-1)).toContain("of 1 server: finished after");
});

it("a run still going leaves its message as it was: its pending edit is not sent", async () => {
  const { time, texts, reporter } = reporterOnManualTime();
  reporter.onEvent(started(time.clock.now()));
  await time.advance(1_000);
  const shown = texts.length;
  reporter.onEvent({
    type: "step_started",
    runId: "r1.w1",
    stepId: "reboot",
    kind: "call",
    description: "Reboot.",
    serverIds: ["a"],
    at: time.clock.now(),
  });
  const suspended = reporter.suspend();
  await time.advance(60_000);
  await suspended;
  expect(texts).toHaveLength(shown);
});
