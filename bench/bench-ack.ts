/**
 * Ack latency, CPU per command and start-up of the shipped bot (`node dist/main.js`, SQLite store, the shipped
 * policy, flows and notifications) side by side with a bare Bolt app (`bench/bare-bolt.mjs`), in one run, on a
 * 10,000-server simulated fleet. Both run as child processes; the load generator, the fake Slack and the
 * simulator share this process. `BENCH_PROFILE=1` also writes a CPU profile of the bot and prints where its
 * time went inside the measured windows (`BENCH_PROFILE_KEEP=<dir>` keeps the profiles).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { startCloudSimulator } from "../src/sandbox/cloud/index.js";
import { simulatorCloudEnv } from "../src/sandbox/cloud/simulator-cloud-config.js";
import { buildSlashCommandPayload } from "../src/sandbox/slack/build-slack-payloads.js";
import { type FakeSlack, SLACK_IDS, startFakeSlack } from "../src/sandbox/slack/index.js";
import { startModuleWorker } from "../src/slack/ack-thread/start-module-worker.js";
import { findFreePort } from "../test/helpers/find-free-port.js";
import { blocksText, findElement } from "../test/helpers/read-slack-blocks.js";
import { sendSlashCommand } from "../test/helpers/slack-requests.js";
import type { LoadPlan, LoadTimes } from "./send-load.js";
import { median, percentile } from "./statistics.js";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100;

/** The bot's command line as `npm start` has it (`node <flags> dist/main.js`), without `node`. */
const botArgs = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: { start: string } }
).scripts.start
  .split(" ")
  .slice(1);

export type Report = (name: string, figure: string, detail?: string) => void;

interface Child {
  child: ChildProcess;
  port: number;
  output(): string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A process's or thread's `/proc/…/stat` (`/proc/<pid>` or `/proc/<pid>/task/<tid>`): user and system CPU time
 * (ms) so far, system time being the kernel's (I/O, fsync, sockets), and its nice value.
 */
function readStat(path: string): { user: number; system: number; nice: number } {
  const stat = readFileSync(`${path}/stat`, "utf8");
  // The fields after the command name (which may hold spaces), from the third (state) on.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    user: (Number(fields[11]) * 1000) / CLOCK_TICKS_PER_SECOND,
    system: (Number(fields[12]) * 1000) / CLOCK_TICKS_PER_SECOND,
    nice: Number(fields[16]),
  };
}

/** User and system CPU time (ms) a process has used so far. */
const cpuSplitMs = (pid: number) => readStat(`/proc/${pid}`);

/**
 * CPU time (ms, user and system) of a process's threads at the normal priority (nice 0). In the bot that is
 * its ack thread: every thread made before it runs lowered, and so do the threads they make (see `main.ts`).
 */
function normalPriorityCpuMs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const thread = readStat(`/proc/${pid}/task/${tid}`);
      if (thread.nice === 0) total += thread.user + thread.system;
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return total;
}

/** CPU time (ms, user and system) one thread of a process has used so far. */
function threadCpuMs(pid: number, tid: number): number {
  const thread = readStat(`/proc/${pid}/task/${tid}`);
  return thread.user + thread.system;
}

/** Waits until a process uses under 5 % of a core over half a second (at most a minute). */
async function waitForQuiet(pid: number): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const before = cpuSplitMs(pid);
    await sleep(500);
    const after = cpuSplitMs(pid);
    if (after.user + after.system - before.user - before.system < 25) return;
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function startChild(args: string[], env: Record<string, string>): Promise<Child & { readyMs: number }> {
  const port = await findFreePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (performance.now() - started > 120_000) throw new Error(`no /healthz after 120 s:\n${output}`);
    await sleep(10);
  }
  return { child, port, output: () => output, readyMs: performance.now() - started };
}

async function stopChild(c: Child): Promise<void> {
  // A child ended by a signal has a null exitCode and its signalCode set: stopped either way.
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  const gone = once(c.child, "exit");
  c.child.kill("SIGTERM");
  await gone;
}

