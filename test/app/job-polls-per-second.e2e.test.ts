/**
 * `JOB_POLLS_PER_SECOND` as production composes it (`startHwcChatops`): three allowed stops run at once over
 * signed Slack requests, and the simulated cloud's request log shows their job polls spread over the seconds
 * of the configured budget (1 a second) instead of leaving together, as the default budget (20) lets them;
 * `/metrics` counts each poll with its wait for the budget. With more jobs than that budget polls at their
 * pace (2), the board reads their servers together; with one, it reads nothing.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningBot, startHwcChatops } from "../../src/app/start-hwc-chatops.js";
import { createLogger } from "../../src/log/create-logger.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import { type FakeSlack, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { IDS, textOf } from "../e2e/helpers/operations-harness.js";
import { sendSlashCommand } from "../helpers/slack-requests.js";
import { sample } from "../metrics/scrape-metrics.js";

const NAMES = ["web-01", "web-02", "web-03"];

let fake: FakeSlack;
let sim: CloudSimulator;
let bot: RunningBot;

beforeAll(async () => {
  fake = await startFakeSlack();
  sim = await startCloudSimulator({ jobTiming: { initMs: 20, runningMs: 60 } });
  // Under the shipped policy a stop of a dev server runs without approval.
  for (const name of NAMES) {
    const server = sim.control.server(name);
    if (!server) throw new Error(`no server ${name}`);
    sim.control.setServer(server.id, { status: "ACTIVE", tags: { env: "dev", role: "web" } });
  }
  bot = await startHwcChatops({
    slack: {
      botToken: fake.botToken,
      apiUrl: fake.apiUrl,
      transport: { kind: "http", signingSecret: fake.signingSecret, port: 0 },
    },
    cloud: { ...simulatorCloudConfig(sim), connectTimeoutMs: 2_000, requestTimeoutMs: 10_000 },
    app: {
      storeUrl: "memory://",
      policyFile: "flows/policy.yml",
      flowsDir: "flows",
      notificationsFile: "flows/notifications.yml",
      logLevel: "warn",
      jobPollsPerSecond: 1,
    },
    logger: createLogger({
      level: "warn",
      destination: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    }),
    host: "127.0.0.1",
    store: createMemoryStore(),
  });
});

afterAll(async () => {
  await bot?.stop(2_000);
  await sim?.close();
  await fake?.close();
});

/** Alice's `/ecs stop <name>` for each of `names`, all at once; each acknowledged. */
async function stopAll(names: readonly string[]): Promise<void> {
  const sent = await Promise.all(
    names.map((name) =>
      sendSlashCommand(
        `${bot.url}/slack/events`,
        fake.signingSecret,
        fake.buildSlashCommand({ text: `stop ${name}`, command: "/ecs", user: IDS.alice }),
      ),
    ),
  );
  expect(sent.map((r) => r.status)).toEqual(names.map(() => 200));
}

/** The bot's "Done" messages of stops of `names` in the channel. */
const doneCount = (names: readonly string[]) =>
  fake
    .messages(IDS.ops)
    .filter(
      (m) =>
        m.user === IDS.bot &&
        textOf(m).includes("Done") &&
        names.some((n) => textOf(m).includes(`stop ${n}`)),
    ).length;

/** The board's reads the cloud saw: servers listed by ID. */
const boardReads = () =>
  sim.control.requests().filter((r) => r.path.endsWith("/cloudservers/detail") && "server_id" in r.query);

it("JOB_POLLS_PER_SECOND=1: three concurrent jobs are polled one a second, each followed to its end", async () => {
  sim.control.clearRequests();
  await stopAll(NAMES);
  await fake.waitFor(() => doneCount(NAMES) === 3, 20_000);
  await bot.operations.idle();
  const polls = sim.control.requests().filter((r) => r.method === "GET" && /\/jobs\/[^/]+$/.test(r.path));
  // Each of the three jobs was polled (one batch job a stop) …
  expect(new Set(polls.map((r) => r.path)).size).toBe(3);
  // … and no second of the clock saw two polls: the configured budget, not the default 20.
  const perSecond = new Map<number, number>();
  for (const r of polls) {
    const second = Math.floor(Date.parse(r.time) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  expect(Math.max(...perSecond.values())).toBe(1);
  for (const name of NAMES) expect(sim.control.server(name)?.status).toBe("SHUTOFF");
  // /metrics counts every poll with how long it waited for the budget (the waits themselves, which depend
  // on how far apart the three jobs started, are checked exactly in the gate's unit test).
  const metrics = await (await fetch(`${bot.url}/metrics`)).text();
  expect(sample(metrics, "hwc_chatops_job_poll_budget_wait_seconds_count")).toBe(polls.length);
  // … and how late each job was seen against the end the cloud recorded: the 80 ms jobs were first polled
  // 2 s after they started, so each was seen at least 1.5 s after its end.
  const seen = { length: "under_1m" };
  expect(sample(metrics, "hwc_chatops_job_seen_after_end_seconds_count", seen)).toBe(3);
  expect(sample(metrics, "hwc_chatops_job_seen_after_end_seconds_sum", seen)).toBeGreaterThanOrEqual(4.5);
  expect(sample(metrics, "hwc_chatops_job_seen_after_end_seconds_count", { length: "over_1m" })).toBe(0);
}, 30_000);

it("while more jobs run than the budget polls at their pace, the board reads their servers together once a second", async () => {
  // At 1 poll a second the budget polls 2 jobs every 2 s: with three, the board reads their servers.
  for (const name of NAMES) sim.control.setServer(sim.control.server(name)!.id, { status: "ACTIVE" });
  const ids = NAMES.map((name) => sim.control.server(name)!.id).sort();
  // Long enough that the three jobs run together even when CI load spreads their starts.
  sim.control.setJobTiming({ initMs: 200, runningMs: 6_000 });
  try {
    const before = doneCount(NAMES);
    sim.control.clearRequests();
    await stopAll(NAMES);
    await fake.waitFor(() => doneCount(NAMES) >= before + 3, 30_000);
    await bot.operations.idle();
    const reads = boardReads();
    // One request for the three servers, about once a second while all three jobs ran (6.2 s).
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.some((r) => String(r.query.server_id).split(",").sort().join() === ids.join())).toBe(true);
    for (const name of NAMES) expect(sim.control.server(name)?.status).toBe("SHUTOFF");
    // None once the jobs were seen: the last polls ended the following.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(boardReads()).toHaveLength(reads.length);
  } finally {
    sim.control.setJobTiming({ initMs: 20, runningMs: 60 });
  }
}, 40_000);

it("a single job is followed by its polls alone: the board does not read its server", async () => {
  const web01 = sim.control.server("web-01")!;
  sim.control.setServer(web01.id, { status: "ACTIVE" });
  sim.control.setJobTiming({ initMs: 200, runningMs: 3_000 });
  try {
    const before = doneCount(["web-01"]);
    sim.control.clearRequests();
    await stopAll(["web-01"]);
    await fake.waitFor(() => doneCount(["web-01"]) > before, 20_000);
    await bot.operations.idle();
    expect(sim.control.server("web-01")?.status).toBe("SHUTOFF");
    expect(boardReads()).toEqual([]);
  } finally {
    sim.control.setJobTiming({ initMs: 20, runningMs: 60 });
  }
}, 30_000);
