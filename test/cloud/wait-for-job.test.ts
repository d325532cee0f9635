import { describe, expect, it } from "vitest";
import { CloudError } from "../../src/cloud/errors.js";
import type { EcsApi, Job, Server } from "../../src/cloud/types.js";
import { type JobProgress, waitForJob } from "../../src/cloud/wait-for-job.js";

function clock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

const notFound = () => new CloudError({ status: 404, code: "Common.0011", message: "job not found" });
const unavailable = () => new CloudError({ status: 503, code: "HTTP_503", message: "busy" });

function job(status: string, subs: Array<[string, string, string?]> = []): Job {
  return {
    jobId: "j1",
    status,
    subJobs: subs.map(([serverId, s, failReason]) => ({
      serverId,
      status: s,
      ...(failReason ? { failReason } : {}),
    })),
  };
}

function server(id: string, status: string, extra: Partial<Server> = {}): Server {
  return {
    id,
    name: id,
    status,
    flavor: { id: "s6.small.1" },
    addresses: [],
    tags: [],
    metadata: {},
    volumeIds: [],
    securityGroups: [],
    taskState: null,
    ...extra,
  };
}

function fakeEcs(jobs: Array<Job | CloudError>, servers?: (id: string, call: number) => Server | CloudError) {
  let i = 0;
  let serverCalls = 0;
  const ecs: Pick<EcsApi, "getJob" | "getServer"> = {
    async getJob() {
      const next = jobs[Math.min(i++, jobs.length - 1)]!;
      if (next instanceof CloudError) throw next;
      return next;
    },
    async getServer(id) {
      const s = servers?.(id, serverCalls++);
      if (!s) throw new Error("no servers scripted");
      if (s instanceof CloudError) throw s;
      return s;
    },
  };
  return ecs;
}

