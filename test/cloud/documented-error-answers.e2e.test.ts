/**
 * How the client classifies the ECS error answers the reference documents but the simulated services never
 * give on their own, injected by code at the simulated gateway (over loopback, signed): 501 `Ecs.0603` is a
 * refusal (nothing done), 400 `Ecs.1000`–`Ecs.1002` are the service failing inside (a mutation's outcome is
 * unknown, a read is sent again), and a 404 `APIG.0101` is a wrong endpoint, never "not found".
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CloudError, OutcomeUnknownError } from "../../src/cloud/errors.js";
import { type JobProgress, waitForJob } from "../../src/cloud/wait-for-job.js";
import { SERVER_BUSY_REFUSAL } from "../../src/views/build-cloud-error-view.js";
import { sendMutation } from "../../src/workflow/send-mutation.js";
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
  env.sleeps.length = 0;
});

const id = (name: string) => env.sim.control.server(name)!.id;
const requests = (method: string, part: string) =>
  env.sim.control.requests().filter((r) => r.method === method && r.path.includes(part));

describe("the simulator injects documented answers by code", () => {
  it("answers each with the status and body of its layer, before the service (nothing changes)", async () => {
    const web01 = id("web-01");
    env.sim.control.failNextRequests({ code: "Ecs.0603", method: "POST", match: "/cloudservers/action" });
    const busy = (await env.client.ecs.stopServers([web01])).failures[0]?.error;
    expect(busy).toMatchObject({ status: 501, code: "Ecs.0603", isBusy: true });
    env.sim.control.failNextRequests({ code: "APIG.0101", method: "GET", match: `/servers/${web01}` });
    const gateway = await env.client.ecs.getServer(web01).catch((e: unknown) => e);
    expect(gateway).toMatchObject({ status: 404, code: "APIG.0101", isNotFound: false });
    expect(env.sim.control.jobs()).toHaveLength(0);
    expect(env.sim.control.server(web01)?.status).toBe("ACTIVE");
    expect(requests("POST", "/cloudservers/action").map((r) => r.fault)).toEqual(["error"]);
  });

  it("refuses an unknown code, or a status the reference does not give it (admin API too)", async () => {
    expect(() => env.sim.control.failNextRequests({ code: "Ecs.9999" as never })).toThrow(
      /code must be one of/,
    );
    expect(() => env.sim.control.failNextRequests({ code: "Ecs.1002", status: 500 })).toThrow(
      "Ecs.1002 is answered with status 400, not 500",
    );
    expect(() => env.sim.control.failNextRequests({ status: 404 })).toThrow(/status must be/);
    const admin = `${new URL(env.sim.ecsEndpoint).origin}/__sim/faults/fail-next`;
    const post = (body: unknown) =>
      fetch(admin, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post({ code: "Ecs.0604" })).status).toBe(400);
    expect((await post({ code: "Ecs.1002", match: "re:/resize$", method: "POST" })).status).toBe(204);
    const err = await env.client.ecs.resizeServer(id("web-01"), "s6.large.2").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutcomeUnknownError);
  });
});

describe("mutations", () => {
  it("501 Ecs.0603 on a stop: refused (nothing done), said as busy, sent once", async () => {
    const web01 = id("web-01");
    env.sim.control.failNextRequests({ code: "Ecs.0603", method: "POST", match: "/cloudservers/action" });
    const outcome = await sendMutation(env.client.ecs, {
      index: 0,
      call: "ecs.batch_stop",
      serverIds: [web01],
      params: { type: "SOFT" },
      state: "planned",
    });
    expect(outcome).toEqual({ kind: "rejected", code: "Ecs.0603", message: SERVER_BUSY_REFUSAL });
    expect(requests("POST", "/cloudservers/action")).toHaveLength(1);
    expect(env.sleeps).toEqual([]);
  });

  it("400 Ecs.1002 on a resize and 400 Ecs.1000 on a stop: outcome unknown, never sent again", async () => {
    const web01 = id("web-01");
    env.sim.control.setServer(web01, { status: "SHUTOFF" });
    env.sim.control.failNextRequests({ code: "Ecs.1002", method: "POST", match: /\/resize$/ });
    const resized = await sendMutation(env.client.ecs, {
      index: 0,
      call: "ecs.resize",
      serverIds: [web01],
      params: { flavorRef: "s6.large.2" },
      state: "planned",
    });
    expect(resized).toMatchObject({ kind: "outcome_unknown", code: "server-error" });
    expect(resized.kind === "outcome_unknown" && resized.message).toMatch(
      /^the cloud answered 400 Ecs\.1002: A system exception occurred\. .* \(request [0-9a-f]{32}\)$/,
    );
    expect(requests("POST", "/resize")).toHaveLength(1);

    const web02 = id("web-02");
    env.sim.control.failNextRequests({ code: "Ecs.1000", method: "POST", match: "/cloudservers/action" });
    const stop = await env.client.ecs.stopServers([web02]);
    const error = stop.failures[0]?.error;
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({ reason: "server-error", status: 400, identity: { serverIds: [web02] } });
    expect((error as OutcomeUnknownError).cause).toMatchObject({ code: "Ecs.1000" });
    expect(requests("POST", "/cloudservers/action")).toHaveLength(1);
  });
});

describe("reads", () => {
  it("a read answered 400 Ecs.1000, or 501 Ecs.0603, once is sent again and succeeds", async () => {
    const web01 = id("web-01");
    env.sim.control.failNextRequests({ code: "Ecs.1000", method: "GET", match: `/servers/${web01}` });
    expect((await env.client.ecs.getServer(web01)).id).toBe(web01);
    expect(requests("GET", `/servers/${web01}`).map((r) => r.status)).toEqual([400, 200]);

    env.sim.control.clearRequests();
    env.sim.control.failNextRequests({ code: "Ecs.0603", method: "GET", match: `/servers/${web01}` });
    expect((await env.client.ecs.getServer(web01)).id).toBe(web01);
    expect(requests("GET", `/servers/${web01}`).map((r) => r.status)).toEqual([501, 200]);
    expect(env.sleeps).toHaveLength(2);
  });

  it("a read answered 404 APIG.0101 is not sent again and is not 'not found'", async () => {
    const web01 = id("web-01");
    env.sim.control.failNextRequests({ code: "APIG.0101", method: "GET", match: `/servers/${web01}` });
    const err = await env.client.ecs.getServer(web01).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ isNotFound: false, retryable: false });
    expect(requests("GET", `/servers/${web01}`)).toHaveLength(1);
  });
});

describe("waiting for a job", () => {
  it("a job read answered 404 APIG.0101 is not 'job gone': the wait ends on the error", async () => {
    const { jobs } = await env.client.ecs.stopServers([id("web-03")]);
    env.sim.control.failNextRequests({ code: "APIG.0101", method: "GET", match: "/jobs/" });
    const events: JobProgress[] = [];
    const result = await waitForJob({
      ecs: env.client.ecs,
      jobId: jobs[0]!.jobId,
      expect: { serverIds: [id("web-03")], state: "SHUTOFF" },
      onProgress: (e) => {
        events.push(e);
      },
      ...env.clock,
    });
    expect(result).toMatchObject({ outcome: "UNKNOWN", reason: "error", error: { code: "APIG.0101" } });
    expect(events.some((e) => e.kind === "fallback")).toBe(false);
  });

  it("a delete whose wait reads the server answered 404 APIG.0101 does not count it deleted", async () => {
    const web04 = id("web-04");
    // The job's record is gone (the service's own Common.0011): the servers decide, and this one's read
    // meets the gateway's "no such API" until the deadline.
    env.sim.control.failNextRequests({
      code: "APIG.0101",
      count: 1000,
      method: "GET",
      match: `/servers/${web04}`,
    });
    const gone = await waitForJob({
      ecs: env.client.ecs,
      jobId: "ff80808288d415d80189901d8eb8dead",
      expect: { serverIds: [web04], state: "DELETED" },
      timeoutMs: 60_000,
      ...env.clock,
    });
    expect(gone).toMatchObject({ outcome: "UNKNOWN", reason: "error", error: { code: "APIG.0101" } });

    // A real delete whose job cannot be read now (503): the servers are read on every poll, and an APIG 404
    // is no sign of the delete; the job, once readable, decides.
    env.sim.control.clearFaults();
    const { jobs } = await env.client.ecs.deleteServers([web04], {
      deleteVolume: false,
      deletePublicIp: false,
    });
    env.sim.control.failNextRequests({ status: 503, count: 12, method: "GET", match: "/jobs/" });
    env.sim.control.failNextRequests({
      code: "APIG.0101",
      count: 1000,
      method: "GET",
      match: `/servers/${web04}`,
    });
    const events: JobProgress[] = [];
    const deleted = await waitForJob({
      ecs: env.client.ecs,
      jobId: jobs[0]!.jobId,
      expect: { serverIds: [web04], state: "DELETED" },
      onProgress: (e) => {
        events.push(e);
      },
      ...env.clock,
    });
    expect(deleted).toMatchObject({ outcome: "SUCCESS", source: "job" });
    expect(events.some((e) => e.kind === "servers" && e.servers.some((s) => s.status === "NOT_FOUND"))).toBe(
      false,
    );
    expect(requests("GET", `/servers/${web04}`).length).toBeGreaterThan(0);
  });
});
