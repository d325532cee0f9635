import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import { serverSchema, toServer } from "../../src/cloud/ecs-schemas.js";
import { CloudError } from "../../src/cloud/errors.js";
import { waitForJob } from "../../src/cloud/wait-for-job.js";
import { call, type Row } from "../sandbox/cloud/sim-client.js";
import { scriptedCloudConfig, startScriptedServer } from "./helpers/start-scripted-server.js";
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
});

const serverNamed = (name: string) => {
  const s = env.sim.control.server(name);
  if (!s) throw new Error(`no server ${name}`);
  return s;
};

describe("ECS against the simulated cloud", () => {
  it("lists every server across pages (the native API's page numbers)", async () => {
    const all = await env.client.ecs.listServers({ pageSize: 5 });
    expect(all.map((s) => s.id).sort()).toEqual(
      env.sim.control
        .servers()
        .map((s) => s.id)
        .sort(),
    );
    const listCalls = env.sim.control.requests().filter((r) => r.path.endsWith("/cloudservers/detail"));
    expect(listCalls.length).toBeGreaterThanOrEqual(Math.ceil(all.length / 5));
    expect(listCalls.every((r) => r.query.limit === "5")).toBe(true);
    const web01 = all.find((s) => s.name === "web-01")!;
    const view = serverNamed("web-01");
    expect(web01).toMatchObject({
      id: view.id,
      status: "ACTIVE",
      flavor: { id: view.flavorId },
      availabilityZone: view.availabilityZone,
    });
    expect(web01.addresses.map((a) => a.addr)).toContain(view.privateIp);
    expect(web01.tags).toContain(`env=${view.tags.env}`);
    expect(web01.created).toBe(view.created.replace(/\.\d{3}Z$/, "Z"));
  });

  it("reads the simulator's records without the schema, and as the schema would", async () => {
    // Every record the service renders is one the listing's fast reading is sure about: the per-field schema
    // (the slow path) is not used, and each server equals the schema's reading of the raw record.
    const slowPath = vi.spyOn(serverSchema, "safeParse");
    try {
      const listed = await env.client.ecs.listServers();
      expect(slowPath).not.toHaveBeenCalled();
      const byId = new Map(listed.map((s) => [s.id, s]));
      const page = await call(env.sim, "GET", `/v1/${env.sim.projectId}/cloudservers/detail`, {
        query: { limit: 1000 },
      });
      const raw = (page.json.servers as Row[]).filter((r) => byId.has(r.id));
      expect(raw.length).toBe(listed.length);
      for (const record of raw)
        expect(byId.get(record.id)).toStrictEqual(toServer(serverSchema.parse(record)));
    } finally {
      slowPath.mockRestore();
    }
  });

  it("filters by name, status, ip, flavor and tags", async () => {
    const byName = await env.client.ecs.listServers({ name: "web-0" });
    expect(byName.map((s) => s.name).sort()).toEqual(["web-01", "web-02", "web-03", "web-04"]);
    const stopped = await env.client.ecs.listServers({ status: "SHUTOFF" });
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.every((s) => s.status === "SHUTOFF")).toBe(true);
    const web01 = serverNamed("web-01");
    const byIp = await env.client.ecs.listServers({ ip: web01.privateIp });
    expect(byIp.map((s) => s.id)).toContain(web01.id);
    const byFlavor = await env.client.ecs.listServers({ flavor: web01.flavorId });
    expect(byFlavor.every((s) => s.flavor.id === web01.flavorId)).toBe(true);
    const staging = await env.client.ecs.listServers({ tags: "env=staging" });
    expect(staging.map((s) => s.name).sort()).toEqual(expect.arrayContaining(["web-03", "web-04"]));
    expect(staging.every((s) => s.tags.includes("env=staging"))).toBe(true);
  });

  it("gets one server; an unknown one is a normalised 404", async () => {
    const web01 = serverNamed("web-01");
    expect(await env.client.ecs.getServer(web01.id)).toMatchObject({ id: web01.id, name: "web-01" });
    const err = await env.client.ecs
      .getServer("00000000-0000-0000-0000-000000000000")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ status: 404, isNotFound: true, retryable: false });
    expect((err as CloudError).requestId).toMatch(/\w+/);
  });

  it("tells what changed since a moment (Nova's changes-since) and how many servers there are: two requests", async () => {
    const from = new Date(env.sim.control.now()).toISOString();
    const fleet = env.sim.control.servers().length;
    const quiet = await env.client.ecs.listServerChanges(from);
    expect(quiet).toEqual({ changed: [], count: fleet });

    env.sim.control.advance(5_000);
    const web01 = serverNamed("web-01");
    env.sim.control.setServer(web01.id, { status: "SHUTOFF" });
    env.sim.control.clearRequests();
    const changes = await env.client.ecs.listServerChanges(from);
    expect(changes.changed.map((s) => [s.id, s.name, s.status])).toEqual([[web01.id, "web-01", "SHUTOFF"]]);
    expect(Date.parse(changes.changed[0]?.updated ?? "")).toBeGreaterThanOrEqual(Date.parse(from));
    expect(changes.count).toBe(fleet);
    const made = env.sim.control
      .requests()
      .map((r) => [r.method, r.path.replace(env.sim.projectId, "{p}"), r.query]);
    expect(made).toEqual(
      expect.arrayContaining([
        // In the documented form: whole seconds, rounded down.
        ["GET", "/v2.1/{p}/servers/detail", { "changes-since": `${from.slice(0, 19)}Z`, limit: "1000" }],
        ["GET", "/v1/{p}/cloudservers/detail", { limit: "1" }],
      ]),
    );
    expect(made).toHaveLength(2);

    // Among one status's servers: the stopped one has joined SHUTOFF's, and left ACTIVE's unreported (only
    // the count says so).
    const shutoff = await env.client.ecs.listServerChanges(from, { status: "SHUTOFF" });
    expect(shutoff.changed.map((s) => s.name)).toEqual(["web-01"]);
    expect(shutoff.count).toBe(env.sim.control.servers().filter((s) => s.status === "SHUTOFF").length);
    const active = await env.client.ecs.listServerChanges(from, { status: "ACTIVE" });
    expect(active.changed).toEqual([]);
    expect(active.count).toBe(env.sim.control.servers().filter((s) => s.status === "ACTIVE").length);
    expect(
      env.sim.control
        .requests()
        .slice(-2)
        .map((r) => r.query.status),
    ).toEqual(["ACTIVE", "ACTIVE"]);

    // A deleted server is not among the changes: the count says the fleet has one less.
    env.sim.control.deleteServer(serverNamed("web-02").id);
    const afterDelete = await env.client.ecs.listServerChanges(from);
    expect(afterDelete.changed.map((s) => s.name)).toEqual(["web-01"]);
    expect(afterDelete.count).toBe(fleet - 1);
  });

  it("reads every page of the changes by marker; a service that ignores the marker is a fault, not a loop", async () => {
    const record = (i: number) => ({
      id: `s${i}`,
      name: `n${i}`,
      status: "ACTIVE",
      updated: "2026-12-01T00:00:00Z",
      flavor: { id: "f1" },
      addresses: {},
    });
    const page = (from: number, n: number) => Array.from({ length: n }, (_, i) => record(from + i));
    let ignoreMarker = false;
    const scripted = await startScriptedServer((req) => {
      const url = new URL(req.url, "http://x");
      if (url.pathname.endsWith("/cloudservers/detail"))
        return { status: 200, body: { count: 1500, servers: [] } };
      const marker = url.searchParams.get("marker");
      if (marker === null || ignoreMarker) return { status: 200, body: { servers: page(0, 1000) } };
      return { status: 200, body: { servers: page(1000, 500) } };
    });
    const client = createCloudClient(scriptedCloudConfig(scripted.url));
    try {
      const changes = await client.ecs.listServerChanges("2026-12-01T00:00:00Z");
      expect(changes.changed).toHaveLength(1500);
      expect(changes.count).toBe(1500);
      const markers = scripted.requests
        .map((r) => new URL(r.url, "http://x"))
        .filter((u) => u.pathname.endsWith("/servers/detail"))
        .map((u) => u.searchParams.get("marker"));
      expect(markers).toEqual([null, "s999"]);

      // A service that answers the first page whatever the marker: the second answer ends with the marker it
      // was asked after, and the read stops there.
      ignoreMarker = true;
      const before = scripted.requests.length;
      const err = await client.ecs.listServerChanges("2026-12-01T00:00:00Z").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CloudError);
      expect(err).toMatchObject({
        code: "INVALID_RESPONSE",
        retryable: false,
        operation: "ecs.listServerChanges",
      });
      expect(scripted.requests.length - before).toBeLessThanOrEqual(3);
    } finally {
      await client.close();
      await scripted.close();
    }
  });

  it("a changes-since that is not a time is the service's 400, not a listing", async () => {
    const err = await env.client.ecs.listServerChanges("yesterday").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ status: 400, retryable: false });
  });

  it("lists flavors", async () => {
    const flavors = await env.client.ecs.listFlavors();
    expect(flavors.map((f) => f.id).sort()).toEqual(
      env.sim.control
        .flavors()
        .map((f) => f.id)
        .sort(),
    );
    const f = flavors.find((x) => x.id === "c7.large.2")!;
    expect(f).toMatchObject({ vcpus: 2, ramMb: 4096, performanceType: "computingv3" });
  });

  it("lists disks and tags of a server", async () => {
    const db = serverNamed("db-01");
    const disks = await env.client.ecs.listVolumeAttachments(db.id);
    expect(disks.map((d) => d.volumeId).sort()).toEqual(db.disks.map((d) => d.id).sort());
    expect(disks.every((d) => d.serverId === db.id)).toBe(true);
    const tags = await env.client.ecs.listServerTags(db.id);
    expect(Object.fromEntries(tags.map((t) => [t.key, t.value]))).toEqual(db.tags);
  });

  it("tells the system disk (boot index 0) from data disks, and which go with the server", async () => {
    const added = env.sim.control.addServer({ name: "data-01", dataDisksGb: [100, 200] });
    const [system, ...data] = added.disks;
    const disks = await env.client.ecs.listVolumeAttachments(added.id);
    expect(disks).toEqual(
      added.disks.map((d) => ({
        id: d.id,
        volumeId: d.id,
        serverId: added.id,
        device: d.device,
        bootIndex: d.bootIndex,
        sizeGb: d.sizeGb,
      })),
    );
    expect(disks.filter((d) => d.bootIndex === 0).map((d) => d.volumeId)).toEqual([system!.id]);
    const last = env.sim.control.requests().at(-1)!;
    expect(last.path).toBe(`/v1/${env.sim.projectId}/cloudservers/${added.id}/block_device`);

    const server = await env.client.ecs.getServer(added.id);
    expect(server.volumeIds).toEqual(added.disks.map((d) => d.id));
    expect(server.volumes).toEqual([
      { id: system!.id, deleteOnTermination: true },
      ...data.map((d) => ({ id: d.id, deleteOnTermination: false })),
    ]);
    const listed = (await env.client.ecs.listServers({ name: "data-01" })).find((s) => s.id === added.id);
    // The native listing says more (boot index, device) than Nova's single-server view, never less.
    expect(listed?.volumes).toMatchObject(server.volumes!);
    expect(listed?.volumes?.map((v) => v.bootIndex)).toEqual(added.disks.map((d) => d.bootIndex));

    await expect(env.client.ecs.listVolumeAttachments("no-such-server")).rejects.toMatchObject({
      status: 404,
    });
  });

  it("stops, starts and reboots servers through jobs", async () => {
    const a = serverNamed("web-03");
    const b = serverNamed("web-04");
    const stop = await env.client.ecs.stopServers([a.id, b.id], "HARD");
    expect(stop.failures).toEqual([]);
    expect(stop.jobs).toHaveLength(1);
    expect(stop.jobs[0]!.serverIds).toEqual([a.id, b.id]);
    const stopped = await waitForJob({ ecs: env.client.ecs, jobId: stop.jobs[0]!.jobId, ...env.clock });
    expect(stopped.outcome).toBe("SUCCESS");
    expect(env.sim.control.server(a.id)?.status).toBe("SHUTOFF");
    const job = env.sim.control.job(stop.jobs[0]!.jobId);
    expect(job).toMatchObject({ kind: "stop", params: { type: "HARD" } });

    const start = await env.client.ecs.startServers([a.id]);
    expect(
      (await waitForJob({ ecs: env.client.ecs, jobId: start.jobs[0]!.jobId, ...env.clock })).outcome,
    ).toBe("SUCCESS");
    expect(env.sim.control.server(a.id)?.status).toBe("ACTIVE");

    const reboot = await env.client.ecs.rebootServers([a.id], "SOFT");
    expect(
      (await waitForJob({ ecs: env.client.ecs, jobId: reboot.jobs[0]!.jobId, ...env.clock })).outcome,
    ).toBe("SUCCESS");
    expect(env.sim.control.job(reboot.jobs[0]!.jobId)).toMatchObject({
      kind: "reboot",
      params: { type: "SOFT" },
    });
  });

  it("resizes with and without dry run", async () => {
    const w = serverNamed("worker-01");
    expect(w.status).toBe("SHUTOFF");
    const target = w.flavorId === "c7.xlarge.2" ? "c7.large.2" : "c7.xlarge.2";
    expect(await env.client.ecs.resizeServer(w.id, target, { dryRun: true })).toEqual({ dryRun: true });
    expect(env.sim.control.server(w.id)?.flavorId).toBe(w.flavorId);
    const res = await env.client.ecs.resizeServer(w.id, target);
    expect(res.dryRun).toBe(false);
    const done = await waitForJob({
      ecs: env.client.ecs,
      jobId: res.dryRun ? "" : res.jobId,
      ...env.clock,
    });
    expect(done.outcome).toBe("SUCCESS");
    expect(env.sim.control.server(w.id)?.flavorId).toBe(target);
    // A rejected resize is a normalised ECS error.
    await expect(env.client.ecs.resizeServer(w.id, "no-such-flavor")).rejects.toMatchObject({
      name: "CloudError",
      status: 400,
      code: "Ecs.0029",
    });
  });

  it("deletes servers with the documented options", async () => {
    const w = serverNamed("web-04");
    const del = await env.client.ecs.deleteServers([w.id], { deletePublicIp: true, deleteVolume: true });
    expect(del.jobs).toHaveLength(1);
    expect(env.sim.control.job(del.jobs[0]!.jobId)).toMatchObject({
      kind: "delete",
      params: { deletePublicip: true, deleteVolume: true },
    });
    const done = await waitForJob({ ecs: env.client.ecs, jobId: del.jobs[0]!.jobId, ...env.clock });
    expect(done.outcome).toBe("SUCCESS");
    expect(env.sim.control.server(w.id)).toBeUndefined();
  });

  it("reports a rejected batch call as a chunk failure", async () => {
    const res = await env.client.ecs.startServers(["00000000-0000-0000-0000-00000000dead"]);
    expect(res.jobs).toEqual([]);
    expect(res.failures).toHaveLength(1);
    expect(res.failures[0]!.error).toMatchObject({ name: "CloudError", status: 404, code: "Ecs.0114" });
  });

  it("reads a job's status; an unknown job is a normalised 404", async () => {
    const a = serverNamed("web-03");
    const stop = await env.client.ecs.stopServers([a.id]);
    const job = await env.client.ecs.getJob(stop.jobs[0]!.jobId);
    expect(job).toMatchObject({ jobId: stop.jobs[0]!.jobId, status: "INIT", subJobs: [{ serverId: a.id }] });
    await expect(env.client.ecs.getJob("ff80808200000000000000000000dead")).rejects.toMatchObject({
      status: 400,
      code: "Common.0011",
      isNotFound: true,
    });
  });
});

describe("ECS batch split", () => {
  let big: SimClient;
  beforeAll(async () => {
    big = await startSimClient({ sim: { servers: 1005 } });
  });
  afterAll(async () => {
    await big.close();
  });

  it("splits more than 1,000 servers into API-sized calls, each with its own job", async () => {
    const ids = big.sim.control.servers().map((s) => s.id);
    expect(ids.length).toBeGreaterThan(1000);
    const res = await big.client.ecs.rebootServers(ids, "SOFT");
    expect(res.failures).toEqual([]);
    expect(res.jobs).toHaveLength(2);
    expect(res.jobs.map((j) => j.serverIds.length)).toEqual([1000, ids.length - 1000]);
    expect(new Set(res.jobs.map((j) => j.jobId)).size).toBe(2);
    const posts = big.sim.control.requests().filter((r) => r.method === "POST" && r.mutation);
    expect(posts.map((p) => p.mutation?.serverIds.length)).toEqual([1000, ids.length - 1000]);
  });
});
