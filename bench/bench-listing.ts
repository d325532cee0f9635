/**
 * Listing 10,000 servers: our client (1,000 a page, pages after the first concurrently) next to the official
 * Huawei ECS SDK's best listing (its 1,000-per-page `ListServersDetails`, pages sequential and concurrent;
 * the faster counts) and a plain sequential pager, in the same run, at 0 and 100 ms simulated latency.
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createCloudClient } from "../src/cloud/create-cloud-client.js";
import { simulatorCloudConfig, startCloudSimulator } from "../src/sandbox/cloud/index.js";
import { loadOfficialSdk } from "../test/sandbox/cloud/load-official-sdk.js";
import type { Report } from "./report.js";
import { median } from "./statistics.js";

let gc: (() => void) | undefined;
/**
 * A full garbage collection, so that no listing pays for the garbage the one before it left (a listing of
 * 10,000 servers leaves some 60 MB); each still pays for its own.
 */
function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

/**
 * Each listing's median of `runs`, the listings taking turns (one of each, then again), so that what the
 * machine does meanwhile (its load moves by tens of percent within a minute) weighs on all of them alike.
 */
async function medians(runs: number, listings: (() => Promise<unknown>)[]): Promise<number[]> {
  const times = listings.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, listing] of listings.entries()) {
      collectGarbage();
      const start = performance.now();
      await listing();
      times[j]!.push(performance.now() - start);
    }
  }
  return times.map(median);
}

export async function benchListing(report: Report): Promise<void> {
  const sim = await startCloudSimulator({ servers: 10_000, seed: 7 });
  const cloud = createCloudClient(simulatorCloudConfig(sim));
  const { core, ecs } = loadOfficialSdk();
  const sdk = ecs.EcsClient.newBuilder()
    .withCredential(new core.BasicCredentials().withAk(sim.ak).withSk(sim.sk).withProjectId(sim.projectId))
    .withEndpoint(sim.ecsEndpoint)
    .build();
  const page = (n: number) =>
    sdk.listServersDetails(new ecs.ListServersDetailsRequest().withLimit(1000).withOffset(n));
  const sdkSequential = async () => {
    const out: unknown[] = [];
    for (let n = 1; ; n++) {
      const servers = (await page(n)).servers ?? [];
      out.push(...servers);
      if (servers.length < 1000) return out;
    }
  };
  const sdkConcurrent = async () => {
    const first = await page(1);
    const pages = Math.ceil((first.count ?? 0) / 1000);
    const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => page(i + 2)));
    return [...(first.servers ?? []), ...rest.flatMap((r) => r.servers ?? [])];
  };
  try {
    for (const latencyMs of [0, 100]) {
      sim.control.setFaults({ latencyMs });
      const runs = latencyMs === 0 ? 7 : 5;
      // Warm-up: connections, JIT.
      await cloud.ecs.listServers();
      await sdkConcurrent();
      const [ours = 0, sequential = 0, sdkSeq = 0, sdkConc = 0] = await medians(runs, [
        () => cloud.ecs.listServers(),
        () => cloud.ecs.listServers({ concurrency: 1 }),
        sdkSequential,
        sdkConcurrent,
      ]);
      const best = Math.min(sdkSeq, sdkConc);
      const at = `${latencyMs} ms latency`;
      report(
        `list 10,000 servers, ${at}: hwc-chatops`,
        `${Math.round(ours)} ms`,
        `median of ${runs}, the four listings taking turns`,
      );
      report(
        `list 10,000 servers, ${at}: official SDK best`,
        `${Math.round(best)} ms`,
        `sequential ${Math.round(sdkSeq)} ms, concurrent ${Math.round(sdkConc)} ms`,
      );
      report(`list 10,000 servers, ${at}: plain sequential pager`, `${Math.round(sequential)} ms`);
      report(`list 10,000 servers, ${at}: ratio to the SDK`, `${(ours / best).toFixed(2)}×`, "target ≤ 1.2×");
    }
  } finally {
    sim.control.clearFaults();
    await cloud.close();
    await sim.close();
  }
}
