import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/create-logger.js";
import { buildWatchListMessage } from "../../src/notify/build-watch-list-message.js";
import type { NotifierCloud } from "../../src/notify/watcher-kind.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import type { ServerView } from "../../src/sandbox/cloud/index.js";
import { expectValidBlockKit } from "../render/block-kit-test-helpers.js";
import { type NotifyEnv, startNotifyEnv, T0, testConfig, textsOf } from "./helpers/start-notify-env.js";

const MINUTE = 60_000;

const CONFIG = testConfig(`
version: 1
defaults:
  interval: 1m
  quiet_period: 10m
  failure_threshold: 3
  lease_ttl: 2m
  alert_channels: [C_OPS]
watchers:
  - id: ecs
    kind: ecs_servers
  - id: hss
    kind: hss_hosts
routes:
  - id: ops
    channels: [C_OPS]
  - id: prod
    channels: [C_PROD]
    min_severity: warning
    match: { tags: { env: prod } }
digests:
  - id: posture
    kind: hss_posture
    schedule: "30 8 * * *"
    time_zone: Europe/Berlin
    channels: [C_OPS]
    top: 5
  - id: fleet
    kind: ecs_fleet
    schedule: "30 8 * * *"
    time_zone: Europe/Berlin
    channels: [C_OPS]
`);

let env: NotifyEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const active = (e: NotifyEnv, predicate: (s: ServerView) => boolean = () => true) =>
  e.control.servers().filter((s) => s.status === "ACTIVE" && predicate(s));

describe("no floods", () => {
  it("groups a burst of 500 changes into one message per channel", async () => {
    env = await startNotifyEnv({ sim: { servers: 620 } });
    const notifier = env.notifier(CONFIG);
    await notifier.runOnce("ecs");
    const victims = active(env).slice(0, 500);
    expect(victims).toHaveLength(500);
    for (const s of victims) env.control.setServer(s.id, { status: "SHUTOFF" });
    const prodCount = victims.filter((s) => s.tags.env === "prod").length;
    expect(prodCount).toBeGreaterThan(10);

    const result = await notifier.runOnce("ecs");
    expect(result).toMatchObject({ outcome: "ok", changes: 500, announced: 500, posted: 2 });
    const [ops] = env.posted("C_OPS");
    const [prod] = env.posted("C_PROD");
    expect(env.posted("C_OPS")).toHaveLength(1);
    expect(env.posted("C_PROD")).toHaveLength(1);
    expect(textsOf(ops!)).toContain("ECS servers: 500 changes");
    expect(textsOf(ops!).some((t) => t.startsWith("…and 490 more"))).toBe(true);
    expect(textsOf(prod!)).toContain(`ECS servers: ${prodCount} changes`);
    expect(textsOf(prod!).some((t) => t.startsWith(`…and ${prodCount - 10} more`))).toBe(true);
  });

  it("suppresses a flapping server within the quiet period", async () => {
    env = await startNotifyEnv();
    const notifier = env.notifier(CONFIG);
    await notifier.runOnce("ecs");
    const [flappy] = active(env, (s) => s.tags.env !== "prod");
    for (let i = 0; i < 6; i++) {
      env.control.setServer(flappy!.id, { status: i % 2 === 0 ? "SHUTOFF" : "ACTIVE" });
      await notifier.runOnce("ecs");
      env.clock.advance(MINUTE);
    }
    // Stopped, started, stopped… within 6 minutes: only the first stop was announced.
    expect(env.posted("C_OPS")).toHaveLength(1);
    expect(textsOf(env.posted("C_OPS")[0]!).join("\n")).toContain("stopped outside hwc-chatops");

    // It settles ACTIVE, not what was announced: after the quiet period that is said once.
    env.clock.advance(5 * MINUTE);
    const settled = await notifier.runOnce("ecs");
    expect(settled).toMatchObject({ outcome: "ok", changes: 0, announced: 1 });
    expect(env.posted("C_OPS")).toHaveLength(2);
    expect(textsOf(env.posted("C_OPS")[1]!).join("\n")).toContain(
      "started outside hwc-chatops _(4 earlier changes held back by the quiet period)_",
    );
    await notifier.runOnce("ecs");
    expect(env.posted("C_OPS")).toHaveLength(2);
  });

  it("spaces posts to one channel and honours Slack's Retry-After", async () => {
    env = await startNotifyEnv();
    const notifier = env.notifier(CONFIG);
    await notifier.tick();
    env.clock.advance(MINUTE);
    const [server] = active(
      env,
      (s) => s.tags.env !== "prod" && env!.control.host(s.id)?.agentStatus === "online",
    );
    const [other] = active(
      env,
      (s) =>
        s.id !== server!.id && s.tags.env !== "prod" && env!.control.host(s.id)?.agentStatus === "online",
    );
    env.control.setServer(server!.id, { status: "SHUTOFF" });
    env.control.setHost(other!.id, { agentStatus: "offline" });
    env.slack.rateLimitNext("chat.postMessage", 3);

    const report = await notifier.tick();
    expect(report.watchers.map((r) => r.outcome)).toEqual(["ok", "ok"]);
    const posted = env.posted("C_OPS");
    expect(posted).toHaveLength(2);
    const calls = env.slack.calls("chat.postMessage");
    expect(calls).toHaveLength(3);
    expect(calls[0]?.response.status).toBe(429);
    expect(env.sleeps).toContain(3_000);
    const times = posted.map((m) => Date.parse(m.history[0]!.at));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_000);
  });
});

