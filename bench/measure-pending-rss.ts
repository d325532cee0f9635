import { performance } from "node:perf_hooks";
import type { FakeSlack } from "../src/sandbox/slack/index.js";
import { sendSlashCommand } from "../test/helpers/slack-requests.js";
import { metricSum, WATCHER_RUNS } from "./read-bot-metrics.js";
import { rssMb, sleep } from "./read-process-stats.js";
import type { Report } from "./report.js";
import type { Child } from "./start-app-process.js";

/** How long after the burst of pending requests settled the RSS is read. */
const QUIET_MS = 5_000;

/** How many requests wait for approval in the RSS figure (`BENCH_PENDING`), each on a server of its own. */
export const pendingCount = () => Number(process.env.BENCH_PENDING ?? 1000);

/**
 * RSS with the watchers running and approvals pending (`BENCH_PENDING`, default 1,000): a hard reboot of as
 * many distinct servers (each needs an approval under the shipped policy), sent at 50 a second, then settled.
 */
export async function measurePendingRss(
  bot: Child,
  fake: FakeSlack,
  names: readonly string[],
  settleBot: () => Promise<void>,
  bareRssMb: number,
  report: Report,
): Promise<void> {
  const pendingNames = names.slice(0, pendingCount());
  const url = `http://127.0.0.1:${bot.port}/slack/events`;
  const sends: Promise<unknown>[] = [];
  const startedAt = performance.now();
  for (const [i, name] of pendingNames.entries()) {
    // 50 a second: all of them get their card (the bound queue would answer some "busy" at 100).
    const wait = startedAt + i * 20 - performance.now();
    if (wait > 1) await sleep(wait);
    sends.push(
      sendSlashCommand(
        url,
        fake.signingSecret,
        fake.buildSlashCommand({ command: "/ecs", text: `reboot ${name} --hard` }),
      ),
    );
  }
  await Promise.all(sends);
  await settleBot();
  // Right after the burst, and a few seconds later (the bot gives back what the burst grew once its work
  // queue has been quiet for a second): the figure is the bot's at rest with the requests pending.
  const settledRssMb = rssMb(bot.child.pid ?? 0);
  await sleep(QUIET_MS);
  const sum = (pattern: RegExp) => metricSum(bot.port, pattern);
  const pending = await sum(/^hwc_chatops_policy_decisions_total\{decision="needs_approval",stage="request"/);
  const watcherRuns = await sum(WATCHER_RUNS);
  const heapMb = (await sum(/^hwc_chatops_nodejs_heap_size_used_bytes /)) / 1024 / 1024;
  const heapTotalMb = (await sum(/^hwc_chatops_nodejs_heap_size_total_bytes /)) / 1024 / 1024;
  const externalMb = (await sum(/^hwc_chatops_nodejs_external_memory_bytes /)) / 1024 / 1024;
  const giveBacks = await sum(/^hwc_chatops_memory_give_backs_total /);
  const givenBackMb = (await sum(/^hwc_chatops_memory_given_back_bytes_total /)) / 1024 / 1024;
  report(
    "RSS with watchers and pending approvals: bot",
    `${Math.round(rssMb(bot.child.pid ?? 0))} MB`,
    `goal ≤ 250 MB; ${QUIET_MS / 1000} s after the burst settled (${Math.round(settledRssMb)} MB as it settled); JS heap used ${Math.round(heapMb)} of ${Math.round(heapTotalMb)} MB, external ${Math.round(externalMb)} MB; the heap given back after a burst ${giveBacks} times so far, ${Math.round(givenBackMb)} MB in all; ${pending} requests waiting for approval (policy decisions), ${watcherRuns} watcher runs so far; bare Bolt at rest ${Math.round(bareRssMb)} MB`,
  );
}
