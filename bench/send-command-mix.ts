/** One measured window of the ack benchmark: a mix of commands and clicks sent at a rate, and what it cost. */
import { once } from "node:events";
import type { Worker } from "node:worker_threads";
import { buildSlashCommandPayload } from "../src/sandbox/slack/build-slack-payloads.js";
import { type FakeSlack, type FakeSlackChannel, SLACK_IDS } from "../src/sandbox/slack/index.js";
import { cpuSplitMs, normalPriorityCpuMs, threadCpuMs } from "./read-process-stats.js";
import type { LoadPlan, LoadTimes } from "./send-load.js";
import type { Child } from "./start-app-process.js";
import { percentile } from "./statistics.js";

export interface LoadResult {
  sent: number;
  p50: number;
  p99: number;
  max: number;
  over3s: number;
  failed: number;
  cpuPerCommandMs: number;
  /** The part of `cpuPerCommandMs` spent in the kernel. */
  systemPerCommandMs: number;
  /** The part of `cpuPerCommandMs` spent by threads at the normal priority (the bot: its ack thread). */
  normalPriorityPerCommandMs: number;
  /** The part spent by the process's first thread (the bot's own event loop; the bare app's only one). */
  mainThreadPerCommandMs: number;
}

/** The requests the load can send, cheapest first, as the by-kind figure names them. */
export const KIND_NAMES: readonly (readonly [number, string])[] = [
  [3, "Next click"],
  [1, "/ecs show"],
  [0, "/ecs list"],
  [2, "/ecs stop"],
];

/** Which requests the load mixes (0 list, 1 show, 2 stop, 3 Next click); `BENCH_ACK_KINDS=2` for stops only. */
export const kinds = (process.env.BENCH_ACK_KINDS ?? "0,1,2,3").split(",").map(Number);

/**
 * `BENCH_ACK_STOPS`: `new` (the default), each `/ecs stop` names a server not asked for before in the run, in
 * the next of many channels, so that it is a new request (the policy's decision, the preflight, a card, and for
 * a server not tagged env=prod the run, its job and its thread); `repeated`, the mix as it was until 7 Dec 2026:
 * every window sends the same stops in #ops, so from the second window on they are stops asked again (answered
 * with a link to the request still waiting, or refused by the preflight), far cheaper than new ones.
 */
export const stopMode = (() => {
  const mode = process.env.BENCH_ACK_STOPS ?? "new";
  if (mode !== "new" && mode !== "repeated")
    throw new Error(`BENCH_ACK_STOPS must be "new" or "repeated", not ${JSON.stringify(mode)}`);
  return mode;
})();

/**
 * Posts a new stop makes in its channel (its card, its thread's status message and summary; at most, for an
 * allowed one), for {@link stopChannelCount}.
 */
const POSTS_PER_STOP = 3;

/**
 * How many channels the new stops take turns in (`BENCH_ACK_STOP_CHANNELS`): by default enough that each stays
 * within Slack's posting rate for `chat.postMessage`, about one message a second per channel, even in the
 * window of stops alone (`rate` stops a second). The fake Slack enforces no rate (only injected 429s), so the
 * bench keeps to it itself, as a workspace would have to: 25 new stops a second in one channel is not a load
 * Slack would take, and the bot's posts would queue behind its 429s.
 */
export function stopChannelCount(rate: number): number {
  const given = process.env.BENCH_ACK_STOP_CHANNELS;
  if (given === undefined) return Math.max(1, Math.ceil(rate * POSTS_PER_STOP));
  const count = Number(given);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`BENCH_ACK_STOP_CHANNELS must be a whole number of channels, at least 1, not ${given}`);
  return count;
}

/** The public channels the new stops are asked in, the bot and every person of the seeded world members. */
export function stopChannels(count: number, members: readonly string[]): FakeSlackChannel[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, "0");
    return {
      id: `C_BENCH_${n}`,
      name: `bench-${n}`,
      isPrivate: false,
      isIm: false,
      isArchived: false,
      members: [...members],
    };
  });
}

/**
 * What the stops of the mix name. New stops walk `servers` (the fleet less the servers the pending-approval RSS
 * figure reboots, so that its requests find them running) from where the last window to `target` stopped, and
 * `channels` in turn; each app has its own walk, as each has its own store.
 */
export interface StopPlan {
  servers: readonly string[];
  channels: readonly string[];
}

/** New stops sent so far to each app in this process. */
const newStopsSent = new WeakMap<Child, number>();

/**
 * A step through the fleet prime to its size, so that the walk names every server once before any again, and
 * neighbouring stops name servers far apart (other groups, other tags), as the mix's shows do.
 */
const strideFor = (n: number) => (n % 7919 !== 0 ? 7919 : 7907);

/**
 * Seconds of the same load sent just before each measured window and not counted (`BENCH_ACK_LEAD_IN_SECONDS`,
 * default 0: none). The bench pauses each app while it measures the other, and a pause is where the bot gives its
 * heap back (`give-back-memory.ts`): the full collection that does it also frees the hidden classes of objects no
 * longer alive, and V8 then throws away the optimized code built on them, so the first seconds after a pause run
 * code being compiled again (an A/B against the bot without the give-back: 1.12x without a lead-in, 0.90x with
 * one of 3 s). Not the default: 13 s of load at once on this 2-core machine, where the simulated cloud and the
 * fake Slack share the cores, filled the bot's work queue (55-256 of 3,000 answered busy, against none in 10 s
 * windows), which muddles the CPU figure, and the figures stay comparable with the sessions before.
 */