describe("digests", () => {
  it("fires at its cron time in its time zone, with correct counts, once per slot", async () => {
    // 08:30 in Berlin is 07:30 UTC in January.
    env = await startNotifyEnv({ start: T0 + 29 * MINUTE + 30_000 });
    const notifier = env.notifier(CONFIG);
    const other = env.notifier(CONFIG, { replicaId: "other" });
    expect((await notifier.tick(env.clock.now())).digests).toEqual([]);
    env.clock.advance(29_999);
    expect((await notifier.tick()).digests).toEqual([]);
    expect(env.posted("C_OPS")).toHaveLength(0);

    env.clock.advance(1);
    const slot = env.clock.now();
    expect(new Date(slot).toISOString()).toBe("2026-01-05T07:30:00.000Z");
    const report = await notifier.tick();
    expect(report.digests.map((d) => [d.digestId, d.outcome, d.slot])).toEqual([
      ["posture", "posted", slot],
      ["fleet", "posted", slot],
    ]);
    // Another replica on the same store finds the slot taken.
    expect((await other.tick()).digests.map((d) => d.outcome)).toEqual(["skipped", "skipped"]);
    expect((await notifier.tick()).digests).toEqual([]);

    const servers = env.control.servers();
    const hosts = servers.map((s) => env!.control.host(s.id)!);
    const count = <T>(items: T[], key: (t: T) => string) => {
      const m = new Map<string, number>();
      for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
      return m;
    };
    const [posture, fleet] = env.posted("C_OPS");
    expect(env.posted("C_OPS")).toHaveLength(2);
    const postureText = textsOf(posture!).join("\n");
    expect(postureText).toContain(`HSS posture: ${hosts.length} hosts`);
    for (const [status, n] of count(hosts, (h) => h.agentStatus))
      expect(postureText).toContain(`${status} *${n}*`);
    for (const [status, n] of count(hosts, (h) => h.protectStatus))
      expect(postureText).toContain(`${status} *${n}*`);
    const noAgent = hosts.filter(
      (h) => h.agentStatus === "not_installed" || h.agentStatus === "install_failed",
    );
    for (const h of noAgent.slice(0, 5)) expect(postureText).toContain(`*${h.hostName}*`);
    const riskiest = [...hosts].sort(
      (a, b) =>
        b.intrusion - a.intrusion ||
        b.vulnerability + b.baseline + b.intrusion - (a.vulnerability + a.baseline + a.intrusion),
    )[0]!;
    expect(postureText).toContain(`*\`${riskiest.hostName}\`* — vulnerabilities ${riskiest.vulnerability}`);
    expect(postureText).toContain("08:30 (Europe/Berlin)");

    const fleetText = textsOf(fleet!).join("\n");
    expect(fleetText).toContain(`ECS fleet: ${servers.length} servers`);
    for (const [status, n] of count(servers, (s) => s.status))
      expect(fleetText).toContain(`${status} *${n}*`);
    for (const [flavor, n] of count(servers, (s) => s.flavorId))
      expect(fleetText).toContain(`${flavor} *${n}*`);

    // The next day, the same time (posting moved the clock on by the pacing of the two digests).
    env.clock.advance(slot + 24 * 60 * MINUTE - 1 - env.clock.now());
    expect((await notifier.tick()).digests).toEqual([]);
    env.clock.advance(1);
    expect((await notifier.tick()).digests.map((d) => d.outcome)).toEqual(["posted", "posted"]);
    expect(env.posted("C_OPS")).toHaveLength(4);
    expect((await notifier.listDigests())[0]).toMatchObject({
      id: "posture",
      lastSlot: slot + 24 * 60 * MINUTE,
      lastResult: { outcome: "posted", posted: 1 },
    });
  });
});

