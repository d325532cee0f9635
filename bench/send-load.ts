/**
 * The load generator of `bench-ack.ts`, in a thread of its own: it signs and sends the prepared bodies at the
 * given rate and times each answer, so that what it measures is the ack as Slack would see it, not the wait
 * for the bench process's own event loop, which also serves the simulated cloud and the fake Slack.
 */
import { parentPort } from "node:worker_threads";
import { sendSignedRequest } from "../test/helpers/slack-requests.js";

export interface LoadPlan {
  url: string;
  signingSecret: string;
  /** Form-encoded bodies, sent in order. */
  bodies: string[];
  /** Requests a second. */
  rate: number;
  /**
   * How many of the first bodies are a lead-in: sent at the same rate but not timed; once the last of them is
   * sent the thread says so (`{ leadInSent: true }`), before its times, so the caller can start counting there.
   */
  leadIn?: number;
}

/** Said once a plan's lead-in has been sent, before its {@link LoadTimes}. */
export interface LeadInSent {
  leadInSent: true;
}

export interface LoadTimes {
  /** Milliseconds from send to answer, one per request, in the order answered. */
  latencies: number[];
  /** Answers other than 200, and requests that got no answer. */
  failed: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one plan's bodies at its rate and times each answer. */
async function run(plan: LoadPlan): Promise<LoadTimes> {
  const latencies: number[] = [];
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const leadIn = plan.leadIn ?? 0;
  for (const [i, body] of plan.bodies.entries()) {
    const wait = start + (i * 1000) / plan.rate - performance.now();
    if (wait > 1) await sleep(wait);
    if (i === leadIn && leadIn > 0) parentPort?.postMessage({ leadInSent: true } satisfies LeadInSent);
    const timed = i >= leadIn;
    const sentAt = performance.now();
    inFlight.push(
      sendSignedRequest(plan.url, plan.signingSecret, body, "application/x-www-form-urlencoded").then(
        (r) => {
          if (!timed) return;
          latencies.push(performance.now() - sentAt);
          if (r.status !== 200) failed += 1;
        },
        () => {
          if (!timed) return;
          latencies.push(performance.now() - sentAt);
          failed += 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { latencies, failed };
}

// One thread for every load of a bench run: it is started before the bench's own thread lowers its priority
// (see `bench-ack.ts`), so it keeps the priority it was created with. Plans arrive one at a time.
parentPort?.on("message", (plan: LoadPlan) => {
  run(plan).then((times) => parentPort?.postMessage(times));
});
