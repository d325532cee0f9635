/**
 * Ack latency, CPU per command and start-up of the shipped bot (`node dist/main.js`, SQLite store, the shipped
 * policy, flows and notifications) side by side with a bare Bolt app (`bench/bare-bolt.mjs`), in one run, on a
 * 10,000-server simulated fleet. Both run as child processes; the load generator, the fake Slack and the
 * simulator share this process. `BENCH_PROFILE=1` also writes a CPU profile of the bot and prints where its
 * time went inside the measured windows (`BENCH_PROFILE_KEEP=<dir>` keeps the profiles).
 */
import { once } from "node:events";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { startCloudSimulator } from "../src/sandbox/cloud/index.js";
import { simulatorCloudEnv } from "../src/sandbox/cloud/simulator-cloud-config.js";
import { buildSlackWorld, SLACK_IDS, startFakeSlack } from "../src/sandbox/slack/index.js";
import { startModuleWorker } from "../src/slack/ack-thread/start-module-worker.js";
import { blocksText, findElement } from "../test/helpers/read-slack-blocks.js";
import { sendSlashCommand } from "../test/helpers/slack-requests.js";
import { measurePendingRss, pendingCount } from "./measure-pending-rss.js";
import { gcOf, metricSum, requestCountsOf, WATCHER_RUNS } from "./read-bot-metrics.js";
import { rssMb, sleep, waitForQuiet } from "./read-process-stats.js";
import type { Report } from "./report.js";
import {
  KIND_NAMES,
  kinds,
  type LoadResult,
  leadInSeconds,
  type StopPlan,
  sendCommandMix,
  stopChannelCount,
  stopChannels,
  stopMode,
} from "./send-command-mix.js";
import { botArgs, type Child, startChild, stopChild } from "./start-app-process.js";
import { median } from "./statistics.js";
import { summarizeProfile } from "./summarize-cpu-profile.js";

/** How many nice levels the bench's own thread (the simulated cloud and the fake Slack) runs below the apps. */
const SERVICES_NICENESS = 10;

/** `check()`'s first answer, asked every `everyMs`, or undefined after `timeoutMs`. */
async function pollFor<T>(
  check: () => T | undefined,
  timeoutMs: number,
  everyMs = 250,
): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = check();
    if (found !== undefined || performance.now() >= deadline) return found;
    await sleep(everyMs);
  }
}

/**
 * The app's cloud requests by operation and outcome, from its `/metrics` (`ecs.listServers 200: 539, timeout: 1`):
 * what a command that never answered was waiting for.
 */