describe("cloud outages", () => {
  it("says once that a watcher is failing, and once that it recovered", async () => {
    env = await startNotifyEnv();
    const notifier = env.notifier({ ...CONFIG, watchers: CONFIG.watchers.filter((w) => w.id === "ecs") });
    await notifier.runOnce("ecs");
    env.control.setFaults({ rate5xx: 1, status5xx: 503, match: "servers/detail" });

    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      env.clock.advance(MINUTE);
      const report = await notifier.tick();
      outcomes.push(...report.watchers.filter((r) => r.watcherId === "ecs").map((r) => r.outcome));
    }
    expect(outcomes).toEqual(["failed", "failed", "failed", "failed", "failed"]);
    const failing = env.posted("C_OPS");
    expect(failing).toHaveLength(1);
    expect(textsOf(failing[0]!).join("\n")).toContain(
      "Watcher *ecs* (ECS servers) is failing: 3 runs in a row",
    );
    expect(env.posted("C_PROD")).toHaveLength(0);
    const [info] = await notifier.listWatchers();
    expect(info).toMatchObject({
      id: "ecs",
      consecutiveFailures: 5,
      failing: true,
      lastResult: { outcome: "failed" },
    });

    // A change during the outage is announced once the cloud answers again, after "recovered".
    const [changed] = active(env, (s) => s.tags.env !== "prod");
    env.control.setServer(changed!.id, { status: "SHUTOFF" });
    env.control.clearFaults();
    env.clock.advance(MINUTE);
    await notifier.tick();
    const after = env.posted("C_OPS");
    expect(after).toHaveLength(3);
    expect(textsOf(after[1]!).join("\n")).toContain("Watcher *ecs* (ECS servers) recovered after 5m");
    expect(textsOf(after[2]!).join("\n")).toContain("stopped outside hwc-chatops");
    env.clock.advance(MINUTE);
    await notifier.tick();
    expect(env.posted("C_OPS")).toHaveLength(3);
  });
});

describe("several replicas", () => {
  it("lets only the lease holder run and post", async () => {
    env = await startNotifyEnv();
    const a = env.notifier(CONFIG, { replicaId: "replica-a" });
    const b = env.notifier(CONFIG, { replicaId: "replica-b" });
    expect((await a.tick()).watchers.map((r) => r.outcome)).toEqual(["baseline", "baseline"]);
    expect((await b.tick()).watchers).toEqual([]);
    expect(await b.runOnce("ecs")).toMatchObject({
      outcome: "skipped",
      reason: "lease_held",
      detail: "replica-a",
    });

    const [s] = active(env, (x) => x.tags.env !== "prod");
    env.control.setServer(s!.id, { status: "SHUTOFF" });
    env.clock.advance(MINUTE);
    expect((await b.tick()).watchers).toEqual([]);
    expect((await a.tick()).watchers.find((r) => r.watcherId === "ecs")).toMatchObject({
      outcome: "ok",
      posted: 1,
    });
    expect((await b.tick()).watchers).toEqual([]);
    expect(env.posted("C_OPS")).toHaveLength(1);
    expect((await b.listWatchers())[0]).toMatchObject({ holder: "replica-a" });
  });

  it("fences off a holder that lost its lease mid-run: the change is posted once, by the new holder", async () => {
    env = await startNotifyEnv();
    const e = env;
    let pause: (() => Promise<void>) | undefined;
    // A replica whose server listing stalls (GC pause, slow network) until the test lets it go on.
    const stalling: NotifierCloud = {
      ...e.client,
      ecs: {
        listServers: async (...args) => {
          const servers = await e.client.ecs.listServers(...args);
          await pause?.();
          return servers;
        },
      },
    };
    const a = e.notifier(CONFIG, { replicaId: "replica-a", cloud: stalling });
    const b = e.notifier(CONFIG, { replicaId: "replica-b" });
    await a.runOnce("ecs");
    const [s] = active(e, (x) => x.tags.env !== "prod");
    e.control.setServer(s!.id, { status: "SHUTOFF" });

    pause = async () => {
      pause = undefined;
      // A's lease (2m) runs out while it stalls; B takes over and does the run.
      e.clock.advance(3 * MINUTE);
      const taken = await b.runOnce("ecs");
      expect(taken).toMatchObject({ outcome: "ok", posted: 1 });
    };
    const stale = await a.runOnce("ecs");
    expect(stale).toMatchObject({ outcome: "skipped", reason: "fenced" });
    expect(e.posted("C_OPS")).toHaveLength(1);
  });
});

