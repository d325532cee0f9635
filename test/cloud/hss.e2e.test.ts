import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUnknownPortStatus } from "../../src/cloud/hss-schemas.js";
import { type SimClient, startSimClient } from "./helpers/start-sim-client.js";

describe("HSS against the simulated cloud", () => {
  let env: SimClient;
  beforeAll(async () => {
    env = await startSimClient();
  });
  afterAll(async () => {
    await env.close();
  });

  it("lists hosts with the configured enterprise project", async () => {
    const { totalNum, items } = await env.client.hss.listHosts();
    expect(items).toHaveLength(totalNum);
    const web01 = env.sim.control.server("web-01")!;
    const host = items.find((h) => h.hostId === web01.id);
    const view = env.sim.control.host(web01.id)!;
    expect(host).toMatchObject({
      hostName: "web-01",
      agentStatus: view.agentStatus,
      protectStatus: view.protectStatus,
      version: view.version,
      vulnerability: view.vulnerability,
    });
    const calls = env.sim.control.requests().filter((r) => r.path.endsWith("/host-management/hosts"));
    expect(calls.every((c) => c.query.enterprise_project_id === "all_granted_eps")).toBe(true);
    expect(calls.every((c) => Number(c.query.limit) >= 10 && Number(c.query.limit) <= 200)).toBe(true);
  });

  it("returns common login locations only when asked (get_common_login_locations)", async () => {
    const web01 = env.sim.control.server("web-01")!;
    const plain = await env.client.hss.listHosts({ hostId: web01.id });
    expect(plain.items[0]?.commonLoginAreaCodes).toBeUndefined();
    const withAreas = await env.client.hss.listHosts({ hostId: web01.id, getCommonLoginLocations: true });
    const codes = withAreas.items[0]?.commonLoginAreaCodes;
    expect(codes?.length).toBeGreaterThan(0);
    expect(codes?.every((c) => Number.isInteger(c))).toBe(true);
    expect(env.sim.control.requests().at(-1)?.query.get_common_login_locations).toBe("true");
  });

  it("applies documented filters", async () => {
    const linuxOnline = await env.client.hss.listHosts({ osType: "Linux", agentStatus: "online" });
    expect(linuxOnline.items.length).toBeGreaterThan(0);
    expect(linuxOnline.items.every((h) => h.osType === "Linux" && h.agentStatus === "online")).toBe(true);
    const named = await env.client.hss.listHosts({ hostName: "web-01" });
    expect(named.items.map((h) => h.hostName)).toContain("web-01");
    const risky = await env.client.hss.listHosts({ hasVul: true, protectStatus: "opened" });
    expect(risky.items.every((h) => (h.vulnerability ?? 0) > 0 && h.protectStatus === "opened")).toBe(true);
    const last = env.sim.control.requests().at(-1)!;
    expect(last.query).toMatchObject({ has_vul: "true", protect_status: "opened" });
  });

  it("lists the open ports of one host, keeping the service's `unknow`", async () => {
    const web01 = env.sim.control.server("web-01")!;
    const { totalNum, items } = await env.client.hss.listOpenPorts(web01.id);
    expect(items).toHaveLength(totalNum);
    expect(items.map((p) => p.port).sort()).toEqual(
      env.sim.control
        .ports(web01.id)
        .map((p) => p.port)
        .sort(),
    );
    expect(items.find((p) => p.port === 2375)).toMatchObject({ status: "danger", path: "/usr/bin/dockerd" });
    expect(items.some((p) => isUnknownPortStatus(p.status))).toBe(true);
    const dangerous = await env.client.hss.listOpenPorts(web01.id, { status: "danger" });
    expect(dangerous.items.every((p) => p.status === "danger")).toBe(true);
    const last = env.sim.control.requests().at(-1)!;
    expect(last.query).toMatchObject({ host_id: web01.id, status: "danger" });
  });

  it("lists the hosts of a vulnerability scan task, with failure reasons", async () => {
    const task = env.sim.control.scanTasks().find((t) => t.failed > 0)!;
    const all = await env.client.hss.listScanTaskHosts(task.id);
    expect(all.items).toHaveLength(task.hostCount);
    const failed = await env.client.hss.listScanTaskHosts(task.id, { scanStatus: "failed" });
    expect(failed.items).toHaveLength(task.failed);
    expect(failed.items.every((h) => h.scanStatus === "failed" && h.failedReasons.length > 0)).toBe(true);
  });
});

describe("HSS pagination across 10,000 hosts", () => {
  let env: SimClient;
  beforeAll(async () => {
    env = await startSimClient({ sim: { servers: 10_000 } });
  }, 120_000);
  afterAll(async () => {
    await env.close();
  });

  it("fetches every page concurrently once total_num is known", async () => {
    const { totalNum, items } = await env.client.hss.listHosts({}, { pageSize: 200, concurrency: 4 });
    expect(totalNum).toBeGreaterThanOrEqual(10_000);
    expect(items).toHaveLength(totalNum);
    expect(new Set(items.map((h) => h.hostId)).size).toBe(totalNum);
    const calls = env.sim.control.requests().filter((r) => r.path.endsWith("/host-management/hosts"));
    expect(calls).toHaveLength(Math.ceil(totalNum / 200));
    expect(new Set(calls.map((c) => c.query.offset)).size).toBe(calls.length);
    expect(calls[0]!.query.offset).toBe("0");
  });
});
