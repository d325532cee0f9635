/**
 * Retry policy and error normalisation against the simulated cloud's fault injection:
 * reads are retried (honouring Retry-After), mutations are never resent after their fate became
 * unknown, and every error shape the cloud returns becomes one `CloudError`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import { CloudError, OutcomeUnknownError } from "../../src/cloud/errors.js";
import { type SimClient, startSimClient } from "./helpers/start-sim-client.js";

let env: SimClient;
beforeAll(async () => {
  env = await startSimClient();
});
afterAll(async () => {
  await env.close();
});
beforeEach(() => {
  env.sim.control.reset();
  env.sleeps.length = 0;
});

const id = (name: string) => env.sim.control.server(name)!.id;
const requestsTo = (fragment: string, method?: string) =>
  env.sim.control.requests().filter((r) => r.path.includes(fragment) && (!method || r.method === method));

describe("reads", () => {
  it("retries a throttled read, waiting exactly Retry-After", async () => {
    env.sim.control.setFaults({ retryAfterSeconds: 4 });
    env.sim.control.failNextRequests({ status: 429, count: 2, match: /\/cloudservers\/flavors/ });
    const flavors = await env.client.ecs.listFlavors();
    expect(flavors.length).toBeGreaterThan(0);
    const calls = requestsTo("/cloudservers/flavors");
    expect(calls.map((c) => c.status)).toEqual([429, 429, 200]);
    expect(env.sleeps).toEqual([4000, 4000]);
  });

  it.each([500, 502, 503, 504] as const)("retries a read after a %i", async (status) => {
    env.sim.control.failNextRequests({ status, count: 2, match: /\/cloudservers\/detail/ });
    const servers = await env.client.ecs.listServers();
    expect(servers.length).toBe(env.sim.control.servers().length);
    expect(requestsTo("/cloudservers/detail").map((c) => c.status)).toEqual([status, status, 200]);
    expect(env.sleeps).toHaveLength(2);
  });

  it("gives up after the last attempt with a normalised gateway error", async () => {
    env.sim.control.failNextRequests({ status: 503, count: 10, match: /\/host-management\/hosts/ });
    const err = await env.client.hss.listHosts().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ status: 503, code: "APIG.0202", retryable: true });
    expect((err as CloudError).requestId).toBeTruthy();
    expect(requestsTo("/host-management/hosts")).toHaveLength(4);
  });

  it("retries a service 500 (HSS body), and gives up after the last attempt with the service's error", async () => {
    env.sim.control.failNextRequests({ status: 500, count: 10, match: /\/host-management\/hosts/ });
    await expect(env.client.hss.listHosts()).rejects.toMatchObject({
      status: 500,
      code: "HSS.0041",
      retryable: true,
    });
    expect(requestsTo("/host-management/hosts").map((c) => c.status)).toEqual([500, 500, 500, 500]);
  });

  it("a job read that meets one ECS 500 (Common.0001) is sent again and answers", async () => {
    const { jobs } = await env.client.ecs.stopServers([id("web-03")]);
    env.sim.control.failNextRequests({ status: 500, method: "GET", match: "/jobs/" });
    const job = await env.client.ecs.getJob(jobs[0]!.jobId);
    expect(job.jobId).toBe(jobs[0]!.jobId);
    expect(requestsTo("/jobs/", "GET").map((c) => c.status)).toEqual([500, 200]);
    expect(env.sleeps).toHaveLength(1);
  });
});

describe("reads against a hung cloud", () => {
  it("a read that times out is sent twice, not as often as its attempts allow, and says TIMEOUT", async () => {
    // The default retry policy (4 attempts), a small request timeout: the timeouts alone bound the read.
    const timeoutClient = createCloudClient(
      { ...env.config, requestTimeoutMs: 150 },
      { sleep: async (ms) => void env.sleeps.push(ms) },
    );
    try {
      // With a manual simulator clock, injected latency holds each request until the test advances time.
      env.sim.control.setFaults({ latencyMs: 3_600_000, match: /\/cloudservers\/flavors/ });
      const err = await timeoutClient.ecs.listFlavors().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CloudError);
      expect(err).toMatchObject({ code: "TIMEOUT", retryable: true });
      expect(env.sleeps).toHaveLength(1);
      env.sim.control.setFaults({ latencyMs: 0 });
      env.sim.control.advance(3_600_000);
      // Each held request is logged once let through: as many as were sent.
      await vi.waitFor(() => expect(requestsTo("/cloudservers/flavors")).toHaveLength(2));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(requestsTo("/cloudservers/flavors")).toHaveLength(2);
    } finally {
      await timeoutClient.close();
    }
  });
});

describe("mutations", () => {
  it("does not resend a mutation whose response was dropped, and says the outcome is unknown", async () => {
    const web03 = id("web-03");
    env.sim.control.setFaults({ dropAfterCommit: { count: 1, match: /\/cloudservers\/action/ } });
    const res = await env.client.ecs.stopServers([web03]);
    expect(res.jobs).toEqual([]);
    expect(res.failures).toHaveLength(1);
    const error = res.failures[0]!.error;
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({
      operation: "ecs.stopServers",
      identity: { serverIds: [web03] },
      reason: "network",
    });
    const posts = requestsTo("/cloudservers/action", "POST");
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ fault: "drop", status: null });
    // The change did happen: the caller reconciles by reading the server.
    env.sim.control.advance(10_000);
    expect((await env.client.ecs.getServer(web03)).status).toBe("SHUTOFF");
  });

  it.each([500, 502, 503, 504] as const)("does not resend a mutation after a %i", async (status) => {
    env.sim.control.failNextRequests({ status, method: "POST", match: /\/cloudservers\/action/ });
    const res = await env.client.ecs.startServers([id("worker-01")]);
    expect(res.failures).toHaveLength(1);
    expect(res.failures[0]!.error).toMatchObject({
      name: "OutcomeUnknownError",
      reason: "server-error",
      status,
    });
    expect(requestsTo("/cloudservers/action", "POST")).toHaveLength(1);
  });

  it("resends a mutation the gateway throttled before it reached the service", async () => {
    env.sim.control.setFaults({ retryAfterSeconds: 2 });
    env.sim.control.failNextRequests({ status: 429, method: "POST", match: /\/cloudservers\/action/ });
    const res = await env.client.ecs.startServers([id("worker-01")]);
    expect(res.failures).toEqual([]);
    expect(res.jobs).toHaveLength(1);
    expect(requestsTo("/cloudservers/action", "POST").map((r) => r.status)).toEqual([429, 200]);
    expect(env.sleeps).toEqual([2000]);
    expect(env.sim.control.jobs()).toHaveLength(1);
  });

  it("surfaces a timed-out mutation as outcome unknown", async () => {
    const timeoutClient = createCloudClient({ ...env.config, requestTimeoutMs: 200 });
    try {
      // With a manual simulator clock, injected latency holds the request until the test advances time.
      env.sim.control.setFaults({ latencyMs: 60_000, match: /\/cloudservers\/action/ });
      const res = await timeoutClient.ecs.stopServers([id("web-03")]);
      expect(res.failures[0]?.error).toMatchObject({ name: "OutcomeUnknownError", reason: "timeout" });
      env.sim.control.setFaults({ latencyMs: 0 });
      env.sim.control.advance(60_000);
      // The request reached the cloud once and was not resent; it completes there after the client gave up.
      await vi.waitFor(() => expect(requestsTo("/cloudservers/action", "POST")).toHaveLength(1));
      expect(env.sim.control.jobs()).toHaveLength(1);
    } finally {
      await timeoutClient.close();
    }
  });
});

describe("error shapes", () => {
  it("OpenStack (Nova) itemNotFound", async () => {
    await expect(env.client.ecs.getServer("00000000-0000-0000-0000-000000000000")).rejects.toMatchObject({
      status: 404,
      code: "itemNotFound",
    });
  });

  it("ECS error object", async () => {
    await expect(env.client.ecs.resizeServer(id("web-01"), "c7.large.2")).rejects.toMatchObject({
      status: 400,
      code: "Ecs.0100",
    });
  });

  it("HSS error_code/error_msg", async () => {
    await expect(env.client.hss.listScanTaskHosts("no-such-task")).rejects.toMatchObject({
      status: 400,
      code: "HSS.0011",
    });
  });

  it("API gateway authentication error", async () => {
    const bad = createCloudClient({
      ...env.config,
      auth: { kind: "aksk", ak: env.sim.ak, sk: "wrong-secret" },
    });
    try {
      await expect(bad.ecs.listFlavors()).rejects.toMatchObject({ status: 401, code: "APIG.0301" });
    } finally {
      await bad.close();
    }
  });

  it("IAM (Keystone) error on a bad password", async () => {
    const bad = createCloudClient({
      ...env.config,
      auth: {
        kind: "password",
        domain: env.sim.iamUser.domain,
        username: env.sim.iamUser.name,
        password: "nope",
      },
    });
    try {
      const err = await bad.ecs.listFlavors().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CloudError);
      expect(err).toMatchObject({ status: 401, operation: "iam.issueToken" });
    } finally {
      await bad.close();
    }
  });
});
