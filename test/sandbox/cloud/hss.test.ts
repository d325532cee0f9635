import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudSimulator, startCloudSimulator } from "../../../src/sandbox/cloud/index.js";
import { call, type Row } from "./sim-client.js";

describe("HSS APIs over the same machines as ECS", () => {
  let sim: CloudSimulator;
  const hosts = (query: Record<string, string | number | boolean> = {}) =>
    call(sim, "GET", `/v5/${sim.projectId}/host-management/hosts`, { query });
  const ports = (query: Record<string, string | number | boolean>) =>
    call(sim, "GET", `/v5/${sim.projectId}/asset/ports`, { query });

  beforeAll(async () => {
    sim = await startCloudSimulator();
  });
  afterAll(() => sim.close());

  it("lists hosts whose host_id is the ECS server ID, with agent, protection and risk fields", async () => {
    const res = await hosts({ host_name: "web-01" });
    expect(res.status).toBe(200);
    expect(res.json.total_num).toBe(1);
    const [host] = res.json.data_list;
    const server = sim.control.server("web-01")!;
    expect(host).toMatchObject({
      host_id: server.id,
      host_name: "web-01",
      private_ip: server.privateIp,
      public_ip: server.publicIp,
      host_status: "ACTIVE",
      agent_status: "online",
      protect_status: "opened",
      version: "hss.version.enterprise",
      detect_result: "risk",
      vulnerability: 12,
      baseline: 3,
      intrusion: 0,
      os_type: "Linux",
      asset_value: "important",
    });
    expect(host.agent_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it("validates limit (10-200), offset and enum/boolean filters with 400 HSS.0001", async () => {
    const invalid: Record<string, string | number>[] = [
      { limit: 9 },
      { limit: 201 },
      { limit: "ten" },
      { offset: -1 },
      { agent_status: "sleepy" },
      { has_vul: "yes" },
    ];
    for (const query of invalid) {
      const res = await hosts(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.error_code).toBe("HSS.0001");
    }
    const res = await hosts();
    expect(res.json.data_list).toHaveLength(10);
    expect(res.json.total_num).toBe(12);
    const rest = await hosts({ limit: 10, offset: 10 });
    expect(rest.json.data_list).toHaveLength(2);
  });

  it("filters by documented fields", async () => {
    const windows = await hosts({ os_type: "Windows" });
    expect(windows.json.data_list.map((h: Row) => h.host_name)).toEqual(["bastion-01"]);
    const withIntrusion = await hosts({ has_intrusion: true });
    expect(withIntrusion.json.data_list.map((h: Row) => h.host_name)).toContain("db-02");
    const byIp = await hosts({ ip_addr: sim.control.server("db-01")!.privateIp });
    expect(byIp.json.data_list.map((h: Row) => h.host_name)).toEqual(["db-01"]);
    const sorted = await hosts({ sort_key: "risk_num", sort_dir: "desc", limit: 200 });
    const risks = sorted.json.data_list.map((h: Row) => h.vulnerability + h.baseline + h.intrusion);
    expect(risks).toEqual([...risks].sort((a: number, b: number) => b - a));
    const stopped = await hosts({ host_status: "SHUTOFF", limit: 200 });
    expect(stopped.json.data_list.map((h: Row) => h.host_name).sort()).toEqual(["api-02", "worker-01"]);
  });

  it("follows ECS state: a stopped server's online agent reads offline", async () => {
    const db01 = sim.control.server("db-01")!;
    sim.control.setServer(db01.id, { status: "SHUTOFF" });
    const res = await hosts({ host_id: db01.id });
    expect(res.json.data_list[0]).toMatchObject({ host_status: "SHUTOFF", agent_status: "offline" });
    const notOnline = await hosts({ agent_status: "not_online", limit: 200 });
    expect(notOnline.json.data_list.map((h: Row) => h.host_id)).toContain(db01.id);
    sim.control.setServer(db01.id, { status: "ACTIVE" });
    expect((await hosts({ host_id: db01.id })).json.data_list[0].agent_status).toBe("online");
  });

  it("lists open ports of one host, with dangerous ones and the service's `unknow` status", async () => {
    const web01 = sim.control.server("web-01")!.id;
    const all = await ports({ host_id: web01 });
    expect(all.status).toBe(200);
    const list = all.json.data_list;
    expect(all.json.total_num).toBe(list.length);
    const danger = list.filter((p: Row) => p.status === "danger");
    expect(danger.length).toBeGreaterThan(0);
    expect(danger[0]).toMatchObject({ host_id: web01, type: "TCP", laddr: "0.0.0.0", container_id: "" });
    expect(danger[0].path).toMatch(/^\//);
    expect(danger[0].pid).toBeGreaterThanOrEqual(1);
    expect(list.some((p: Row) => p.status === "unknow")).toBe(true);

    const onlyDanger = await ports({ host_id: web01, status: "danger" });
    expect(onlyDanger.json.data_list.every((p: Row) => p.status === "danger")).toBe(true);
    const unknownSpelling = await ports({ host_id: web01, status: "unknown" });
    expect(unknownSpelling.json.total_num).toBe(list.filter((p: Row) => p.status === "unknow").length);
    const udp = await ports({ host_id: web01, type: "UDP" });
    expect(udp.json.data_list.every((p: Row) => p.type === "UDP")).toBe(true);
    const ssh = await ports({ host_id: web01, port: 22 });
    expect(ssh.json.data_list).toEqual([expect.objectContaining({ port: 22, path: "/usr/sbin/sshd" })]);

    const db02 = await ports({ host_id: sim.control.server("db-02")!.id, status: "danger" });
    expect(db02.json.total_num).toBeGreaterThan(0);

    expect((await ports({})).json.error_code).toBe("HSS.0001");
    expect((await ports({ host_id: web01, limit: 5 })).status).toBe(400);
    expect((await ports({ host_id: web01, port: 70000 })).status).toBe(400);
    expect((await ports({ host_id: "no-such-host" })).json).toEqual({ total_num: 0, data_list: [] });
  });

  it("takes only the documented open-port filter values: TCP/UDP, danger/unknow (and unknown)", async () => {
    const web01 = sim.control.server("web-01")!.id;
    for (const query of <Record<string, string>[]>[
      { type: "tcp" },
      { type: "udp" },
      { type: "ICMP" },
      { status: "normal" },
      { status: "DANGER" },
    ]) {
      const res = await ports({ host_id: web01, ...query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.error_code).toBe("HSS.0001");
    }
    for (const query of <Record<string, string>[]>[
      { type: "TCP" },
      { type: "UDP" },
      { status: "danger" },
      { status: "unknow" },
      { status: "unknown" },
    ]) {
      expect((await ports({ host_id: web01, ...query })).status, JSON.stringify(query)).toBe(200);
    }
  });

  it("lists the hosts of a vulnerability scan task, with failure reasons", async () => {
    const tasks = await call(sim, "GET", `/v5/${sim.projectId}/vulnerability/scan-tasks`);
    const taskId: string = tasks.json.data_list[0].id;
    expect(sim.control.scanTasks()[0]?.id).toBe(taskId);
    const path = `/v5/${sim.projectId}/vulnerability/scan-task/${taskId}/hosts`;
    const all = await call(sim, "GET", path, { query: { limit: 200 } });
    const statuses = new Set(all.json.data_list.map((h: Row) => h.scan_status));
    expect(statuses).toEqual(new Set(["success", "failed"]));
    const failed = await call(sim, "GET", path, { query: { scan_status: "failed", limit: 200 } });
    expect(failed.json.data_list.length).toBeGreaterThan(0);
    const db02 = failed.json.data_list.find((h: Row) => h.host_name === "db-02");
    expect(db02).toMatchObject({ scan_status: "failed", host_id: sim.control.server("db-02")!.id });
    expect(db02.failed_reasons[0]).toEqual({
      vul_type: expect.any(String),
      failed_reason: expect.any(String),
    });
    const ok = await call(sim, "GET", path, { query: { scan_status: "success", limit: 200 } });
    expect(ok.json.data_list.map((h: Row) => h.host_name)).toContain("web-01");
    expect(ok.json.data_list.every((h: Row) => h.failed_reasons.length === 0)).toBe(true);
    // The doc's example sends a body with this GET; it is ignored.
    const withBody = await call(sim, "GET", path, {
      query: { scan_status: "failed" },
      body: { scan_status: "failed", task_id: taskId },
    });
    expect(withBody.json.total_num).toBe(failed.json.total_num);
    const unknown = await call(sim, "GET", `/v5/${sim.projectId}/vulnerability/scan-task/deadbeef/hosts`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error_code).toBe("HSS.0011");
  });
});
