/** One measured window of the ack benchmark: a mix of commands and clicks sent at a rate, and what it cost. */
import { once } from "node:events";
import type { Worker } from "node:worker_threads";
import { buildSlashCommandPayload } from "../src/sandbox/slack/build-slack-payloads.js";
import { type FakeSlack, SLACK_IDS } from "../src/sandbox/slack/index.js";
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
 * Sends `rate` signed requests a second for `seconds` (a mix of `/ecs list`, `/ecs show`, `/ecs stop` and
 * Next clicks), measuring each ack from a thread of its own (`send-load.ts`); then waits for the work after the acks to settle and divides the CPU the
 * process used by the number of requests.
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
  mix: readonly number[] = kinds,
): Promise<LoadResult> {
  const url = `http://127.0.0.1:${target.port}/slack/events`;
  const pid = target.child.pid ?? 0;
  const total = rate * seconds;
  const bodies = Array.from({ length: total }, (_, i) => {
    const name = names[(i * 7919) % names.length] ?? "web-01";
    const kind = mix[i % mix.length] ?? 0;
    const command = (text: string) =>
      new URLSearchParams({
        ...buildSlashCommandPayload(),
        ...fake.buildSlashCommand({ command: "/ecs", text }),
      }).toString();
    if (kind === 0) return command("list");
    if (kind === 1) return command(`show ${name}`);
    if (kind === 2) return command(`stop ${name}`);
    const click = fake.buildBlockAction({
      user: SLACK_IDS.alice,
      message: clicked.message,
      isEphemeral: true,
      actions: [{ actionId: "q.page.next", value: clicked.value }],
    });
    return new URLSearchParams({ payload: JSON.stringify({ ...click, type: "block_actions" }) }).toString();
  });
  const cpuBefore = cpuSplitMs(pid);
  const normalBefore = normalPriorityCpuMs(pid);
  const mainBefore = threadCpuMs(pid, pid);
  const answered = once(sender, "message");
  sender.postMessage({ url, signingSecret: fake.signingSecret, bodies, rate } satisfies LoadPlan);
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
