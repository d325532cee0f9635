import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateWorld } from "../../../src/sandbox/cloud/generate-world.js";
import { type CloudSimulator, SIM_DEFAULTS, startCloudSimulator } from "../../../src/sandbox/cloud/index.js";
import { call, type Row } from "./sim-client.js";

const world = (seed: number, servers = 12, edgeCases = false) =>
  generateWorld({ servers, seed, region: "cn-north-4", edgeCases });

describe("world generation", () => {
  it("is deterministic from the seed", () => {
    const a = world(7, 300);
    const b = world(7, 300);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.resources.volumes.length).toBeGreaterThan(0);
    expect(a.resources.serverGroups.map((g) => g.name)).toContain("SvrGrp-db");
    expect(a.machines.every((m) => m.server.actions[0]?.action === "create")).toBe(true);
    const c = world(8, 300);
    expect(c.machines.map((m) => m.server.id)).not.toEqual(a.machines.map((m) => m.server.id));
    // The template names do not depend on the seed.
    expect(c.machines.slice(0, 12).map((m) => m.server.name)).toEqual(
      a.machines.slice(0, 12).map((m) => m.server.name),
    );
  });

  it("has the fleet later stories rely on", () => {
    const { machines } = world(SIM_DEFAULTS.seed);
    const byName = new Map(machines.map((m) => [m.server.name, m]));
    for (const name of ["web-01", "web-02", "web-03", "web-04", "db-01", "db-02"])
      expect(byName.has(name)).toBe(true);
    const web01 = byName.get("web-01")!;
    expect(web01.server.status).toBe("ACTIVE");
    expect(web01.ports.some((p: Row) => p.status === "danger")).toBe(true);
    expect(new Set(machines.map((m) => m.server.availabilityZone)).size).toBe(3);
    expect(new Set(machines.map((m) => m.server.flavorId)).size).toBeGreaterThanOrEqual(4);
    expect(machines.filter((m) => m.server.publicIp).length).toBeGreaterThan(0);
    for (const m of machines) {
      expect(m.server.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(m.host.hostId).toBe(m.server.id);
      expect(m.server.tags.map((t) => t.key)).toEqual(expect.arrayContaining(["env", "team"]));
    }
  });

  it("adds edge-case names on request", () => {
    const names = world(1, 12, true).machines.map((m) => m.server);
    const dups = names.filter((s: Row) => s.name === "dup-01");
    expect(dups).toHaveLength(2);
    expect(dups[0]!.availabilityZone).not.toBe(dups[1]!.availabilityZone);
    for (const name of [
      "ops box 1",
      "数据库-01",
      "<!channel>",
      "<https://evil.example|Approve>",
      "*bold* _x_",
    ]) {
      expect(names.filter((s: Row) => s.name === name)).toHaveLength(1);
    }
    expect(names.filter((s: Row) => s.name === "web-01")).toHaveLength(1);
  });
});

