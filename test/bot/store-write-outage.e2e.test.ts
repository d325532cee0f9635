/**
 * A store that still answers reads but refuses writes (SQLite on a full disk), then one that refuses
 * everything, as the people who run the bot see it over real HTTP: `/readyz` says 503 and `store_up` 0 (its
 * probe writes), each command turned away is counted (`commands_total{outcome="store_unavailable"}`), and the
 * probe and the notifier say the outage once as it starts and once as it ends.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import type { Store } from "../../src/store/store.js";
import { StoreUnavailableError } from "../../src/store/store-unavailable-error.js";
import { eventually } from "../helpers/eventually.js";
import { sendSlashCommand } from "../helpers/slack-requests.js";
import { sample, scrape } from "../metrics/scrape-metrics.js";

const READS = new Set(["get", "members", "readLog", "logState", "getLease", "serverTime"]);

/** The memory store, made to refuse writes (`"writes"`) or every call (`"all"`) as a full disk or a gone Redis would. */
function faultyStore(inner: Store): { store: Store; fail: (mode: "none" | "writes" | "all") => void } {
  let mode: "none" | "writes" | "all" = "none";
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function" || name === "close") return value;
      return (...args: unknown[]) => {
        if (mode === "all" || (mode === "writes" && !READS.has(String(name))))
          return Promise.reject(
            new StoreUnavailableError("SQLite at test.sqlite", "database or disk is full"),
          );
        return value.apply(target, args);
      };
    },
  });
  return { store, fail: (m) => (mode = m) };
}

let fake: FakeSlack;
let sim: CloudSimulator;
let bot: RunningBot;
let dir: string;
const lines: Record<string, unknown>[] = [];
const faulty = faultyStore(createMemoryStore());

beforeAll(async () => {
  fake = await startFakeSlack();
  sim = await startCloudSimulator();
  dir = await mkdtemp(join(tmpdir(), "hwc-store-write-outage-"));
  const notificationsFile = join(dir, "notifications.yml");
  await writeFile(
    notificationsFile,
    "version: 1\ndefaults:\n  interval: 1h\n  alert_channels: [C_OPS]\nwatchers:\n  - id: ecs\n    kind: ecs_servers\n",
  );
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n")) if (line.startsWith("{")) lines.push(JSON.parse(line));
      callback();
    },
  });
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
      notificationsFile,
      logLevel: "debug",
    },
    logger: createLogger({ level: "debug", destination: sink }),
    host: "127.0.0.1",
    store: faulty.store,
  });
});

afterAll(async () => {
  faulty.fail("none");
  await bot?.stop(2_000);
  await sim?.close();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const readyz = async () => {
  const res = await fetch(`${bot.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
};
const command = (text: string) =>
  sendSlashCommand(
    `${bot.url}/slack/events`,
    fake.signingSecret,
    fake.buildSlashCommand({ text, command: "/ecs" }),
  );
const said = (pattern: RegExp) => lines.filter((l) => pattern.test(String(l.msg)));

it("a store that reads but cannot write: /readyz 503, store_up 0, commands turned away counted, the outage said once each way", async () => {
  expect(await readyz()).toMatchObject({ status: 200, body: { checks: { store: "ok" } } });
  expect(sample(await scrape(`${bot.url}/metrics`), "hwc_chatops_store_up")).toBe(1);

  faulty.fail("writes");
  const down = await readyz();
  expect(down.status).toBe(503);
  expect(down.body.checks.store).toMatch(/database or disk is full/);
  await readyz();
  const metrics = await scrape(`${bot.url}/metrics`);
  expect(sample(metrics, "hwc_chatops_store_up")).toBe(0);

  expect((await command("list")).status).toBe(200);
  expect((await command("list")).status).toBe(200);
  await eventually(
    () => said(/^command turned away/).length >= 2 || undefined,
    10_000,
    "commands turned away",
  );
  const counted = await scrape(`${bot.url}/metrics`);
  expect(sample(counted, "hwc_chatops_commands_total", { outcome: "store_unavailable" })).toBe(2);

  // The probe's outage: one warning however many probes fail.
  const started = said(/^the store is unavailable: \/readyz answers 503/);
  expect(started).toHaveLength(1);
  expect(started[0]).toMatchObject({ level: 40, component: "bot" });

  faulty.fail("none");
  expect((await readyz()).status).toBe(200);
  expect(sample(await scrape(`${bot.url}/metrics`), "hwc_chatops_store_up")).toBe(1);
  expect(
    said(/^the store is available again$/).filter((l) => l.component === "bot").length,
  ).toBeGreaterThanOrEqual(1);
}, 30_000);

it("the notifier says a store outage once as it starts and once as it ends, never an error every tick", async () => {
  faulty.fail("all");
  try {
    await eventually(
      () => said(/^the store is unavailable: no watcher runs/).length > 0 || undefined,
      10_000,
      "the notifier's outage",
    );
    // A few ticks (one a second) fail meanwhile: debug only.
    await eventually(
      () => lines.filter((l) => l.component === "notifier" && l.level === 20).length >= 2 || undefined,
      10_000,
      "failed ticks",
    );
  } finally {
    faulty.fail("none");
  }
  await eventually(
    () => lines.find((l) => l.component === "notifier" && l.msg === "the store is available again"),
    10_000,
    "the end of the notifier's outage",
  );
  expect(said(/^the store is unavailable: no watcher runs/)).toHaveLength(1);
  expect(said(/^notifier tick failed$/)).toHaveLength(0);
}, 30_000);