describe("/ops watch list", () => {
  it("lists watchers with their last run and result, as valid Block Kit", async () => {
    env = await startNotifyEnv();
    const notifier = env.notifier(CONFIG, { replicaId: "replica-a" });
    await notifier.tick();
    env.clock.advance(MINUTE);
    const [s] = active(env, (x) => x.tags.env === "prod");
    env.control.setServer(s!.id, { status: "ERROR" });
    await notifier.tick();
    const watchers = await notifier.listWatchers();
    expect(watchers).toEqual([
      expect.objectContaining({
        id: "ecs",
        kind: "ecs_servers",
        available: true,
        holder: "replica-a",
        channels: ["C_OPS", "C_PROD"],
        lastRunAt: env.clock.now(),
        nextRunAt: env.clock.now() + MINUTE,
        lastResult: expect.objectContaining({ outcome: "ok", changes: 1, announced: 1, posted: 2 }),
        consecutiveFailures: 0,
        failing: false,
      }),
      expect.objectContaining({
        id: "hss",
        lastResult: expect.objectContaining({ outcome: "ok", changes: 0 }),
      }),
    ]);
    const rendered = renderBlockKit(
      buildWatchListMessage(watchers, await notifier.listDigests(), env.clock.now()),
    );
    expectValidBlockKit(rendered);
    const text = textsOf(rendered).join("\n");
    expect(text).toContain("1 changes · 1 announced in 2 messages");
    expect(text).toContain("`30 8 * * *` (Europe/Berlin)");
  });
});

describe("start / stop", () => {
  it("ticks on its own until stopped, then releases its leases", async () => {
    env = await startNotifyEnv();
    const lines: string[] = [];
    const logger = createLogger({
      level: "debug",
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    const notifier = env.notifier(CONFIG, { replicaId: "replica-a", logger, tickIntervalMs: 5 });
    notifier.start();
    const e = env;
    while (!(await notifier.listWatchers()).every((w) => w.lastResult?.outcome === "baseline")) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await notifier.stop();
    expect(await e.store.getLease("notify:watcher:ecs")).toBeUndefined();
    expect(await e.store.getLease("notify:watcher:hss")).toBeUndefined();
    expect(lines.join("")).not.toContain(e.sim.sk);
    // Stopped: nothing runs any more.
    const after = (await notifier.listWatchers()).map((w) => w.lastRunAt);
    e.clock.advance(10 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await notifier.listWatchers()).map((w) => w.lastRunAt)).toEqual(after);
  });
});

describe("digests missed while the bot was down", () => {
  it("a slot that passed while every replica was down is posted late, once, by whichever replica starts", async () => {
    env = await startNotifyEnv({ start: T0 + 29 * MINUTE });
    const e = env;
    // 08:30 Berlin: posted, then the bot is down over the next day's 08:30 (a deploy that took too long).
    const before = e.notifier(CONFIG);
    e.clock.advance(MINUTE);
    expect((await before.tick()).digests.map((d) => d.outcome)).toEqual(["posted", "posted"]);
    const firstSlot = T0 + 30 * MINUTE;
    e.clock.advance(firstSlot + 24 * 60 * MINUTE + 20 * MINUTE - e.clock.now());

    // Two replicas start at 08:50: the missed 08:30 is posted once, for its slot, by one of them.
    const a = e.notifier(CONFIG, { replicaId: "a" });
    const b = e.notifier(CONFIG, { replicaId: "b" });
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    const runs = [...ra.digests, ...rb.digests];
    expect(runs.filter((r) => r.outcome === "posted").map((r) => [r.digestId, r.slot])).toEqual([
      ["posture", firstSlot + 24 * 60 * MINUTE],
      ["fleet", firstSlot + 24 * 60 * MINUTE],
    ]);
    expect(e.posted("C_OPS")).toHaveLength(4);
    // Nothing more until the next slot.
    expect((await a.tick()).digests).toEqual([]);
    expect((await b.tick()).digests).toEqual([]);
    expect(e.posted("C_OPS")).toHaveLength(4);
  });

  it("a digest never posted before starts with its next slot, not with one from before the bot ran", async () => {
    env = await startNotifyEnv({ start: T0 + 3 * 60 * MINUTE });
    const notifier = env.notifier(CONFIG);
    expect((await notifier.tick()).digests).toEqual([]);
    expect(env.posted("C_OPS")).toHaveLength(0);
  });
});
