import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toPathMatch } from "../../../src/sandbox/cloud/create-fault-injector.js";
import { type CloudSimulator, startCloudSimulator } from "../../../src/sandbox/cloud/index.js";
import { admin, call } from "./sim-client.js";

describe("fault injection", () => {
  let sim: CloudSimulator;
  const list = () => call(sim, "GET", `/v2.1/${sim.projectId}/servers/detail`, { query: { limit: 1 } });
  const stop = (name: string) =>
    call(sim, "POST", `/v1/${sim.projectId}/cloudservers/action`, {
      body: { "os-stop": { servers: [{ id: sim.control.server(name)!.id }] } },
    });

  beforeAll(async () => {
    sim = await startCloudSimulator({ jobTiming: { initMs: 60_000, runningMs: 60_000 } });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("answers 429 with Retry-After and the gateway body, for the next N requests or a share of them", async () => {
    sim.control.setFaults({ retryAfterSeconds: 7 });
    sim.control.failNextRequests({ status: 429, count: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await list();
      expect(res.status).toBe(429);
      expect(res.headers["retry-after"]).toBe("7");
      expect(res.json).toEqual({
        error_code: "APIG.0308",
        error_msg: expect.stringContaining("throttling threshold"),
        request_id: expect.any(String),
      });
    }
    expect((await list()).status).toBe(200);

    sim.control.setFaults({ rate429: 1 });
    expect((await list()).status).toBe(429);
    sim.control.setFaults({ rate429: 0.5 });
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) statuses.add((await list()).status);
    expect(statuses).toEqual(new Set([200, 429]));
    expect(sim.control.requests().filter((r) => r.fault === "throttle").length).toBeGreaterThan(0);
  });

  it("answers 5xx: 503 with a gateway body, 500 with the service's own body", async () => {
    sim.control.failNextRequests({ status: 503 });
    const unavailable = await list();
    expect(unavailable.status).toBe(503);
    expect(unavailable.json.error_code).toBe("APIG.0202");

    sim.control.failNextRequests({ status: 500, method: "POST" });
    const ecs = await stop("web-01");
    expect(ecs.status).toBe(500);
    // The error code table's 500 (`Ecs.1000` is 400 there, injected by code).
    expect(ecs.json.error.code).toBe("Common.0001");
    expect(sim.control.jobs()).toHaveLength(0); // failed before reaching the service

    sim.control.failNextRequests({ status: 500, match: "/v5/" });
    const hss = await call(sim, "GET", `/v5/${sim.projectId}/host-management/hosts`);
    expect(hss.status).toBe(500);
    expect(hss.json.error_code).toBe("HSS.0041");

    sim.control.setFaults({ rate5xx: 1, status5xx: 504 });
    const timeout = await list();
    expect(timeout.status).toBe(504);
    expect(timeout.json.error_code).toBe("APIG.0203");
  });

  it("commits then drops the response: the job exists, the client sees a dead socket", async () => {
    sim.control.setFaults({ dropAfterCommit: { count: 1 } });
    await expect(stop("web-01")).rejects.toThrow();
    const [job] = sim.control.jobs();
    expect(job).toMatchObject({ kind: "stop", serverIds: [sim.control.server("web-01")!.id] });
    expect(sim.control.server("web-01")!.busyJobId).toBe(job!.id);
    const entry = sim.control.requests().at(-1)!;
    expect(entry).toMatchObject({
      status: null,
      fault: "drop",
      mutation: { type: "batchStopServers", jobId: job!.id },
    });

    // Only the next mutation was dropped; reads were never affected.
    expect((await list()).status).toBe(200);
    const next = await stop("web-02");
    // The dropped stop is still running: the system is busy, so the task is postponed (202).
    expect(next.status).toBe(202);
    expect(sim.control.faults().dropAfterCommit).toBeNull();
  });

  it("drops only mutations whose path matches, until cleared", async () => {
    sim.control.setFaults({ dropAfterCommit: { match: "/cloudservers/delete" } });
    expect((await stop("web-01")).status).toBe(200);
    const del = (name: string) =>
      call(sim, "POST", `/v1/${sim.projectId}/cloudservers/delete`, {
        body: { servers: [{ id: sim.control.server(name)!.id }] },
      });
    await expect(del("web-03")).rejects.toThrow();
    await expect(del("web-04")).rejects.toThrow();
    expect(sim.control.jobs().filter((j) => j.kind === "delete")).toHaveLength(2);
    sim.control.setFaults({ dropAfterCommit: null });
    expect((await del("db-01")).status).toBe(202);
  });

  it("adds latency (simulator clock) to matching calls", async () => {
    sim.control.setFaults({ latencyMs: 40, match: "/servers/detail" });
    await list();
    await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/flavors`);
    const [slow, fast] = sim.control.requests();
    expect(slow!.durationMs).toBeGreaterThanOrEqual(40);
    expect(fast!.path).toContain("flavors");
    expect(sim.control.faults()).toMatchObject({ latencyMs: 40, match: "/servers/detail" });
  });
  it("takes plain string matchers literally (substrings, even with slashes or regex characters)", async () => {
    expect(toPathMatch("/servers/detail")).toBe("/servers/detail");
    expect(toPathMatch("/a.b/")).toBe("/a.b/");
    expect(toPathMatch("re:/servers/de.ail$")).toEqual(/\/servers\/de.ail$/);
    expect(() => toPathMatch("re:(")).toThrow(TypeError);

    sim.control.failNextRequests({ status: 503, match: "/servers/detail" });
    expect((await list()).status).toBe(503);
    // "/.*/" would match every path as a regex; as a substring it matches none.
    sim.control.failNextRequests({ status: 503, match: "/.*/" });
    expect((await list()).status).toBe(200);
    sim.control.clearFaults();

    expect((await admin(sim, "PUT", "/faults", { latencyMs: 0, match: "/servers/detail" })).status).toBe(200);
    const shot = await admin(sim, "POST", "/faults/fail-next", { status: 500, match: "/servers/detail" });
    expect(shot.status).toBe(204);
    expect((await list()).status).toBe(500);
    sim.control.failNextRequests({ status: 500, match: /\/servers\/detail$/ });
    expect((await list()).status).toBe(500);
    await admin(sim, "POST", "/faults/fail-next", { status: 500, match: "re:/servers/de.ail$" });
    expect((await list()).status).toBe(500);
    expect((await list()).status).toBe(200);
    const bad = await admin(sim, "PUT", "/faults", { match: "re:(" });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("invalid regular expression");
  });
});