export const leadInSeconds = (() => {
  const value = Number(process.env.BENCH_ACK_LEAD_IN_SECONDS ?? 0);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(
      `BENCH_ACK_LEAD_IN_SECONDS must be a number of seconds, 0 or more, not ${JSON.stringify(value)}`,
    );
  return value;
})();

/**
 * Sends `rate` signed requests a second for `seconds` (a mix of `/ecs list`, `/ecs show`, `/ecs stop` and
 * Next clicks; the stops as `stops` and `BENCH_ACK_STOPS` say), measuring each ack from a thread of its own (`send-load.ts`); then waits for the work after the acks to settle and divides the CPU the
 * process used by the number of requests. The same load runs for {@link leadInSeconds} before, not measured:
 * its acks are not timed and the CPU is counted from its last request on, so the work still in flight from the
 * lead-in is counted too (the runs of its allowed stops, whose jobs take seconds): an over-count, never an under-count.
 */
export async function sendCommandMix(
  sender: Worker,
  target: Child,
  fake: FakeSlack,
  names: readonly string[],
  clicked: { message: { ts: string; blocks?: unknown[] }; value: string },
  rate: number,
  seconds: number,
  settle: () => Promise<void>,
  stops: StopPlan,
  mix: readonly number[] = kinds,
  /** Run where the measured window starts (after the lead-in): the caller's own counts start there. */
  onMeasuring?: () => Promise<void>,
): Promise<LoadResult> {
  const url = `http://127.0.0.1:${target.port}/slack/events`;
  const pid = target.child.pid ?? 0;
  const total = rate * seconds;
  // A whole number of rounds of the mix, so the window's requests are the mix's in the same order.
  const leadIn = Math.ceil((rate * leadInSeconds) / mix.length) * mix.length;
  let stopsSent = newStopsSent.get(target) ?? 0;
  const stride = strideFor(stops.servers.length);
  const bodies = Array.from({ length: leadIn + total }, (_, i) => {
    const name = names[(i * 7919) % names.length] ?? "web-01";
    const kind = mix[i % mix.length] ?? 0;
    const command = (text: string, channel?: string) =>
      new URLSearchParams({
        ...buildSlashCommandPayload(),
        ...fake.buildSlashCommand({ command: "/ecs", text, ...(channel !== undefined && { channel }) }),
      }).toString();
    if (kind === 0) return command("list");
    if (kind === 1) return command(`show ${name}`);
    if (kind === 2 && stopMode === "repeated") return command(`stop ${name}`);
    if (kind === 2) {
      if (stopsSent >= stops.servers.length)
        throw new Error(
          `the run asked for more new stops than the ${stops.servers.length} servers it may stop: fewer or shorter windows (BENCH_ACK_SECONDS, BENCH_ACK_WINDOWS), or BENCH_ACK_STOPS=repeated`,
        );
      const k = stopsSent++;
      return command(
        `stop ${stops.servers[(k * stride) % stops.servers.length]}`,
        stops.channels[k % stops.channels.length],
      );
    }
    const click = fake.buildBlockAction({
      user: SLACK_IDS.alice,
      message: clicked.message,
      isEphemeral: true,
      actions: [{ actionId: "q.page.next", value: clicked.value }],
    });
    return new URLSearchParams({ payload: JSON.stringify({ ...click, type: "block_actions" }) }).toString();
  });
  newStopsSent.set(target, stopsSent);
  if (leadIn === 0) await onMeasuring?.();
  const first = once(sender, "message");
  sender.postMessage({ url, signingSecret: fake.signingSecret, bodies, rate, leadIn } satisfies LoadPlan);
  if (leadIn > 0) await first;
  const cpuBefore = cpuSplitMs(pid);
  const normalBefore = normalPriorityCpuMs(pid);
  const mainBefore = threadCpuMs(pid, pid);
  let answered = first;
  if (leadIn > 0) {
    answered = once(sender, "message");
    await onMeasuring?.();
  }
  const [{ latencies, failed }] = (await answered) as [LoadTimes];
  await settle();
  const cpuAfter = cpuSplitMs(pid);
  const normalUsed = normalPriorityCpuMs(pid) - normalBefore;
  const mainUsed = threadCpuMs(pid, pid) - mainBefore;
  const systemUsed = cpuAfter.system - cpuBefore.system;
  const cpuUsed = cpuAfter.user - cpuBefore.user + systemUsed;
  latencies.sort((a, b) => a - b);
  return {
    sent: total,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    over3s: latencies.filter((ms) => ms > 3_000).length,
    failed,
    cpuPerCommandMs: cpuUsed / total,
    systemPerCommandMs: systemUsed / total,
    normalPriorityPerCommandMs: normalUsed / total,
    mainThreadPerCommandMs: mainUsed / total,
  };
}
