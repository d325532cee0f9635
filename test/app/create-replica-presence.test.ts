import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  ClockSkewError,
  type ConfigFingerprint,
  createReplicaPresence,
  fingerprintConfigFiles,
  type PresenceLogger,
  REPLICAS_SET,
} from "../../src/app/create-replica-presence.js";
import { createPrometheusMetrics } from "../../src/metrics/create-prometheus-metrics.js";
import { instrumentStore } from "../../src/metrics/instrument-store.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { createRedisStore } from "../../src/store/create-redis-store.js";
import type { Store } from "../../src/store/store.js";
import { createManualClock } from "../store/manual-clock.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const FILES: ConfigFingerprint = {
  policy: "aaaaaaaaaaaa",
  flows: "bbbbbbbbbbbb",
  notifications: "cccccccccccc",
};
const opened: Store[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
});

function recordingLogger() {
  const lines: { level: "info" | "warn"; obj: object; msg: string }[] = [];
  const logger: PresenceLogger = {
    info: (obj, msg) => lines.push({ level: "info", obj, msg }),
    warn: (obj, msg) => lines.push({ level: "warn", obj, msg }),
  };
  return { logger, warnings: () => lines.filter((l) => l.level === "warn").map((l) => l.msg), lines };
}

describe("replicas that run other files", () => {
  it("are found by each other, said once while it lasts, and counted in /metrics", async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const a = recordingLogger();
    const b = recordingLogger();
    const metrics = createPrometheusMetrics();
    const first = createReplicaPresence({
      store,
      clock,
      logger: a.logger,
      replicaId: "a",
      files: FILES,
      onCheck: (r) =>
        metrics.replicaPresence({
          skewMs: r.skewMs,
          replicas: r.replicas,
          withOtherFiles: r.differing.length,
        }),
    });
    const second = createReplicaPresence({
      store,
      clock,
      logger: b.logger,
      replicaId: "b",
      files: { ...FILES, policy: "dddddddddddd" },
    });
    expect(await first.start()).toEqual({ skewMs: undefined, differing: [], replicas: 1 });
    expect(await second.start()).toEqual({
      skewMs: undefined,
      differing: [{ replicaId: "a", files: ["policy"] }],
      replicas: 2,
    });
    expect(b.warnings()).toEqual([
      "replica a runs other policy files than this one: the same request can be decided differently by each (deploy the same files to every replica)",
    ]);
    // The first finds it at its next check; checks after that say nothing more.
    await first.check();
    await first.check();
    expect(a.warnings()).toHaveLength(1);
    expect(a.warnings()[0]).toContain("replica b runs other policy files");
    const scraped = await metrics.render();
    expect(scraped).toContain("hwc_chatops_replicas 2");
    expect(scraped).toContain("hwc_chatops_replicas_with_other_files 1");

    // The other one stops: it is gone from the set, and the difference is over.
    await second.stop();
    expect(await first.check()).toMatchObject({ differing: [], replicas: 1 });
    expect(a.lines.at(-1)?.msg).toBe("the replicas run the same files again");
    expect(await store.members(REPLICAS_SET)).toEqual(["a"]);
    await first.stop();
  });

  it("a replica that died without stopping is forgotten once its record lapses", async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const quiet = recordingLogger().logger;
    const dead = createReplicaPresence({
      store,
      clock,
      logger: quiet,
      replicaId: "dead",
      files: FILES,
      everyMs: 60_000,
    });
    await dead.start();
    const alive = createReplicaPresence({
      store,
      clock,
      logger: quiet,
      replicaId: "alive",
      files: FILES,
      everyMs: 60_000,
    });
    expect(await alive.start()).toMatchObject({ replicas: 2 });
    // The dead one never renews again (its real-time timer is a minute away); its record lapses after three intervals.
    clock.advance(180_001);
    expect(await alive.check()).toMatchObject({ replicas: 1 });
    expect(await store.members(REPLICAS_SET)).toEqual(["alive"]);
    await alive.stop();
  });
});