interface LoadResult {
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

/** How many nice levels the bench's own thread (the simulated cloud and the fake Slack) runs below the apps. */
const SERVICES_NICENESS = 10;

const WATCHER_RUNS = /^hwc_chatops_watcher_runs_total\{/;

/**
 * The bot's counts of store operations, cloud requests and Slack Web API calls so far, from its `/metrics`,
 * named `store <operation>`, `cloud <operation>` and `slack <method>`.
 */
async function requestCountsOf(port: number): Promise<Map<string, number>> {
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const counts = new Map<string, number>();
  const kinds: [RegExp, string][] = [
    [/^hwc_chatops_store_operation_duration_seconds_count\{operation="([^"]+)"/, "store"],
    [/^hwc_chatops_cloud_requests_total\{operation="([^"]+)"/, "cloud"],
    [/^hwc_chatops_slack_api_calls_total\{method="([^"]+)"/, "slack"],
  ];
  for (const line of metrics.split("\n"))
    for (const [pattern, kind] of kinds) {
      const name = pattern.exec(line)?.[1];
      if (name === undefined) continue;
      const key = `${kind} ${name}`;
      counts.set(key, (counts.get(key) ?? 0) + Number(line.split(" ").at(-1)));
    }
  return counts;
}

/**
 * The bot's garbage collections so far, by kind (`minor`, `major`, `incremental`, `weakcb`): how many and
 * their time on the bot's thread (ms), from prom-client's `nodejs_gc_duration_seconds` in its `/metrics`.
 */
async function gcOf(port: number): Promise<Map<string, { count: number; ms: number }>> {
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const byKind = new Map<string, { count: number; ms: number }>();
  for (const line of metrics.split("\n")) {
    const match = /^hwc_chatops_nodejs_gc_duration_seconds_(count|sum)\{kind="([^"]+)"\} (\S+)/.exec(line);
    if (match === null) continue;
    const [, what, kind = "", value] = match;
    const entry = byKind.get(kind) ?? { count: 0, ms: 0 };
    if (what === "count") entry.count += Number(value);
    else entry.ms += Number(value) * 1000;
    byKind.set(kind, entry);
  }
  return byKind;
}

/** The sum of the bot's `/metrics` samples whose line matches `pattern`. */
async function metricSum(port: number, pattern: RegExp): Promise<number> {
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return metrics
    .split("\n")
    .filter((line) => pattern.test(line))
    .reduce((total, line) => total + Number(line.split(" ").at(-1)), 0);
}

/** The requests the load can send, cheapest first, as the by-kind figure names them. */
const KIND_NAMES: readonly (readonly [number, string])[] = [
  [3, "Next click"],
  [1, "/ecs show"],
  [0, "/ecs list"],
  [2, "/ecs stop"],
];

/** Which requests the load mixes (0 list, 1 show, 2 stop, 3 Next click); `BENCH_ACK_KINDS=2` for stops only. */
const kinds = (process.env.BENCH_ACK_KINDS ?? "0,1,2,3").split(",").map(Number);

/**
 * Sends `rate` signed requests a second for `seconds` (a mix of `/ecs list`, `/ecs show`, `/ecs stop` and
 * Next clicks), measuring each ack from a thread of its own (`send-load.ts`); then waits for the work after the acks to settle and divides the CPU the
 * process used by the number of requests.
 */
async function load(
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

/**
 * Where the profiled bot spent its CPU during the measured windows (`windows`: start and end, in µs of the
 * monotonic clock V8 stamps its samples with): the functions and modules with the most self time. The
 * start-up, the warm-up and the watcher runs between windows are left out: they are not the commands' work.
 */
function summarizeProfile(
  dir: string,
  report: Report,
  windows: readonly (readonly [number, number])[],
): void {
  // The bot's own thread (thread 0); the ack thread's profile is the other file.
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort();
  const file = files.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
  if (file === undefined) return;
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
    nodes: {
      id: number;
      hitCount: number;
      callFrame: { functionName: string; url: string; lineNumber: number };
    }[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  // Samples by node, counted only inside a window.
  const inWindows = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (!windows.some(([from, to]) => at >= from && at <= to)) continue;
    const id = profile.samples[i] ?? -1;
    inWindows.set(id, (inWindows.get(id) ?? 0) + 1);
  }
  for (const node of profile.nodes) node.hitCount = inWindows.get(node.id) ?? 0;
  report(
    "profile of the bot's thread",
    `${windows.length} window${windows.length === 1 ? "" : "s"}`,
    "self time, of its samples inside the measured windows",
  );
  const byFrame = new Map<string, number>();
  let hits = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/dist\//, "dist/");
    const key = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + node.hitCount);
    hits += node.hitCount;
  }
  const top = [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, 15);
  for (const [frame, count] of top)
    report(`  profile: ${frame}`.slice(0, 58), `${((count / hits) * 100).toFixed(1)} %`);
  // Self time by module (a package, or a file of ours): which part of the bot the CPU goes to.
  const byModule = new Map<string, number>();
  for (const node of profile.nodes) {
    const url = node.callFrame.url;
    const module = url.includes("node_modules/")
      ? (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url)
      : url.includes("/dist/")
        ? url.replace(/^.*\/dist\//, "dist/")
        : url === ""
          ? node.callFrame.functionName || "(native)"
          : url.replace(/^node:/, "node:");
    byModule.set(module, (byModule.get(module) ?? 0) + node.hitCount);
  }
  for (const [module, count] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 15))
    report(`  by module: ${module}`.slice(0, 58), `${((count / hits) * 100).toFixed(1)} %`);
}