describe("waitForJob", () => {
  it("follows INIT → RUNNING → SUCCESS, reporting each transition with per-server results", async () => {
    const c = clock();
    const events: JobProgress[] = [];
    const result = await waitForJob({
      ecs: fakeEcs([
        job("INIT"),
        job("INIT"),
        job("RUNNING", [
          ["s1", "RUNNING"],
          ["s2", "INIT"],
        ]),
        job("RUNNING", [
          ["s1", "SUCCESS"],
          ["s2", "RUNNING"],
        ]),
        job("SUCCESS", [
          ["s1", "SUCCESS"],
          ["s2", "SUCCESS"],
        ]),
      ]),
      jobId: "j1",
      onProgress: (e) => {
        events.push(e);
      },
      ...c,
    });
    expect(result).toMatchObject({ outcome: "SUCCESS", source: "job" });
    const transitions = events.map((e) => (e.kind === "job" ? `${e.from ?? "-"}>${e.to}` : e.kind));
    expect(transitions).toEqual(["->INIT", "INIT>RUNNING", "RUNNING>RUNNING", "RUNNING>SUCCESS"]);
    const last = events.at(-1);
    expect(last?.kind === "job" && last.servers).toEqual([
      { serverId: "s1", status: "SUCCESS" },
      { serverId: "s2", status: "SUCCESS" },
    ]);
    // Quick at first, then backing off to the cap.
    expect(c.sleeps).toEqual([1000, 1500, 2250, 3375]);
  });

  it("reports FAIL with per-server reasons", async () => {
    const c = clock();
    const result = await waitForJob({
      ecs: fakeEcs([
        job("RUNNING"),
        job("FAIL", [
          ["s1", "SUCCESS"],
          ["s2", "FAIL", "Ecs.0100 status does not meet requirements"],
        ]),
      ]),
      jobId: "j1",
      ...c,
    });
    expect(result).toMatchObject({
      outcome: "FAIL",
      source: "job",
      failReason: "s2: Ecs.0100 status does not meet requirements",
      servers: [
        { serverId: "s1", status: "SUCCESS" },
        { serverId: "s2", status: "FAIL", failReason: "Ecs.0100 status does not meet requirements" },
      ],
    });
  });

  it("stops at the deadline with UNKNOWN, never guessing", async () => {
    const c = clock();
    const result = await waitForJob({
      ecs: fakeEcs([job("RUNNING", [["s1", "RUNNING"]])]),
      jobId: "j1",
      timeoutMs: 60_000,
      maxIntervalMs: 10_000,
      ...c,
    });
    expect(result).toMatchObject({ outcome: "UNKNOWN", reason: "deadline", job: { status: "RUNNING" } });
    expect(c.now()).toBe(60_000);
    expect(Math.max(...c.sleeps)).toBeLessThanOrEqual(10_000);
  });

  it("keeps polling through transient errors", async () => {
    const c = clock();
    const result = await waitForJob({
      ecs: fakeEcs([unavailable(), job("RUNNING"), unavailable(), job("SUCCESS")]),
      jobId: "j1",
      ...c,
    });
    expect(result.outcome).toBe("SUCCESS");
  });

  it("while the job cannot be read, settles as soon as the servers show the expected state", async () => {
    const c = clock();
    const events: JobProgress[] = [];
    const result = await waitForJob({
      ecs: fakeEcs([unavailable()], (id, call) =>
        call < 2 ? server(id, "ACTIVE", { taskState: "powering-off" }) : server(id, "SHUTOFF"),
      ),
      jobId: "j1",
      expect: { serverIds: ["s1", "s2"], state: "SHUTOFF" },
      onProgress: (e) => {
        events.push(e);
      },
      ...c,
    });
    expect(result).toMatchObject({
      outcome: "SUCCESS",
      source: "servers",
      via: "job-unreadable",
      servers: [
        { serverId: "s1", status: "SHUTOFF", reached: true },
        { serverId: "s2", status: "SHUTOFF", reached: true },
      ],
    });
    // Two polls, not the 15 minutes of the timeout.
    expect(c.sleeps).toHaveLength(1);
    expect(events.map((e) => e.kind)).toEqual(["servers", "servers"]);
  });

  it("while the job cannot be read, servers that all failed settle it as failed", async () => {
    const c = clock();
    const result = await waitForJob({
      ecs: fakeEcs([unavailable()], (id) => server(id, "ERROR", { fault: { message: "host lost" } })),
      jobId: "j1",
      expect: { serverIds: ["s1"], state: "SHUTOFF" },
      ...c,
    });
    expect(result).toMatchObject({ outcome: "FAIL", source: "servers", via: "job-unreadable" });
    expect(result.outcome === "FAIL" && result.failReason).toContain("host lost");
  });

  it("an unreadable job and servers that do not move: UNKNOWN at the deadline, with their last states", async () => {
    const c = clock();
    const result = await waitForJob({
      ecs: fakeEcs([unavailable()], (id) => server(id, "ACTIVE")),
      jobId: "j1",
      expect: { serverIds: ["s1"], state: "SHUTOFF" },
      timeoutMs: 60_000,
      ...c,
    });
    expect(result).toMatchObject({
      outcome: "UNKNOWN",
      reason: "deadline",
      servers: [{ serverId: "s1", status: "ACTIVE", reached: false }],
    });
    expect(c.now()).toBe(60_000);
  });

  it("a readable job stays the authority: its SUCCESS is awaited, the servers are not read", async () => {
    const c = clock();
    const result = await waitForJob({
      // No server script: reading a server would throw.
      ecs: fakeEcs([job("RUNNING"), job("RUNNING"), job("SUCCESS")]),
      jobId: "j1",
      expect: { serverIds: ["s1"], state: "SHUTOFF" },
      ...c,
    });
    expect(result).toMatchObject({ outcome: "SUCCESS", source: "job" });
  });

  it("keeps polling through a 500 (Ecs.1000), throttling and a network error, with its backoff", async () => {
    const c = clock();
    const systemError = new CloudError({
      status: 500,
      code: "Ecs.1000",
      message: "A system exception occurred.",
    });
    const throttled = new CloudError({ status: 429, code: "APIG.0308", message: "throttled" });
    const network = new CloudError({ code: "NETWORK_ERROR", message: "ECONNRESET", retryable: true });
    const result = await waitForJob({
      ecs: fakeEcs([job("RUNNING"), systemError, throttled, network, job("SUCCESS")]),
      jobId: "j1",
      ...c,
    });
    expect(result).toMatchObject({ outcome: "SUCCESS", source: "job" });
    expect(c.sleeps).toEqual([1000, 1500, 2250, 3375]);
  });

  it("a job read failing until the deadline: UNKNOWN at the deadline, with the last job seen and the failure", async () => {
    const c = clock();
    const systemError = new CloudError({
      status: 500,
      code: "Ecs.1000",
      message: "A system exception occurred.",
    });
    const result = await waitForJob({
      ecs: fakeEcs([job("RUNNING"), systemError]),
      jobId: "j1",
      timeoutMs: 60_000,
      ...c,
    });
    expect(result).toMatchObject({
      outcome: "UNKNOWN",
      reason: "deadline",
      job: { status: "RUNNING" },
      error: { code: "Ecs.1000" },
    });
    expect(c.now()).toBe(60_000);
  });

  it("returns UNKNOWN on a non-retryable error", async () => {
    const c = clock();
    const result = await waitForJob({
      ecs: fakeEcs([new CloudError({ status: 403, code: "Ecs.0003", message: "forbidden" })]),
      jobId: "j1",
      ...c,
    });
    expect(result).toMatchObject({ outcome: "UNKNOWN", reason: "error", error: { code: "Ecs.0003" } });
  });

  it("without expectations, a purged job is UNKNOWN", async () => {
    const c = clock();
    const result = await waitForJob({ ecs: fakeEcs([notFound()]), jobId: "j1", ...c });
    expect(result).toMatchObject({ outcome: "UNKNOWN", reason: "job-not-found" });
  });

  it("falls back to the servers' state when the job record is gone", async () => {
    const c = clock();
    const events: JobProgress[] = [];
    const result = await waitForJob({
      ecs: fakeEcs([notFound()], (id, call) =>
        call < 2 ? server(id, "ACTIVE", { taskState: "powering-off" }) : server(id, "SHUTOFF"),
      ),
      jobId: "j1",
      expect: { serverIds: ["s1", "s2"], state: "SHUTOFF" },
      onProgress: (e) => {
        events.push(e);
      },
      ...c,
    });
    expect(result).toMatchObject({
      outcome: "SUCCESS",
      source: "servers",
      servers: [
        { serverId: "s1", status: "SHUTOFF", reached: true },
        { serverId: "s2", status: "SHUTOFF", reached: true },
      ],
    });
    expect(events.map((e) => e.kind)).toEqual(["fallback", "servers", "servers"]);
  });

  it("fallback: deleted servers count as reached for a delete", async () => {
    const c = clock();
    const result = await waitForJob({
      ecs: fakeEcs(
        [notFound()],
        () => new CloudError({ status: 404, code: "itemNotFound", message: "gone" }),
      ),
      jobId: "j1",
      expect: { serverIds: ["s1"], state: "DELETED" },
      ...c,
    });
    expect(result).toMatchObject({
      outcome: "SUCCESS",
      source: "servers",
      servers: [{ status: "NOT_FOUND" }],
    });
  });

  it("fallback: a server in ERROR is a failure, an unmoved one stays UNKNOWN", async () => {
    const c = clock();
    const failed = await waitForJob({
      ecs: fakeEcs([notFound()], (id) =>
        id === "s1" ? server(id, "ACTIVE") : server(id, "ERROR", { fault: { message: "host down" } }),
      ),
      jobId: "j1",
      expect: { serverIds: ["s1", "s2"], state: "ACTIVE" },
      ...c,
    });
    expect(failed).toMatchObject({ outcome: "FAIL", source: "servers", failReason: "s2: host down" });

    const c2 = clock();
    const unknown = await waitForJob({
      ecs: fakeEcs([notFound()], (id) => server(id, "SHUTOFF")),
      jobId: "j1",
      expect: { serverIds: ["s1"], state: "ACTIVE" },
      timeoutMs: 30_000,
      ...c2,
    });
    expect(unknown).toMatchObject({ outcome: "UNKNOWN", reason: "deadline", servers: [{ reached: false }] });
  });

  it("fallback: a server that began in ERROR (a reinstall retried) fails only once seen out of it", async () => {
    // Still in the ERROR it began in until the deadline: not the retry's outcome, so UNKNOWN, not FAIL.
    const c = clock();
    const unmoved = await waitForJob({
      ecs: fakeEcs([notFound()], (id) => server(id, "ERROR", { fault: { message: "rebuild failed" } })),
      jobId: "j1",
      expect: { serverIds: ["s1"], state: "ACTIVE", startedInError: ["s1"] },
      timeoutMs: 30_000,
      ...c,
    });
    expect(unmoved).toMatchObject({ outcome: "UNKNOWN", reason: "deadline" });

    // Seen rebuilding, then in ERROR again: the retry failed.
    const c2 = clock();
    const states = [
      server("s1", "ERROR"),
      server("s1", "REBUILD", { taskState: "rebuilding" }),
      server("s1", "ERROR", { fault: { message: "rebuild failed again" } }),
    ];
    const failed = await waitForJob({
      ecs: fakeEcs([notFound()], (_id, call) => states[Math.min(call, states.length - 1)]!),
      jobId: "j1",
      expect: { serverIds: ["s1"], state: "ACTIVE", startedInError: ["s1"] },
      timeoutMs: 60_000,
      ...c2,
    });
    expect(failed).toMatchObject({ outcome: "FAIL", failReason: "s1: rebuild failed again" });
  });

  it("fallback: a resize is reached only with the target flavor", async () => {
    const c = clock();
    const result = await waitForJob({
      ecs: fakeEcs([notFound()], (id, call) =>
        server(id, "SHUTOFF", { flavor: { id: call === 0 ? "s6.small.1" : "c7.large.2" } }),
      ),
      jobId: "j1",
      expect: { serverIds: ["s1"], state: "SHUTOFF", flavorId: "c7.large.2" },
      ...c,
    });
    expect(result).toMatchObject({ outcome: "SUCCESS", source: "servers" });
    expect(c.sleeps).toHaveLength(1);
  });
});
