import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type JobProgress, waitForJob } from "../../src/cloud/wait-for-job.js";
import { type SimClient, startSimClient } from "./helpers/start-sim-client.js";

let env: SimClient;
beforeAll(async () => {
  env = await startSimClient({ sim: { jobTiming: { initMs: 1500, runningMs: 4000 } } });
});
afterAll(async () => {
  await env.close();
});
beforeEach(() => {
  env.sim.control.reset();
});

const id = (name: string) => env.sim.control.server(name)!.id;

describe("waitForJob against the simulated cloud", () => {
  it("follows INIT → RUNNING → SUCCESS with per-server sub-jobs", async () => {
    const ids = [id("web-03"), id("web-04")];
    const { jobs } = await env.client.ecs.stopServers(ids);
    const events: JobProgress[] = [];
    const result = await waitForJob({
      ecs: env.client.ecs,
      jobId: jobs[0]!.jobId,
      onProgress: (e) => {
        events.push(e);
      },
      ...env.clock,
    });
    expect(result).toMatchObject({ outcome: "SUCCESS", source: "job" });
    const statuses = events.flatMap((e) => (e.kind === "job" ? [e.to] : []));
    expect(statuses[0]).toBe("INIT");
    expect(statuses).toContain("RUNNING");
    expect(statuses.at(-1)).toBe("SUCCESS");
    const last = events.at(-1);
    expect(last?.kind === "job" && last.servers.map((s) => [s.serverId, s.status])).toEqual(
      ids.map((i) => [i, "SUCCESS"]),
    );
    expect(ids.map((i) => env.sim.control.server(i)?.status)).toEqual(["SHUTOFF", "SHUTOFF"]);
  });

  it("reports FAIL with the failing server's reason", async () => {
    const ids = [id("web-03"), id("web-04")];
    env.sim.control.failNextJob({
      serverIds: [ids[1]!],
      reason: "simulated hypervisor fault",
      errorCode: "Ecs.0226",
    });
    const { jobs } = await env.client.ecs.stopServers(ids);
    const result = await waitForJob({ ecs: env.client.ecs, jobId: jobs[0]!.jobId, ...env.clock });
    expect(result.outcome).toBe("FAIL");
    if (result.outcome !== "FAIL" || result.source !== "job") throw new Error("unexpected result");
    const failed = result.servers.find((s) => s.serverId === ids[1]);
    expect(failed).toMatchObject({
      status: "FAIL",
      failReason: "simulated hypervisor fault",
      errorCode: "Ecs.0226",
    });
    expect(result.servers.find((s) => s.serverId === ids[0])?.status).toBe("SUCCESS");
    expect(result.failReason).toContain("simulated hypervisor fault");
  });

  it("stops at the deadline with UNKNOWN", async () => {
    env.sim.control.setJobTiming({ runningMs: 3_600_000 });
    try {
      const { jobs } = await env.client.ecs.stopServers([id("web-03")]);
      const result = await waitForJob({
        ecs: env.client.ecs,
        jobId: jobs[0]!.jobId,
        timeoutMs: 60_000,
        ...env.clock,
      });
      expect(result).toMatchObject({ outcome: "UNKNOWN", reason: "deadline", job: { status: "RUNNING" } });
    } finally {
      env.sim.control.setJobTiming({ runningMs: 4000 });
    }
  });

  it("keeps polling through a run of 500s (Common.0001) on the job read, with its backoff, and ends SUCCESS", async () => {
    const web03 = id("web-03");
    const { jobs } = await env.client.ecs.stopServers([web03]);
    // More than the transport's four attempts: the first poll fails outright, and the wait goes on.
    env.sim.control.failNextRequests({ status: 500, count: 6, method: "GET", match: "/jobs/" });
    env.sleeps.length = 0;
    const result = await waitForJob({ ecs: env.client.ecs, jobId: jobs[0]!.jobId, ...env.clock });
    expect(result).toMatchObject({ outcome: "SUCCESS", source: "job", job: { status: "SUCCESS" } });
    const reads = env.sim.control.requests().filter((r) => r.method === "GET" && r.path.includes("/jobs/"));
    expect(reads.slice(0, 6).map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 500]);
    expect(reads.at(-1)?.status).toBe(200);
    // The job wait's own backoff (1 s, then ×1.5) between polls, the transport's short retries within one.
    const waits = env.sleeps.filter((ms) => ms >= 1000);
    expect(waits.slice(0, 3)).toEqual([1000, 1500, 2250]);
    expect(env.sim.control.server(web03)?.status).toBe("SHUTOFF");
  });

  it("keeps polling through a throttled job read (429) and ends SUCCESS", async () => {
    const { jobs } = await env.client.ecs.stopServers([id("web-03")]);
    env.sim.control.failNextRequests({ status: 429, count: 5, method: "GET", match: "/jobs/" });
    const result = await waitForJob({ ecs: env.client.ecs, jobId: jobs[0]!.jobId, ...env.clock });
    expect(result).toMatchObject({ outcome: "SUCCESS", source: "job" });
  });

  it("a job read that fails until the deadline ends UNKNOWN at the deadline, with the last failure", async () => {
    const { jobs } = await env.client.ecs.stopServers([id("web-03")]);
    env.sim.control.failNextRequests({ status: 500, count: 1000, method: "GET", match: "/jobs/" });
    const started = env.sim.control.now();
    const result = await waitForJob({
      ecs: env.client.ecs,
      jobId: jobs[0]!.jobId,
      timeoutMs: 60_000,
      ...env.clock,
    });
    expect(result).toMatchObject({
      outcome: "UNKNOWN",
      reason: "deadline",
      error: { status: 500, code: "Common.0001", retryable: true },
    });
    expect(env.sim.control.now() - started).toBeGreaterThanOrEqual(60_000);
    // Polled all along, not given up at the first failure.
    const reads = env.sim.control.requests().filter((r) => r.method === "GET" && r.path.includes("/jobs/"));
    expect(reads.length).toBeGreaterThan(8);
  });

  it("a job read that recovers before the deadline leaves no stale failure on a later UNKNOWN", async () => {
    env.sim.control.setJobTiming({ runningMs: 3_600_000 });
    try {
      const { jobs } = await env.client.ecs.stopServers([id("web-03")]);
      env.sim.control.failNextRequests({ status: 500, count: 4, method: "GET", match: "/jobs/" });
      const result = await waitForJob({
        ecs: env.client.ecs,
        jobId: jobs[0]!.jobId,
        timeoutMs: 60_000,
        ...env.clock,
      });
      expect(result).toMatchObject({ outcome: "UNKNOWN", reason: "deadline", job: { status: "RUNNING" } });
      expect(result.outcome === "UNKNOWN" && result.error).toBeUndefined();
    } finally {
      env.sim.control.setJobTiming({ runningMs: 4000 });
    }
  });

  it("falls back to the servers' state once the job record is purged (404)", async () => {
    const web03 = id("web-03");
    const { jobs } = await env.client.ecs.stopServers([web03]);
    // Job records are purged a day after they finish.
    env.sim.control.advance(25 * 3600_000);
    expect(env.sim.control.job(jobs[0]!.jobId)).toBeUndefined();
    const events: JobProgress[] = [];
    const result = await waitForJob({
      ecs: env.client.ecs,
      jobId: jobs[0]!.jobId,
      expect: { serverIds: [web03], state: "SHUTOFF" },
      onProgress: (e) => {
        events.push(e);
      },
      ...env.clock,
    });
    expect(result).toMatchObject({
      outcome: "SUCCESS",
      source: "servers",
      servers: [{ serverId: web03, status: "SHUTOFF", reached: true }],
    });
    expect(events[0]).toMatchObject({ kind: "fallback", reason: "job-not-found" });
  });

  it("without expectations, a purged job stays UNKNOWN", async () => {
    const { jobs } = await env.client.ecs.stopServers([id("web-03")]);
    env.sim.control.advance(25 * 3600_000);
    const result = await waitForJob({ ecs: env.client.ecs, jobId: jobs[0]!.jobId, ...env.clock });
    expect(result).toMatchObject({ outcome: "UNKNOWN", reason: "job-not-found" });
  });
});