export async function benchAck(report: Report): Promise<void> {
  const rate = Number(process.env.BENCH_ACK_RATE ?? 100);
  const seconds = Number(process.env.BENCH_ACK_SECONDS ?? 10);
  const warmupSeconds = Number(process.env.BENCH_ACK_WARMUP_SECONDS ?? 10);
  const profile = process.env.BENCH_PROFILE === "1";
  /**
   * `BENCH_ACK_VERSUS="[<entry>] [--node-flag …] [NAME=value …]"`: the anchor is a second bot instead of the
   * bare app (npm start's flags, then these flags, the entry given or npm start's, these settings, a store of
   * its own): an A/B of two builds or two sets of flags, their windows alternating in one run, each clicking
   * Next on a list of its own. The ack and CPU lines then compare with "the other bot" (the start-up lines
   * still with the bare app); its windows are measured again after a watcher run as the bot's are. The
   * figures of each kind alone and the RSS with pending approvals are left out.
   */
  const versus = process.env.BENCH_ACK_VERSUS?.split(" ").filter(Boolean);
  /** What the ack and CPU figures are compared with. */
  const anchorName = versus === undefined ? "bare Bolt" : "the other bot";
  const fake = await startFakeSlack();
  const sim = await startCloudSimulator({ servers: 10_000, seed: 7 });
  const dir = mkdtempSync(join(tmpdir(), "hwc-bench-ack-"));
  const profileDir = join(dir, "profile");
  mkdirSync(profileDir);
  // The bot's kept windows, in µs of the monotonic clock V8 stamps its profile samples with.
  const profiledWindows: [number, number][] = [];
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: fake.signingSecret,
    SLACK_API_URL: fake.apiUrl,
    ...simulatorCloudEnv(sim),
  };
  const botEnv = (n: number) => ({ ...env, STORE_URL: `sqlite://${join(dir, `bot-${n}.sqlite`)}` });
  const conditions = `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}, node ${process.version}`;
  try {
    // Start-up: three starts each, median time to the first 200 of /healthz, and RSS then.
    const bareStarts: number[] = [];
    const botStarts: number[] = [];
    const bareRss: number[] = [];
    const botRss: number[] = [];
    for (let i = 0; i < 3; i++) {
      const bare = await startChild(["bench/bare-bolt.mjs"], env);
      bareStarts.push(bare.readyMs);
      bareRss.push(rssMb(bare.child.pid ?? 0));
      await stopChild(bare);
      const bot = await startChild(botArgs, botEnv(i));
      botStarts.push(bot.readyMs);
      botRss.push(rssMb(bot.child.pid ?? 0));
      await stopChild(bot);
    }
    const [bareStart, botStart] = [median(bareStarts), median(botStarts)];
    report(
      `start-up to /healthz: bot (node ${botArgs.join(" ")})`,
      `${Math.round(botStart)} ms`,
      `bare Bolt ${Math.round(bareStart)} ms, ratio ${(botStart / bareStart).toFixed(2)}× (goal ≤ 2×), median of 3, ${conditions}`,
    );
    report(
      "RSS at /healthz: bot",
      `${Math.round(median(botRss))} MB`,
      `bare Bolt ${Math.round(median(bareRss))} MB`,
    );

    // Ack latency and CPU at `rate` commands a second.
    const names = sim.control
      .servers()
      .map((s) => s.name)
      .filter((n) => /^[a-z]+-\d+$/.test(n));
    const bot = await startChild(
      [
        ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
        ...botArgs.slice(0, -1),
        // Extra Node flags for experiments (e.g. another heap limit): after npm start's, so they win.
        ...(process.env.BENCH_BOT_NODE_ARGS ?? "").split(" ").filter(Boolean),
        // `BENCH_BOT_ENTRY=dist/main.js` runs the unbundled build, so a profile names our files and packages.
        process.env.BENCH_BOT_ENTRY ?? botArgs.at(-1) ?? "dist/bundle/main.js",
      ],
      botEnv(9),
    );
    const bare =
      versus === undefined
        ? await startChild(["bench/bare-bolt.mjs"], env)
        : await startChild(
            [
              ...botArgs.slice(0, -1),
              ...versus.filter((word) => word.startsWith("--")),
              versus.find((word) => !word.startsWith("--") && !word.includes("=")) ??
                botArgs.at(-1) ??
                "dist/bundle/main.js",
            ],
            {
              ...botEnv(8),
              ...Object.fromEntries(
                versus
                  .filter((word) => /^[A-Z_]+=/.test(word))
                  .map((word) => word.split(/=(.*)/s).slice(0, 2)),
              ),
            },
          );
    if (versus !== undefined)
      report("anchor of this run (BENCH_ACK_VERSUS)", "a second bot", `node … ${versus.join(" ")}`);
    // The simulated cloud and the fake Slack run on this thread; in production they are other machines.
    // Lowered below the two apps (and below the load generator, whose thread is made first and keeps the
    // normal priority), they take the cores only when neither app wants them, as when they are elsewhere.
    // The CPU figures are unchanged by this (CPU time is counted, not waited for); for the rest of the run
    // this thread stays lowered, so this part of the bench runs last.
    const sender = startModuleWorker(import.meta.url, "send-load");
    await once(sender, "online");
    try {
      setPriority(0, SERVICES_NICENESS);
    } catch {
      // Not allowed here: the services share the cores with the apps at the same priority, as before.
    }
    try {
      /**
       * A list answer to click Next on, asked for just before the load that clicks it, as a person clicks
       * through a list they have just asked for: its snapshot is kept (2 min), so a click reads its page by
       * ID. Its own filter keeps it apart from the listing the load's `/ecs list` commands share. Found by its
       * Next button, not as the "Fetching the list…" it replaces: the button's value names the saved query,
       * without which every click would be answered "expired" and measure no page.
       */
      const listToClick = async (target: Child = bot) => {
        const seen = new Set(fake.ephemerals({ user: SLACK_IDS.alice }).map((e) => e.ts));
        await sendSlashCommand(
          `http://127.0.0.1:${target.port}/slack/events`,
          fake.signingSecret,
          fake.buildSlashCommand({ command: "/ecs", text: "list status=ACTIVE" }),
        );
        const message = await fake.waitFor(
          () =>
            fake
              .ephemerals({ user: SLACK_IDS.alice })
              .find((e) => !seen.has(e.ts) && findElement(e.blocks, "q.page.next")?.value !== undefined),
          60_000,
        );
        return { message, value: findElement(message.blocks, "q.page.next")?.value ?? "" };
      };
      let click = await listToClick();
      let anchorClick = versus === undefined ? click : await listToClick(bare);
      const settleOf = (target: Child) => async () => {
        for (;;) {
          // A kept-alive connection the bot closed after idling is refused once: ask again.
          const health = (await fetch(`http://127.0.0.1:${target.port}/healthz`).then(
            (r) => r.json(),
            () => ({}),
          )) as { running?: number; queued?: number };
          if (health.running === 0 && health.queued === 0) return;
          await sleep(50);
        }
      };
      const settleBot = settleOf(bot);
      const settleAnchor = versus === undefined ? async () => {} : settleOf(bare);
      // Warmed up at the measured rate, so both are measured as they run for hours: their code compiled by
      // the JIT and their heaps at their working size. Right after a short warm-up the bot's first seconds at
      // 100/s cost about a sixth more CPU a command than the ones after them.
      await load(sender, bare, fake, names, anchorClick, rate, warmupSeconds, settleAnchor);
      await load(sender, bot, fake, names, click, rate, warmupSeconds, settleBot);
      // The clicks turned the list's page: they measure a page read, not an answer that the list expired.
      const clicked = fake.ephemerals({ user: SLACK_IDS.alice }).find((e) => e.ts === click.message.ts);
      if (kinds.includes(3) && !blocksText(clicked?.blocks).includes("Showing 21–40"))
        throw new Error(
          `a Next click did not show the second page: ${blocksText(clicked?.blocks).slice(0, 200)}`,
        );

      // Both measured in steady state: the bot's start-up work (the fleet index, the watchers' first runs)
      // would otherwise share the cores with the bare app's measurement, or with its own.
      const quietBot = () => waitForQuiet(bot.child.pid ?? 0);
      // A watcher run inside the window (the ECS one lists the 10,000 servers every minute: about 1 s of CPU)
      // is not the commands' work: such a window is measured again, at most twice.
      // The bot's garbage collections in its kept windows, by kind.
      const collections = new Map<string, { count: number; ms: number }>();
      // Replies to response URLs (each post, a placeholder and the answer replacing it alike, is a version).
      const responsePosts = () => fake.ephemerals().reduce((sofar, e) => sofar + e.history.length, 0);
      let replies = 0;
      const busyAnswers = () =>
        fake.ephemerals().filter((e) => JSON.stringify(e.blocks).includes("busy, try again")).length;
      // Several windows, the bare app's and the bot's alternating, so that what this machine does meanwhile
      // (it varies by about ±30 % between runs) weighs on both alike; each figure is the median of the
      // windows, with their range beside it.
      const windows = Math.max(1, Number(process.env.BENCH_ACK_WINDOWS ?? 3));
      const anchors: LoadResult[] = [];
      const runs: LoadResult[] = [];
      let busy = 0;
      let repeated = 0;
      // Slack Web API calls of the bot's measured windows, by method: what Slack's rate tiers would see.
      const slackCalls = new Map<string, number>();
      // What the commands of the bot's kept windows did (store operations, cloud requests, Slack calls).
      const requestCounts = new Map<string, number>();
      for (let w = 0; w < windows; w++) {
        await quietBot();
        if (versus === undefined)
          anchors.push(await load(sender, bare, fake, names, click, rate, seconds, settleAnchor));
        else {
          anchorClick = await listToClick(bare);
          for (let again = 0; ; again++) {
            await waitForQuiet(bare.child.pid ?? 0);
            await quietBot();
            const runsBefore = await metricSum(bare.port, WATCHER_RUNS);
            const run = await load(sender, bare, fake, names, anchorClick, rate, seconds, settleAnchor);
            if ((await metricSum(bare.port, WATCHER_RUNS)) === runsBefore || again === 2) {
              anchors.push(run);
              break;
            }
          }
        }
        click = await listToClick();
        for (let again = 0; ; again++) {
          await quietBot();
          const [runsBefore, busyBefore] = [await metricSum(bot.port, WATCHER_RUNS), busyAnswers()];
          const repliesBefore = responsePosts();
          const gcBefore = await gcOf(bot.port);
          const countsBefore = await requestCountsOf(bot.port);
          fake.clearCalls();
          const from = Number(process.hrtime.bigint() / 1000n);
          const run = await load(sender, bot, fake, names, click, rate, seconds, settleBot);
          const to = Number(process.hrtime.bigint() / 1000n);
          const watcherRan = (await metricSum(bot.port, WATCHER_RUNS)) !== runsBefore;
          if (!watcherRan || again === 2) {
            runs.push(run);
            profiledWindows.push([from, to]);
            for (const [name, n] of await requestCountsOf(bot.port))
              requestCounts.set(name, (requestCounts.get(name) ?? 0) + n - (countsBefore.get(name) ?? 0));
            busy += busyAnswers() - busyBefore;
            replies += responsePosts() - repliesBefore;
            for (const [kind, after] of await gcOf(bot.port)) {
              const before = gcBefore.get(kind) ?? { count: 0, ms: 0 };
              const sofar = collections.get(kind) ?? { count: 0, ms: 0 };
              collections.set(kind, {
                count: sofar.count + after.count - before.count,
                ms: sofar.ms + after.ms - before.ms,
              });
            }
            for (const call of fake.calls())
              slackCalls.set(call.method, (slackCalls.get(call.method) ?? 0) + 1);
            break;
          }
          repeated++;
        }
      }
      const mid = (pick: (r: LoadResult) => number, of: LoadResult[]) => median(of.map(pick));
      const span = (pick: (r: LoadResult) => number, of: LoadResult[], digits: number) => {
        const values = of.map(pick);
        return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
      };
      const ratios = runs.map((r, i) => r.p99 / (anchors[i]?.p99 ?? Number.NaN));
      const total = (pick: (r: LoadResult) => number, of: LoadResult[]) =>
        of.reduce((sofar, r) => sofar + pick(r), 0);
      const sent = total((r) => r.sent, runs);
      const windowsSaid = `median of ${windows} windows of ${rate * seconds} requests over ${seconds} s, the bare app's and the bot's alternating, after a warm-up of ${warmupSeconds} s at the same rate`;
      report(
        `ack p99 at ${rate} commands/s: bot`,
        `${mid((r) => r.p99, runs).toFixed(1)} ms`,
        `${anchorName} ${mid((r) => r.p99, anchors).toFixed(1)} ms, ratio ${median(ratios).toFixed(2)}× (goal ≤ 1.5×; windows ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×); bot ${span((r) => r.p99, runs, 1)} ms, bare ${span((r) => r.p99, anchors, 1)} ms; p50 ${mid((r) => r.p50, runs).toFixed(1)} vs ${mid((r) => r.p50, anchors).toFixed(1)} ms; max ${Math.round(Math.max(...runs.map((r) => r.max)))} vs ${Math.round(Math.max(...anchors.map((r) => r.max)))} ms; ${windowsSaid}; ${conditions}`,
      );
      report(
        "acks over 3 s / failed: bot",
        `${total((r) => r.over3s, runs)} / ${total((r) => r.failed, runs)}`,
        `of ${sent} requests; ${anchorName} ${total((r) => r.over3s, anchors)} / ${total((r) => r.failed, anchors)}; answered busy: ${busy}`,
      );
      const cpu = mid((r) => r.cpuPerCommandMs, runs);
      const anchorCpu = mid((r) => r.cpuPerCommandMs, anchors);
      report(
        "CPU per command (ack + all work after it): bot",
        `${cpu.toFixed(2)} ms`,
        `windows ${span((r) => r.cpuPerCommandMs, runs, 2)} ms, of which kernel ${mid((r) => r.systemPerCommandMs, runs).toFixed(2)} ms; ${anchorName} ${anchorCpu.toFixed(2)} ms (${span((r) => r.cpuPerCommandMs, anchors, 2)}), ratio ${(cpu / anchorCpu).toFixed(1)}× (goal ≤ 3 ms); ${repeated === 0 ? "no watcher ran in a window" : `${repeated} window(s) measured again after a watcher ran in them`}`,
      );
      report(
        "CPU per command on the thread that acks: bot",
        `${mid((r) => r.normalPriorityPerCommandMs, runs).toFixed(2)} ms`,
        `windows ${span((r) => r.normalPriorityPerCommandMs, runs, 2)} ms; its threads at the normal priority: the ack thread (the rest is the bot's own thread and V8's helpers, lowered); bare Bolt, one event loop, the whole process: ${anchorCpu.toFixed(2)} ms`,
      );
      // The rest: the threads V8 collects garbage and compiles on, and libuv's pool (the WAL's fsync). The
      // bare app has no ack thread (all its threads run at the normal priority): its rest is all but its first.
      const helpers = (r: LoadResult) =>
        r.cpuPerCommandMs - r.mainThreadPerCommandMs - r.normalPriorityPerCommandMs;
      report(
        "CPU per command on the bot's own thread: bot",
        `${mid((r) => r.mainThreadPerCommandMs, runs).toFixed(2)} ms`,
        `windows ${span((r) => r.mainThreadPerCommandMs, runs, 2)} ms; its other threads (V8's garbage collection and compilers, libuv's pool) ${mid(helpers, runs).toFixed(2)} ms (${span(helpers, runs, 2)}); bare Bolt's first thread ${mid((r) => r.mainThreadPerCommandMs, anchors).toFixed(2)} ms, its other threads ${mid((r) => r.cpuPerCommandMs - r.mainThreadPerCommandMs, anchors).toFixed(2)} ms`,
      );
      const gcSaid = [...collections]
        .filter(([, c]) => c.count > 0)
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(
          ([kind, c]) =>
            `${kind} ${(c.count / (windows * seconds)).toFixed(1)} a second, ${(c.ms / c.count).toFixed(1)} ms each, ${(c.ms / sent).toFixed(2)} ms a command`,
        );
      report(
        "garbage collections in the measured windows: bot",
        gcSaid[0]?.split(",")[0] ?? "none",
        `${gcSaid.join("; ")}; their time on the bot's thread (the helper threads' share of the work is not in it), from prom-client's nodejs_gc_duration_seconds`,
      );
      const perMinute = (count: number) => (count * 60) / (windows * seconds);
      const byMethod = [...slackCalls].sort((a, b) => b[1] - a[1]);
      // Each kind's operations a command, most first, and their sum.
      const perCommand = (kind: string) => {
        const parts = [...requestCounts]
          .filter(([name, n]) => name.startsWith(`${kind} `) && n > 0)
          .sort((a, b) => b[1] - a[1]);
        const all = parts.reduce((sofar, [, n]) => sofar + n, 0) / sent;
        const each = parts.map(([name, n]) => `${name.slice(kind.length + 1)} ${(n / sent).toFixed(2)}`);
        return { all, said: `${all.toFixed(2)} (${each.join(", ")})` };
      };
      const [store, cloud, slack] = ["store", "cloud", "slack"].map(perCommand);
      report(
        "requests per command in the measured windows: bot",
        `${store?.all.toFixed(2)} store`,
        `store operations ${store?.said}; cloud requests ${cloud?.said}; Slack Web API calls ${slack?.said}, from the bot's /metrics; replies to response URLs ${(replies / sent).toFixed(2)} (placeholders and answers, from the fake Slack)`,
      );
      report(
        `Slack Web API calls a minute at ${rate} commands/s: bot`,
        `${Math.round(perMinute(byMethod.reduce((sofar, [, n]) => sofar + n, 0)))}`,
        `${byMethod.map(([method, n]) => `${method} ${Math.round(perMinute(n))}`).join(", ")}; Slack allows usergroups.list about 20 a minute (Tier 2), chat.update about 50 (Tier 3), chat.postMessage about 1 a second per channel; replies to response URLs are not Web API calls`,
      );
      if (versus === undefined) {
        // Each kind alone for one window (the bot only; the bare app's cost does not depend on what it acks):
        // where the mix's CPU goes. `BENCH_ACK_KIND_WINDOWS=0` leaves this out.
        if (process.env.BENCH_ACK_KIND_WINDOWS !== "0") {
          const byKind: string[] = [];
          for (const [kind, name] of KIND_NAMES) {
            let run: LoadResult | undefined;
            if (kind === 3) click = await listToClick();
            for (let again = 0; run === undefined; again++) {
              await quietBot();
              const runsBefore = await metricSum(bot.port, WATCHER_RUNS);
              const measured = await load(sender, bot, fake, names, click, rate, seconds, settleBot, [kind]);
              if ((await metricSum(bot.port, WATCHER_RUNS)) === runsBefore || again === 2) run = measured;
            }
            byKind.push(`${name} ${run.cpuPerCommandMs.toFixed(2)} ms`);
          }
          report(
            "CPU per command by kind, each alone: bot",
            byKind.join(", "),
            `one window of ${rate * seconds} requests each at ${rate}/s (a window in which a watcher ran measured again); bare Bolt ${anchorCpu.toFixed(2)} ms for any request`,
          );
        }
        await stopChild(bare);

        // RSS with the watchers running and 1,000 approvals pending: a hard reboot of 1,000 distinct servers
        // (each needs an approval under the shipped policy), sent like the load above, then settled.
        const pendingNames = names.slice(0, Number(process.env.BENCH_PENDING ?? 1000));
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
        const sum = (pattern: RegExp) => metricSum(bot.port, pattern);
        const pending = await sum(
          /^hwc_chatops_policy_decisions_total\{decision="needs_approval",stage="request"/,
        );
        const watcherRuns = await sum(WATCHER_RUNS);
        const heapMb = (await sum(/^hwc_chatops_nodejs_heap_size_used_bytes /)) / 1024 / 1024;
        const heapTotalMb = (await sum(/^hwc_chatops_nodejs_heap_size_total_bytes /)) / 1024 / 1024;
        const externalMb = (await sum(/^hwc_chatops_nodejs_external_memory_bytes /)) / 1024 / 1024;
        report(
          "RSS with watchers and pending approvals: bot",
          `${Math.round(rssMb(bot.child.pid ?? 0))} MB`,
          `goal ≤ 250 MB; JS heap used ${Math.round(heapMb)} of ${Math.round(heapTotalMb)} MB, external ${Math.round(externalMb)} MB; ${pending} requests waiting for approval (policy decisions), ${watcherRuns} watcher runs so far; bare Bolt at rest ${Math.round(median(bareRss))} MB`,
        );
      }
    } finally {
      await sender.terminate();
      await stopChild(bare);
      await stopChild(bot);
    }
    if (profile) summarizeProfile(profileDir, report, profiledWindows);
    if (process.env.BENCH_PROFILE_KEEP) {
      // The windows beside the profiles, so that a kept profile can be read for the windows only.
      if (profile) writeFileSync(join(profileDir, "windows.json"), JSON.stringify(profiledWindows));
      cpSync(profileDir, process.env.BENCH_PROFILE_KEEP, { recursive: true });
    }
  } finally {
    await sim.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
