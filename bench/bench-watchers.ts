/**
 * The open-ports watcher on a 10,000-server fleet, as the shipped notifier runs it (memory store, the fake
 * Slack, the simulator on a manual clock): cloud requests a run in steady state against its budget
 * (`requests_per_run`, default 500) and the anchor, one request per host a run (how it read the fleet before),
 * with the full cycle `/ops watch list` reports and the time a run takes.
 */
import { startNotifyEnv, testConfig } from "../test/notify/helpers/start-notify-env.js";

import type { Report } from "./report.js";

const INTERVAL_MS = 15 * 60_000;
const STEADY_RUNS = 3;

export async function benchWatchers(report: Report): Promise<void> {
  const config = testConfig(`
version: 1
defaults:
  interval: 15m
  alert_channels: [C_OPS]
watchers:
  - id: ports
    kind: hss_open_ports
routes:
  - id: ops
    channels: [C_OPS]
`);
  const env = await startNotifyEnv({ sim: { servers: 10_000 } });
  try {
    const notifier = env.notifier(config);
    const requests = () => env.control.requests();
    const isPortRead = (path: string) => path.endsWith("/asset/ports");

    env.control.clearRequests();
    const first = await notifier.runOnce("ports");
    const hosts = "observed" in first ? Number(first.observed) : Number.NaN;
    const firstReads = requests().filter((r) => isPortRead(r.path)).length;

    const perRun: { reads: number; others: number; ms: number }[] = [];
    for (let run = 0; run < STEADY_RUNS; run++) {
      env.clock.advance(INTERVAL_MS);
      env.control.clearRequests();
      const started = performance.now();
      await notifier.runOnce("ports");
      const ms = performance.now() - started;
      const log = requests();
      const reads = log.filter((r) => isPortRead(r.path)).length;
      perRun.push({ reads, others: log.length - reads, ms });
    }
    const [info] = await notifier.listWatchers();
    const rotation = info?.lastResult?.outcome === "failed" ? undefined : info?.lastResult?.rotation;
    const cycleRuns = rotation === undefined ? Number.NaN : Math.ceil(rotation.total / rotation.perRun);
    const maxReads = Math.max(...perRun.map((r) => r.reads));
    const maxOthers = Math.max(...perRun.map((r) => r.others));
    report(
      "open-ports watcher, 10,000 servers: cloud requests a run",
      String(maxReads + maxOthers),
      `steady state, the most of ${STEADY_RUNS} runs: ${maxReads} per-host reads (budget requests_per_run ${rotation?.perRun ?? "?"}) and ${maxOthers} listings (ECS and HSS pages); one request per host a run: ${hosts.toLocaleString("en")}; the first run read ${firstReads}`,
    );
    report(
      "open-ports watcher, 10,000 servers: full cycle",
      `${((cycleRuns * INTERVAL_MS) / 3_600_000).toFixed(2)} h`,
      `${cycleRuns} runs of ${rotation?.perRun ?? "?"} of ${rotation?.total.toLocaleString("en") ?? "?"} hosts, every 15 min (as /ops watch list shows it); a run took ${Math.round(Math.max(...perRun.map((r) => r.ms)))} ms at most; the bot's RSS with its watchers running is in the ack part below`,
    );
  } finally {
    await env.close();
  }
}
