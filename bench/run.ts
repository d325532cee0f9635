/**
 * Benchmarks: prints figures, asserts nothing (performance is never a timing threshold inside tests).
 * Run with `npm run bench`. Everything runs on loopback against the simulated cloud; Redis figures need
 * the Redis at REDIS_URL (default redis://127.0.0.1:6379) and are skipped with a note when it is absent.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { createAuditLog } from "../src/audit/create-audit-log.js";
import { createCloudClient } from "../src/cloud/create-cloud-client.js";
import { signRequest } from "../src/cloud/sign-request.js";
import { parseIntent } from "../src/intents/index.js";
import { header, list as listPart } from "../src/render/message-model.js";
import { renderBlockKit } from "../src/render/render-block-kit.js";
import { simulatorCloudConfig, startCloudSimulator } from "../src/sandbox/cloud/index.js";
import { createStore } from "../src/store/create-store.js";
import type { Store } from "../src/store/store.js";
import { buildServerListView, serverListItem } from "../src/views/build-server-list-view.js";
import { benchAck } from "./bench-ack.js";
import { benchJobs } from "./bench-jobs.js";
import { benchListing } from "./bench-listing.js";
import { benchWatchers } from "./bench-watchers.js";
import { percentile } from "./statistics.js";

interface Row {
  name: string;
  figure: string;
  detail?: string;
}
const rows: Row[] = [];

function report(name: string, figure: string, detail?: string): void {
  rows.push({ name, figure, ...(detail ? { detail } : {}) });
  console.log(`${name.padEnd(58)} ${figure.padStart(16)}${detail ? `  (${detail})` : ""}`);
}

function perSecond(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString("en")}/s`;
}

async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

async function benchPure(): Promise<void> {
  const creds = { ak: "QTWAOYTTINDUT2QVKYUC", sk: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc" };
  const n = 20_000;
  const sign = await time(() => {
    for (let i = 0; i < n; i++) {
      signRequest(
        {
          method: "POST",
          path: `/v1/project/cloudservers/action`,
          query: { limit: "200", offset: String(i) },
          headers: {
            "content-type": "application/json",
            host: "ecs.example.com",
            "x-sdk-date": "20191115T033655Z",
          },
          body: `{"os-stop":{"type":"SOFT","servers":[{"id":"${i}"}]}}`,
        },
        creds,
      );
    }
  });
  report("sign a request (SDK-HMAC-SHA256)", perSecond(n, sign.ms), `${n} requests`);

  const lines = [
    "stop web-01 web-02 --hard",
    "list status=ACTIVE tag=env=prod",
    'delete "ops box 1", db-02',
    "resize db-01 s6.large.2 --dry-run",
  ];
  const parse = await time(() => {
    for (let i = 0; i < n; i++) parseIntent("/ecs", lines[i % lines.length]!);
  });
  report("parse a command line", perSecond(n, parse.ms), `${n} lines`);
}

async function benchCloud(): Promise<void> {
  const sim = await startCloudSimulator({ servers: 10_000, seed: 7 });
  const cloud = createCloudClient(simulatorCloudConfig(sim));
  try {
    const list = await time(() => cloud.ecs.listServers());
    report(
      "ECS list 10,000 servers (1,000 a page, loopback)",
      `${Math.round(list.ms)} ms`,
      `${list.value.length} servers`,
    );

    for (const concurrency of [1, 4, 8]) {
      const hosts = await time(() => cloud.hss.listHosts({}, { concurrency }));
      report(
        `HSS list 10,000 hosts, concurrency ${concurrency}`,
        `${Math.round(hosts.ms)} ms`,
        `${hosts.value.items.length} hosts`,
      );
    }
    sim.control.setFaults({ latencyMs: 20 });
    for (const concurrency of [1, 8]) {
      const hosts = await time(() => cloud.hss.listHosts({}, { concurrency }));
      report(
        `HSS list 10,000 hosts, 20 ms latency, concurrency ${concurrency}`,
        `${Math.round(hosts.ms)} ms`,
      );
    }
    sim.control.clearFaults();

    const view = buildServerListView({
      servers: list.value,
      total: list.value.length,
      page: 0,
      filters: { tags: [] },
    });
    const page = await time(() => renderBlockKit(view));
    report(
      "render one page of the 10,000-server list",
      `${page.ms.toFixed(1)} ms`,
      `${page.value.blocks.length} blocks`,
    );
    // Worst case for the budget: every server in one list part, cut to Block Kit's limits by the renderer.
    const all = { text: "servers", blocks: [header("Servers"), listPart(list.value.map(serverListItem))] };
    const render = await time(() => renderBlockKit(all));
    report(
      "render all 10,000 servers in one list (cut to limits)",
      `${Math.round(render.ms)} ms`,
      `${render.value.blocks.length} blocks, ${JSON.stringify(render.value.blocks).length} chars`,
    );
  } finally {
    await cloud.close();
    await sim.close();
  }
}

async function benchStore(name: string, store: Store): Promise<void> {
  const n = 500;
  const latencies: number[] = [];
  const ops = await time(async () => {
    for (let i = 0; i < n; i++) {
      const key = `bench:${randomUUID()}`;
      const t = performance.now();
      await store.createIfAbsent(key, { i });
      const current = await store.get<{ i: number }>(key);
      await store.compareAndSwap(key, current!.version, { i: i + 1 });
      latencies.push(performance.now() - t);
    }
  });
  latencies.sort((a, b) => a - b);
  report(
    `${name}: create + get + CAS, sequential`,
    perSecond(n, ops.ms),
    `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );
  const racers = 50;
  const claim = await time(() =>
    Promise.all(Array.from({ length: racers }, () => store.claimOnce(`bench:claim:${name}`, 60_000))),
  );
  report(
    `${name}: ${racers} concurrent claimOnce on one key`,
    `${claim.value.filter(Boolean).length} winner`,
    `${claim.ms.toFixed(1)} ms`,
  );
  // The audit hash chain: appends (hashed inside the backend's atomic step) and a full verification.
  const audit = createAuditLog({ store, logger: pino({ level: "silent" }) });
  const entries = 2_000;
  const appended = await time(async () => {
    for (let i = 0; i < entries; i++)
      await audit.record({
        type: "policy.decided",
        actorId: "UBENCH",
        decision: "allow",
        action: "ecs:cloudServers:list",
      });
  });
  report(`${name}: audit append (hash chain), sequential`, perSecond(entries, appended.ms));
  const verified = await time(() => audit.verify());
  report(
    `${name}: verify ${entries} audit entries`,
    verified.value.ok ? "intact" : "BROKEN",
    `${verified.ms.toFixed(1)} ms (${perSecond(entries, verified.ms)})`,
  );
  await store.close();
}

async function benchStores(): Promise<void> {
  await benchStore("memory store", await createStore("memory://", { namespace: `bench-${randomUUID()}` }));
  const dir = mkdtempSync(join(tmpdir(), "hwc-bench-"));
  try {
    await benchStore("sqlite store", await createStore(`sqlite://${join(dir, "bench.sqlite")}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redis = await createStore(redisUrl, { namespace: `bench-${randomUUID()}` });
  try {
    await redis.get("probe");
  } catch (error) {
    console.log(`redis store: skipped (${(error as Error).message})`);
    await redis.close();
    return;
  }
  await benchStore("redis store", redis);
}

console.log(`hwc-chatops benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
await benchPure();
await benchCloud();
await benchListing(report);
await benchStores();
await benchJobs(report);
await benchWatchers(report);
console.log("\nack, CPU and start-up against a bare Bolt app (10,000-server fleet):");
await benchAck(report);
console.log(`\n${rows.length} figures.`);
