import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  type ManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { admin, call } from "./sim-client.js";

describe("control over HTTP under /__sim/", () => {
  let sim: CloudSimulator;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = createManualClock();
    sim = await startCloudSimulator({ clock, jobTiming: { initMs: 1_000, runningMs: 1_000 } });
  });
  afterAll(() => sim.close());

  it("reports state and lists/reads servers without signing", async () => {
    const state = await admin(sim, "GET", "/state");
    expect(state.status).toBe(200);
    expect(state.json).toMatchObject({
      region: "cn-north-4",
      projectId: sim.projectId,
      servers: 12,
      manualClock: true,
    });
    expect(state.headers["access-control-allow-origin"]).toBe("*");
    const servers = await admin(sim, "GET", "/servers?name=web");
    expect(servers.json.map((s: { name: string }) => s.name).sort()).toEqual([
      "web-01",
      "web-02",
      "web-03",
      "web-04",
    ]);
    const byName = await admin(sim, "GET", "/servers/db-02");
    expect(byName.json).toMatchObject({ name: "db-02", status: "ACTIVE", flavorId: "m6.2xlarge.8" });
    expect((await admin(sim, "GET", "/servers/nope")).status).toBe(404);
    expect(sim.control.requests()).toHaveLength(0); // admin calls are not cloud requests
  });

  it("changes servers and the cloud APIs see it", async () => {
    const web03 = sim.control.server("web-03")!;
    const patched = await admin(sim, "PATCH", `/servers/${web03.id}`, {
      status: "SHUTOFF",
      flavorId: "c7.large.2",
    });
    expect(patched.json).toMatchObject({ status: "SHUTOFF", flavorId: "c7.large.2", vmState: "stopped" });
    const nova = await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${web03.id}`);
    expect(nova.json.server).toMatchObject({ status: "SHUTOFF", flavor: { id: "c7.large.2" } });
    expect((await admin(sim, "PATCH", `/servers/${web03.id}`, { flavorId: "nope" })).status).toBe(400);

    const added = await admin(sim, "POST", "/servers", {
      name: "api-99",
      role: "api",
      flavorId: "c7.large.2",
      tags: { env: "dev", team: "payments" },
      publicIp: true,
      ports: [{ port: 6379, path: "/usr/bin/redis-server", status: "danger" }],
    });
    expect(added.status).toBe(201);
    const found = await call(sim, "GET", `/v2.1/${sim.projectId}/servers/detail`, {
      query: { name: "api-99" },
    });
    expect(found.json.servers).toHaveLength(1);
    const ports = await call(sim, "GET", `/v5/${sim.projectId}/asset/ports`, {
      query: { host_id: added.json.id },
    });
    expect(ports.json.data_list).toEqual([expect.objectContaining({ port: 6379, status: "danger" })]);

    expect((await admin(sim, "DELETE", `/servers/${added.json.id}`)).status).toBe(204);
    expect((await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/${added.json.id}`)).status).toBe(404);
  });

  it("sets HSS host fields and adds open ports", async () => {
    const db01 = sim.control.server("db-01")!;
    const host = await admin(sim, "PATCH", `/hosts/${db01.id}`, {
      intrusion: 4,
      detectResult: "risk",
      protectStatus: "closed",
    });
    expect(host.json).toMatchObject({ intrusion: 4, detectResult: "risk", protectStatus: "closed" });
    const port = await admin(sim, "POST", `/hosts/${db01.id}/ports`, {
      port: 23,
      path: "/usr/sbin/in.telnetd",
      status: "danger",
    });
    expect(port.status).toBe(201);
    const hss = await call(sim, "GET", `/v5/${sim.projectId}/host-management/hosts`, {
      query: { host_id: db01.id },
    });
    expect(hss.json.data_list[0]).toMatchObject({ intrusion: 4, protect_status: "closed" });
    const ports = await call(sim, "GET", `/v5/${sim.projectId}/asset/ports`, {
      query: { host_id: db01.id, port: 23 },
    });
    expect(ports.json.data_list[0]).toMatchObject({ path: "/usr/sbin/in.telnetd", status: "danger" });
    expect((await admin(sim, "POST", `/hosts/${db01.id}/ports`, { port: 0, path: "x" })).status).toBe(400);
  });

  it("fails jobs, lists them, and advances the clock", async () => {
    const web01 = sim.control.server("web-01")!;
    expect(
      (await admin(sim, "POST", "/jobs/fail-next", { serverIds: [web01.id], reason: "injected" })).status,
    ).toBe(204);
    const res = await call(sim, "POST", `/v1/${sim.projectId}/cloudservers/action`, {
      body: { "os-stop": { servers: [{ id: web01.id }] } },
    });
    const jobs = await admin(sim, "GET", "/jobs");
    expect(jobs.json).toEqual([
      expect.objectContaining({ id: res.json.job_id, kind: "stop", status: "INIT", serverIds: [web01.id] }),
    ]);
    const advanced = await admin(sim, "POST", "/clock/advance", { ms: 2_000 });
    expect(advanced.json.now).toBe(clock.now());
    const job = await admin(sim, "GET", `/jobs/${res.json.job_id}`);
    expect(job.json).toMatchObject({
      status: "FAIL",
      subJobs: [expect.objectContaining({ failReason: "injected" })],
    });
    expect((await admin(sim, "POST", "/clock/advance", { ms: -1 })).status).toBe(400);
    expect((await admin(sim, "POST", "/jobs/fail-next", { serverIds: "web-01" })).status).toBe(400);
    expect((await admin(sim, "POST", "/faults/fail-next", { status: 418 })).status).toBe(400);
    expect((await admin(sim, "PATCH", `/hosts/${web01.id}`, { agentStatus: "asleep" })).status).toBe(400);
  });

  it("sets faults and reads/clears the request log", async () => {
    const faults = await admin(sim, "PUT", "/faults", {
      latencyMs: 0,
      rate429: 0,
      dropAfterCommit: { match: "re:/cloudservers/(action|delete)$" },
    });
    expect(faults.json.dropAfterCommit).toEqual({ count: null, match: "re:/cloudservers/(action|delete)$" });
    expect((await admin(sim, "PUT", "/faults", { rate429: "lots" })).status).toBe(400);
    expect((await admin(sim, "DELETE", "/faults")).status).toBe(204);
    await admin(sim, "POST", "/faults/fail-next", { status: 429, count: 1 });
    expect((await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/flavors`)).status).toBe(429);

    const log = await admin(sim, "GET", "/requests");
    const last = log.json.at(-1);
    expect(last).toMatchObject({
      method: "GET",
      path: `/v1/${sim.projectId}/cloudservers/flavors`,
      status: 429,
      fault: "throttle",
      auth: "aksk",
    });
    const mutation = log.json.find((e: { mutation: unknown }) => e.mutation);
    expect(mutation.mutation).toMatchObject({ type: "batchStopServers", jobId: expect.any(String) });
    expect((await admin(sim, "DELETE", "/requests")).status).toBe(204);
    expect((await admin(sim, "GET", "/requests")).json).toEqual([]);
  });

  it("resets the world and answers unknown admin routes with 404", async () => {
    const reset = await admin(sim, "POST", "/reset");
    expect(reset.json.servers).toBe(12);
    expect(sim.control.server("web-03")?.status).toBe("ACTIVE");
    expect(sim.control.jobs()).toEqual([]);
    expect((await admin(sim, "GET", "/nope")).status).toBe(404);
    expect((await admin(sim, "POST", "/servers", "not an object")).status).toBe(400);
  });

  it("sets up disks, locks and resources for the new reads, refusing bad input", async () => {
    sim.control.reset();
    const web02 = sim.control.server("web-02")!;
    const locked = await admin(sim, "PATCH", "/servers/web-02", { locked: true });
    expect(locked.json).toMatchObject({ locked: true, securityGroups: ["sg-default", "sg-web"] });
    expect((await admin(sim, "PATCH", "/servers/web-02", { locked: "yes" })).status).toBe(400);

    const volume = await admin(sim, "POST", "/volumes", { sizeGb: 20 });
    expect(volume.status).toBe(201);
    expect((await admin(sim, "GET", "/volumes")).json).toContainEqual(volume.json);
    const disks = await admin(sim, "POST", `/servers/${web02.id}/disks`, { volumeId: volume.json.id });
    expect(disks.json.at(-1)).toEqual({ id: volume.json.id, device: "/dev/vdb", bootIndex: 1 });
    const fresh = await admin(sim, "POST", `/servers/${web02.id}/disks`, { sizeGb: 5, device: "/dev/vdf" });
    expect(fresh.json.at(-1)).toMatchObject({ device: "/dev/vdf", bootIndex: 2 });
    expect((await admin(sim, "POST", `/servers/${web02.id}/disks`, { device: "/dev/vdb" })).status).toBe(409);
    expect((await admin(sim, "POST", `/servers/${web02.id}/disks`, { volumeId: "nope" })).status).toBe(404);
    const detached = await admin(sim, "DELETE", `/servers/${web02.id}/disks/${volume.json.id}`);
    expect(detached.json).toEqual({ id: volume.json.id, sizeGb: 20, reservedBy: null });
    expect((await admin(sim, "DELETE", `/servers/${web02.id}/disks/${volume.json.id}`)).status).toBe(404);

    expect((await admin(sim, "GET", "/dedicated-hosts")).json).toHaveLength(2);
    expect((await admin(sim, "POST", "/server-groups", { name: "" })).status).toBe(400);
    expect((await admin(sim, "POST", "/server-groups", { name: "g", members: ["nope"] })).status).toBe(404);
    expect((await admin(sim, "POST", `/servers/${web02.id}/console`, { lines: [1] })).status).toBe(400);
    expect((await admin(sim, "POST", "/volumes", { sizeGb: 0 })).status).toBe(400);
    expect((await admin(sim, "PUT", "/quotas", { maxTotalCores: 1.5 })).status).toBe(400);
  });
});