describe("listing a 10,000-server world", () => {
  let sim: CloudSimulator;
  beforeAll(async () => {
    sim = await startCloudSimulator({ servers: 10_000, seed: 42 });
  });
  afterAll(() => sim.close());

  it("holds 10,000 unique machines with realistic names", () => {
    const servers = sim.control.servers();
    expect(servers).toHaveLength(10_000);
    expect(new Set(servers.map((m) => m.id)).size).toBe(10_000);
    expect(new Set(servers.map((m) => m.name)).size).toBe(10_000);
    expect(new Set(servers.map((m) => m.privateIp)).size).toBe(10_000);
    const odd = servers.filter(
      (m) => !/^(web|api|db|cache|worker|batch|mq|es|k8s-node|bastion)-\d{2,}$/.test(m.name),
    );
    expect(odd).toEqual([]);
  });

  it("has quotas with room above the fleet, and the resources the new reads need", async () => {
    const { absolute } = (await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/limits`)).json;
    expect(absolute.totalInstancesUsed).toBe(10_000);
    expect(absolute.totalInstancesUsed).toBeLessThan(absolute.maxTotalInstances);
    expect(absolute.totalCoresUsed).toBeLessThan(absolute.maxTotalCores);
    expect(absolute.totalRAMUsed).toBeLessThan(absolute.maxTotalRAMSize);
    expect(absolute.totalFloatingIpsUsed).toBeLessThan(absolute.maxTotalFloatingIps);
    expect(sim.control.volumes().length).toBeGreaterThan(4);
    expect(sim.control.serverGroups().every((g) => g.members.length <= absolute.maxServerGroupMembers)).toBe(
      true,
    );
    const last = sim.control.servers().at(-1)!;
    const console = await call(sim, "POST", `/v2.1/${sim.projectId}/servers/${last.id}/action`, {
      body: { "os-getConsoleOutput": { length: 3 } },
    });
    expect(console.json.output.split("\n")).toHaveLength(3);
  });

  it("pages through every server with limit + marker (Nova) and offset pages (v1)", async () => {
    const seen = new Set<string>();
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const res = await call(sim, "GET", `/v2.1/${sim.projectId}/servers/detail`, {
        query: { limit: 1000, ...(marker ? { marker } : {}) },
      });
      expect(res.status).toBe(200);
      for (const s of res.json.servers) seen.add(s.id);
      pages++;
      if (!res.json.servers_links) break;
      expect(res.json.servers_links[0].href).toContain("marker=");
      marker = res.json.servers.at(-1).id;
    }
    expect(seen.size).toBe(10_000);
    expect(pages).toBe(11); // Nova links a full last page to an empty one.

    const v1 = await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/detail`, {
      query: { limit: 1000, offset: 10 },
    });
    expect(v1.json.count).toBe(10_000);
    expect(v1.json.servers).toHaveLength(1000);
    const v1Last = await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/detail`, {
      query: { limit: 1000, offset: 11 },
    });
    expect(v1Last.json.servers).toHaveLength(0);
  });

  it("pages HSS hosts with offset and total_num", async () => {
    const seen = new Set<string>();
    for (let offset = 0; offset < 10_000; offset += 200) {
      const res = await call(sim, "GET", `/v5/${sim.projectId}/host-management/hosts`, {
        query: { limit: 200, offset },
      });
      expect(res.json.total_num).toBe(10_000);
      for (const h of res.json.data_list) seen.add(h.host_id);
    }
    expect(seen.size).toBe(10_000);
  });

  it("filters by name, status, tags, flavor and ip", async () => {
    const list = (query: Record<string, string | number>) =>
      call(sim, "GET", `/v2.1/${sim.projectId}/servers/detail`, {
        query: { limit: 1000, ...query },
        headers: { "X-OpenStack-Nova-API-Version": "2.26" },
      });
    const web = await list({ name: "^web-0[1-4]$" });
    expect(web.json.servers.map((s: Row) => s.name).sort()).toEqual(["web-01", "web-02", "web-03", "web-04"]);
    const shutoff = await list({ status: "SHUTOFF" });
    expect(shutoff.json.servers.every((s: Row) => s.status === "SHUTOFF")).toBe(true);
    const prod = await list({ tags: "env=prod,team=data" });
    expect(prod.json.servers.length).toBeGreaterThan(0);
    for (const s of prod.json.servers)
      expect(s.tags).toEqual(expect.arrayContaining(["env=prod", "team=data"]));
    const flavor = await list({ flavor: "m6.2xlarge" });
    expect(flavor.json.servers.every((s: Row) => s.flavor.id === "m6.2xlarge.8")).toBe(true);
    const db01 = sim.control.server("db-01")!;
    const byIp = await list({ ip: db01.privateIp });
    expect(byIp.json.servers.map((s: Row) => s.id)).toContain(db01.id);
    const bogus = await list({ status: "SLEEPING" });
    expect(bogus.json.servers).toEqual([]);
    const badMarker = await list({ marker: "nope" });
    expect(badMarker.status).toBe(400);
    expect(badMarker.json.badRequest.code).toBe(400);
  });
});

describe("edge-case names over the wire", () => {
  let sim: CloudSimulator;
  beforeAll(async () => {
    sim = await startCloudSimulator({ edgeCases: true });
  });
  afterAll(() => sim.close());

  it("finds names with spaces, non-ASCII and Slack markup through signed queries", async () => {
    for (const name of ["ops box 1", "数据库-01", "<!channel>", "*bold* _x_"]) {
      const res = await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/detail`, {
        query: { name: name.replace(/[*|]/g, "\\$&") },
      });
      expect(res.status, name).toBe(200);
      expect(res.json.servers.map((s: Row) => s.name)).toContain(name);
    }
    const dups = await call(sim, "GET", `/v2.1/${sim.projectId}/servers/detail`, {
      query: { name: "^dup-01$" },
    });
    expect(dups.json.servers).toHaveLength(2);
    expect(sim.control.findServers("dup-01")).toHaveLength(2);
  });
});