describe("a replica whose clock is off the shared store's (Redis)", () => {
  const redisStore = () => {
    const store = instrumentStore(
      createRedisStore({ url: REDIS_URL, namespace: `presence-${randomUUID().slice(0, 8)}` }),
      createPrometheusMetrics(),
    );
    opened.push(store);
    return store;
  };

  it("does not start when it is more than 5 s off, saying by how much and what to do", async () => {
    const store = redisStore();
    const ahead = { now: () => Date.now() + 45_000 };
    const log = recordingLogger();
    const presence = createReplicaPresence({
      store,
      clock: ahead,
      logger: log.logger,
      replicaId: "x",
      files: FILES,
    });
    const refused = await presence.start().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ClockSkewError);
    expect((refused as Error).message).toMatch(
      /^this machine's clock is 4[45]\.\d s ahead of the state store's \(Redis\)/,
    );
    expect((refused as Error).message).toContain("synchronise the clock (NTP)");
    // Nothing published: the others never count a replica that did not start.
    expect(await store.members(REPLICAS_SET)).toEqual([]);
  });

  it("starts a little off, says so once, and measures a synchronised clock as near 0", async () => {
    const store = redisStore();
    const log = recordingLogger();
    const off = createReplicaPresence({
      store,
      clock: { now: () => Date.now() - 2_500 },
      logger: log.logger,
      replicaId: "off",
      files: FILES,
    });
    const report = await off.start();
    expect(report.skewMs).toBeLessThan(-2_000);
    await off.check();
    expect(log.warnings()).toHaveLength(1);
    expect(log.warnings()[0]).toMatch(/^this machine's clock is 2\.\d s off the state store's/);
    await off.stop();

    const synced = createReplicaPresence({
      store,
      clock: { now: () => Date.now() },
      logger: log.logger,
      replicaId: "ok",
      files: FILES,
    });
    expect(Math.abs((await synced.start()).skewMs ?? Number.NaN)).toBeLessThan(1_000);
    await synced.stop();
  });

  it("an injected clock (tests, the playground) is not compared", async () => {
    const store = redisStore();
    const clock = createManualClock();
    const presence = createReplicaPresence({
      store,
      clock,
      measureClock: false,
      logger: recordingLogger().logger,
      replicaId: "t",
      files: FILES,
    });
    expect((await presence.start()).skewMs).toBeUndefined();
    await presence.stop();
  });
});

describe("fingerprintConfigFiles", () => {
  it("differs when a file's bytes differ, and not with the order the flows are listed in nor other files beside them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hwc-fingerprint-"));
    const flows = join(dir, "flows");
    await import("node:fs/promises").then((fs) => fs.mkdir(flows));
    await writeFile(join(dir, "policy.yml"), "version: 1\n");
    await writeFile(join(dir, "notifications.yml"), "version: 1\n");
    await writeFile(join(flows, "stop.yml"), "a\n");
    await writeFile(join(flows, "start.yml"), "b\n");
    await writeFile(join(flows, "README.md"), "not a flow\n");
    // The shipped layout: the policy beside the flows, in the same folder.
    await writeFile(join(flows, "policy.yml"), "version: 1\n");
    const paths = {
      policyFile: join(dir, "policy.yml"),
      flowsDir: flows,
      notificationsFile: join(dir, "notifications.yml"),
    };
    const before = await fingerprintConfigFiles(paths);
    expect(before.policy).toMatch(/^[0-9a-f]{12}$/);
    await writeFile(join(flows, "README.md"), "changed, still not a flow\n");
    expect(await fingerprintConfigFiles(paths)).toEqual(before);
    // A YAML file in the flows' folder that is not a flow (the policy there) is not a flow either.
    await writeFile(join(flows, "policy.yml"), "version: 1\n# edited\n");
    expect((await fingerprintConfigFiles(paths)).flows).toBe(before.flows);
    await writeFile(join(dir, "policy.yml"), "version: 1\n# a comment\n");
    const after = await fingerprintConfigFiles(paths);
    expect(after.policy).not.toBe(before.policy);
    expect(after.flows).toBe(before.flows);
    await writeFile(join(flows, "start.yml"), "c\n");
    expect((await fingerprintConfigFiles(paths)).flows).not.toBe(before.flows);
  });
});
