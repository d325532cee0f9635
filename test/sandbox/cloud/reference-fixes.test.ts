import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { call, type Row } from "./sim-client.js";

/** Differences from the reference found by driving the simulator with the official SDK. */
describe("simulator answers as the reference documents", () => {
  let sim: CloudSimulator;
  const v1 = (method: string, path: string, body?: unknown) =>
    call(sim, method, `/v1/${sim.projectId}${path}`, body === undefined ? {} : { body });
  const nova = (path: string, query?: Record<string, string>) =>
    call(sim, "GET", `/v2.1/${sim.projectId}${path}`, query ? { query } : {});

  beforeAll(async () => {
    sim = await startCloudSimulator({
      clock: createManualClock(),
      jobTiming: { initMs: 100, runningMs: 400 },
    });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("Nova flavors honour minRam, minDisk, sort_key and sort_dir (doc 6.6.1/6.6.2)", async () => {
    const all = (await nova("/flavors/detail")).json.flavors as Row[];
    expect(all.map((f) => f.id)).toEqual([...all.map((f) => f.id)].sort());
    const big = await nova("/flavors/detail", { minRam: "16384" });
    expect(big.status).toBe(200);
    expect(big.json.flavors.length).toBeGreaterThan(0);
    expect(big.json.flavors.length).toBeLessThan(all.length);
    expect(big.json.flavors.every((f: Row) => f.ram >= 16384)).toBe(true);
    const brief = await nova("/flavors", { minRam: "16384" });
    expect(brief.json.flavors.map((f: Row) => f.id)).toEqual(big.json.flavors.map((f: Row) => f.id));
    const byRam = await nova("/flavors/detail", { sort_key: "memory_mb", sort_dir: "desc" });
    const rams = byRam.json.flavors.map((f: Row) => f.ram);
    expect(rams).toEqual([...rams].sort((a, b) => b - a));
    // Every simulated flavor has a 0 GB root disk.
    expect((await nova("/flavors", { minDisk: "1" })).json.flavors).toEqual([]);
    const bad = await nova("/flavors/detail", { minRam: "lots" });
    expect(bad.status).toBe(400);
    expect(bad.json.badRequest.message).toContain("minRam");
    expect((await nova("/flavors/detail", { sort_key: "price" })).status).toBe(400);
  });

  it("a disk that is not attached: 400 Ecs.0111 from ShowServerBlockDevice (not 404)", async () => {
    const web01 = sim.control.server("web-01")!;
    const other = sim.control.server("db-01")!.disks[0]!.id;
    for (const path of [
      `/v1/${sim.projectId}/cloudservers/${web01.id}/block_device/${other}`,
      `/v2.1/servers/${web01.id}/block_device/${other}`,
      `/v1/${sim.projectId}/cloudservers/${web01.id}/os-volume_attachments/${other}`,
    ]) {
      const res = await call(sim, "GET", path);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("Ecs.0111");
    }
    // An unknown server is still 404 Ecs.0114.
    const gone = await v1("GET", `/cloudservers/00000000-0000-4000-8000-000000000000/block_device/${other}`);
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe("Ecs.0114");
  });

  it("serves project tags at the doc's GET /v1/{project_id}/servers/tags (5.9.5) and the SDK's path", async () => {
    const doc = await v1("GET", "/servers/tags");
    expect(doc.status).toBe(200);
    const env = doc.json.tags.find((t: Row) => t.key === "env");
    expect(env.values).toEqual(["dev", "prod", "staging"]);
    expect((await v1("GET", "/cloudservers/tags")).json).toEqual(doc.json);
  });

  it("serves /cloudservers/limits and /cloudservers/os-server-groups instead of taking them for server IDs", async () => {
    const limits = await v1("GET", "/cloudservers/limits");
    expect(limits.status).toBe(200);
    expect(limits.json.absolute.totalInstancesUsed).toBe(sim.control.servers().length);
    const groups = await v1("GET", "/cloudservers/os-server-groups");
    expect(groups.status).toBe(200);
    expect(Array.isArray(groups.json.server_groups)).toBe(true);
    // A real unknown server ID is still Ecs.0114.
    expect((await v1("GET", "/cloudservers/not-a-server")).json.error.code).toBe("Ecs.0114");
  });

  it("an unknown job: 400 with code/message at the top level (Table 5-63, error code table)", async () => {
    const res = await v1("GET", "/jobs/ff80808200000000000000000000dead");
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: "Common.0011", message: expect.stringContaining("Invalid job ID") });
    expect(res.json.error).toBeUndefined();
  });

  it("HSS hosts carry common_login_area_codes when get_common_login_locations=true", async () => {
    const path = `/v5/${sim.projectId}/host-management/hosts`;
    const web01 = sim.control.server("web-01")!;
    const plain = await call(sim, "GET", path, { query: { host_id: web01.id } });
    expect(plain.json.data_list[0].common_login_area_codes).toBeUndefined();
    const asked = await call(sim, "GET", path, {
      query: { host_id: web01.id, get_common_login_locations: true },
    });
    const codes = asked.json.data_list[0].common_login_area_codes;
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((c: unknown) => Number.isInteger(c))).toBe(true);
    // Same host, same areas.
    const again = await call(sim, "GET", path, {
      query: { host_id: web01.id, get_common_login_locations: true },
    });
    expect(again.json.data_list[0].common_login_area_codes).toEqual(codes);
  });

  it("accepted tasks answer 200, or 202 while other jobs are still running (doc 10.3.2); dry runs 202", async () => {
    const stop = (name: string) =>
      v1("POST", "/cloudservers/action", { "os-stop": { servers: [{ id: sim.control.server(name)!.id }] } });
    const first = await stop("web-03");
    expect(first.status).toBe(200);
    expect(first.json.job_id).toMatch(/^[0-9a-f]{32}$/);
    const second = await stop("web-04");
    expect(second.status).toBe(202);
    expect(second.json.job_id).toMatch(/^[0-9a-f]{32}$/);
    sim.control.advance(1_000);
    const worker = sim.control.server("worker-01")!;
    const dry = await v1("POST", `/cloudservers/${worker.id}/resize`, {
      resize: { flavorRef: "c7.large.2" },
      dry_run: true,
    });
    expect(dry.status).toBe(202);
    expect(dry.json).toEqual({});
    expect((await stop("web-01")).status).toBe(200);
  });
});