async function cloudRequestCounts(port: number): Promise<string> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
    (r) => r.text(),
    (e: unknown) => `(no /metrics: ${String(e)})`,
  );
  const counts = [
    ...text.matchAll(/^hwc_chatops_cloud_requests_total\{operation="([^"]+)",status="([^"]+)"\} (\d+)/gm),
  ];
  return (
    counts.map(([, operation, status, n]) => `${operation} ${status}: ${n}`).join(", ") || text.slice(0, 200)
  );
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
  const world = buildSlackWorld();
  const channelCount = stopMode === "new" ? stopChannelCount(rate) : 0;
  const fake = await startFakeSlack({
    world: {
      channels: [
        ...world.channels,
        ...stopChannels(
          channelCount,
          world.users.filter((u) => !u.deleted).map((u) => u.id),
        ),
      ],
    },
  });
  const sim = await startCloudSimulator({ servers: 10_000, seed: 7 });
  // `BENCH_ACK_CLOUD_LATENCY_MS`: every cloud answer that much later (default none), as a cloud far away is.
  const cloudLatencyMs = Number(process.env.BENCH_ACK_CLOUD_LATENCY_MS ?? 0);
  if (!Number.isFinite(cloudLatencyMs) || cloudLatencyMs < 0)
    throw new Error(
      `BENCH_ACK_CLOUD_LATENCY_MS must be milliseconds, 0 or more, not ${JSON.stringify(cloudLatencyMs)}`,
    );
  if (cloudLatencyMs > 0) sim.control.setFaults({ latencyMs: cloudLatencyMs });
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
    .join(" ")}, node ${process.version}${cloudLatencyMs > 0 ? `, cloud latency ${cloudLatencyMs} ms` : ""}`;
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
    // The stops' servers: not the ones the RSS figure's pending requests reboot (a stopped server cannot be),
    // and for a second bot (which shares the simulated cloud) half of them each, so neither finds a server the
    // other stopped.
    const stopServers = names.slice(pendingCount());
    const channelIds = stopChannels(channelCount, []).map((c) => c.id);
    const botStops: StopPlan = {
      servers: versus === undefined ? stopServers : stopServers.filter((_, i) => i % 2 === 0),
      channels: channelIds,
    };
    const anchorStops: StopPlan = {
      servers: versus === undefined ? stopServers : stopServers.filter((_, i) => i % 2 === 1),
      channels: channelIds,
    };
    const stopsSaid =
      stopMode === "new"
        ? `its stops new requests (a server not asked for before in the run, ${channelCount} channels in turn, BENCH_ACK_STOPS=new)`
        : "its stops the same in every window, in #ops (from the second window on asked again: answered as duplicates or refused; BENCH_ACK_STOPS=repeated)";
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
        const busyAnswer = (e: { blocks?: unknown[] }) => blocksText(e.blocks).includes("busy, try again");
        for (let attempt = 1; ; attempt++) {
          const seen = new Set(fake.ephemerals({ user: SLACK_IDS.alice }).map((e) => e.ts));
          const fresh = () => fake.ephemerals({ user: SLACK_IDS.alice }).filter((e) => !seen.has(e.ts));
          // A kept-alive connection the app closed after idling between windows is refused once ("other side
          // closed", nothing read): asked again a little later, as Slack retries a delivery.
          const sent = await sendSlashCommand(
            `http://127.0.0.1:${target.port}/slack/events`,
            fake.signingSecret,
            fake.buildSlashCommand({ command: "/ecs", text: "list status=ACTIVE" }),
          ).then(
            () => true,
            (error: unknown) => {
              if (attempt === 5) throw error;
              return false;
            },
          );
          if (!sent) {
            await sleep(2_000);
            continue;
          }
          // Polled, not `fake.waitFor`: that runs its check on every change of the fake Slack, and each check
          // copies every ephemeral of the run; with another app still posting (the A/B mode's other bot, its
          // stops' threads) the bench's own thread, which serves the simulated cloud too, did nothing else and
          // the bot's cloud calls timed out: its list never answered.
          const answer = await pollFor(
            () =>
              fresh().find((e) => findElement(e.blocks, "q.page.next")?.value !== undefined || busyAnswer(e)),
            60_000,
          );
          const value = answer === undefined ? undefined : findElement(answer.blocks, "q.page.next")?.value;
          if (answer !== undefined && value !== undefined) return { message: answer, value };
          // Answered busy (the bot's queue of work after acks was full when it came, as on a loaded machine
          // before the load's work drained): asked again a little later, as a person would.
          if (answer === undefined || attempt === 5)
            throw new Error(
              `no list to click Next on (attempt ${attempt}, ${answer === undefined ? "no answer with a Next button in 60 s" : "answered busy"}); its answers: ${fresh()
                .map((e) => blocksText(e.blocks).slice(0, 300))
                .join(" | ")}; its /healthz: ${await fetch(`http://127.0.0.1:${target.port}/healthz`).then(
                (r) => r.text(),
                (e: unknown) => String(e),
              )}; its cloud requests: ${await cloudRequestCounts(target.port)}; the simulator's last requests (it logs one as it answers): ${sim.control
                .requests()
                .slice(-8)
                .map(
                  (r) =>
                    `${r.time} ${r.method} …${r.path.slice(-24)} ${JSON.stringify(r.query)} ${r.status} in ${r.durationMs} ms`,
                )
                .join(" | ")}; its last log lines:\n${target.output().slice(-4_000)}`,
            );
          await sleep(2_000);
        }
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
      await sendCommandMix(
        sender,
        bare,
        fake,
        names,
        anchorClick,
        rate,
        warmupSeconds,
        settleAnchor,
        anchorStops,
      );
      await sendCommandMix(sender, bot, fake, names, click, rate, warmupSeconds, settleBot, botStops);
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
      // Posts of the bot's measured windows by channel, and by channel and second: Slack allows about one
      // `chat.postMessage` a second in a channel (short bursts allowed), which the fake does not enforce.
      const channelPosts = new Map<string, number>();
      const channelSecondPosts = new Map<string, number>();
      // What the commands of the bot's kept windows did (store operations, cloud requests, Slack calls).
      const requestCounts = new Map<string, number>();
      for (let w = 0; w < windows; w++) {
        await quietBot();
        if (versus === undefined)
          anchors.push(
            await sendCommandMix(sender, bare, fake, names, click, rate, seconds, settleAnchor, anchorStops),
          );
        else {
          anchorClick = await listToClick(bare);
          for (let again = 0; ; again++) {
            await waitForQuiet(bare.child.pid ?? 0);
            await quietBot();
            const runsBefore = await metricSum(bare.port, WATCHER_RUNS);
            const run = await sendCommandMix(
              sender,
              bare,
              fake,
              names,
              anchorClick,
              rate,
              seconds,
              settleAnchor,
              anchorStops,
            );
            if ((await metricSum(bare.port, WATCHER_RUNS)) === runsBefore || again === 2) {
              anchors.push(run);
              break;
            }
          }
        }
        click = await listToClick();
        for (let again = 0; ; again++) {
          await quietBot();
          const runsBefore = await metricSum(bot.port, WATCHER_RUNS);
          // Taken where the measured window starts, after its lead-in (see `leadInSeconds`).
          let busyBefore = 0;
          let repliesBefore = 0;
          let gcBefore = new Map<string, { count: number; ms: number }>();
          let countsBefore = new Map<string, number>();
          let from = 0;
          const run = await sendCommandMix(
            sender,
            bot,
            fake,
            names,
            click,
            rate,
            seconds,
            settleBot,
            botStops,
            kinds,
            async () => {
              from = Number(process.hrtime.bigint() / 1000n);
              fake.clearCalls();
              busyBefore = busyAnswers();
              repliesBefore = responsePosts();
              gcBefore = await gcOf(bot.port);
              countsBefore = await requestCountsOf(bot.port);
            },
          );
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
            for (const call of fake.calls()) {
              slackCalls.set(call.method, (slackCalls.get(call.method) ?? 0) + 1);
              const channel = call.args.channel;
              if (call.method !== "chat.postMessage" || typeof channel !== "string") continue;
              channelPosts.set(channel, (channelPosts.get(channel) ?? 0) + 1);
              const key = `${channel} ${Math.floor(Date.parse(call.at) / 1000)}`;
              channelSecondPosts.set(key, (channelSecondPosts.get(key) ?? 0) + 1);
            }
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
      const windowsSaid = `median of ${windows} windows of ${rate * seconds} requests over ${seconds} s, the bare app's and the bot's alternating, after a warm-up of ${warmupSeconds} s at the same rate${leadInSeconds > 0 ? `, each window after a lead-in of ${leadInSeconds} s at the same rate, not counted (BENCH_ACK_LEAD_IN_SECONDS)` : ""}; ${stopsSaid}`;
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
      // Each bot window against the anchor's window just before it: what the machine did meanwhile weighs on
      // both of a pair alike, so the pairs' ratios vary less than the windows do.
      const cpuRatios = runs.map((r, i) => r.cpuPerCommandMs / (anchors[i]?.cpuPerCommandMs ?? Number.NaN));
      const cpuPairs = `windows paired: median ${median(cpuRatios).toFixed(2)}×, ${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}×`;
      report(
        "CPU per command (ack + all work after it): bot",
        `${cpu.toFixed(2)} ms`,
        `windows ${span((r) => r.cpuPerCommandMs, runs, 2)} ms, of which kernel ${mid((r) => r.systemPerCommandMs, runs).toFixed(2)} ms; ${anchorName} ${anchorCpu.toFixed(2)} ms (${span((r) => r.cpuPerCommandMs, anchors, 2)}), ratio ${(cpu / anchorCpu).toFixed(2)}× (${cpuPairs}) (goal ≤ 3 ms); ${repeated === 0 ? "no watcher ran in a window" : `${repeated} window(s) measured again after a watcher ran in them`}`,
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
      const [busiest, busiestPosts] = [...channelPosts].sort((a, b) => b[1] - a[1])[0] ?? ["none", 0];
      const [peakKey, peakPosts] = [...channelSecondPosts].sort((a, b) => b[1] - a[1])[0] ?? ["none", 0];
      report(
        "chat.postMessage a second in its busiest channel: bot",
        `${(busiestPosts / (windows * seconds)).toFixed(2)}`,
        `${busiest}, over the measured windows' ${windows * seconds} s; at most ${peakPosts} in one second of the clock (${peakKey.split(" ")[0]}); ${channelPosts.size} channels posted in; Slack allows about 1 a second per channel, short bursts allowed (the fake Slack does not enforce it)`,
      );
      if (versus === undefined) {
        // Each kind alone for one window (the bot only; the bare app's cost does not depend on what it acks):
        // where the mix's CPU goes. `BENCH_ACK_KIND_WINDOWS=0` leaves this out.
        if (process.env.BENCH_ACK_KIND_WINDOWS !== "0") {
          const byKind: string[] = [];
          for (const [kind, name] of KIND_NAMES) {
            let run: LoadResult | undefined;
            // The list asked once the bot is quiet, as before each window of the mix: right after the mix its
            // new stops' runs (their jobs, their threads) are still going.
            if (kind === 3) {
              await quietBot();
              click = await listToClick();
            }
            for (let again = 0; run === undefined; again++) {
              await quietBot();
              const runsBefore = await metricSum(bot.port, WATCHER_RUNS);
              const measured = await sendCommandMix(
                sender,
                bot,
                fake,
                names,
                click,
                rate,
                seconds,
                settleBot,
                botStops,
                [kind],
              );
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

        await measurePendingRss(bot, fake, names, settleBot, median(bareRss), report);
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
