import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { admin, call, type Row } from "./sim-client.js";

describe("quotas, ECS groups, and an ECS's NICs, security groups and history", () => {
  let sim: CloudSimulator;
  const id = (name: string) => sim.control.server(name)!.id;
  const v1 = (path: string, query?: Record<string, string>) =>
    call(sim, "GET", `/v1/${sim.projectId}${path}`, query ? { query } : {});
  const nova = (path: string) => call(sim, "GET", `/v2.1/${sim.projectId}${path}`);

  beforeAll(async () => {
    sim = await startCloudSimulator({
      clock: createManualClock(),
      jobTiming: { initMs: 10, runningMs: 100 },
    });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("quotas (5.7.1): usage counted from the fleet, under the limits, following changes", async () => {
    const { absolute } = (await v1("/cloudservers/limits")).json;
    const servers = sim.control.servers();
    const flavors = new Map(sim.control.flavors().map((f) => [f.id, f]));
    expect(absolute).toMatchObject({
      totalInstancesUsed: servers.length,
      totalCoresUsed: servers.reduce((n, s) => n + flavors.get(s.flavorId)!.vcpus, 0),
      totalRAMUsed: servers.reduce((n, s) => n + flavors.get(s.flavorId)!.ramMb, 0),
      totalFloatingIpsUsed: servers.filter((s) => s.publicIp).length,
      totalServerGroupsUsed: sim.control.serverGroups().length,
      totalSecurityGroupsUsed: 4,
      maxTotalInstances: 2048,
      maxServerGroupMembers: 16,
      maxTotalKeypairs: -1,
    });
    expect(absolute.totalCoresUsed).toBeLessThan(absolute.maxTotalCores);
    await admin(sim, "PUT", "/quotas", { maxTotalInstances: servers.length + 1 });
    sim.control.addServer({ name: "extra-01" });
    const after = (await v1("/cloudservers/limits")).json.absolute;
    expect(after).toMatchObject({
      maxTotalInstances: servers.length + 1,
      totalInstancesUsed: servers.length + 1,
    });
    expect((await admin(sim, "PUT", "/quotas", { maxCoffee: 1 })).status).toBe(400);
  });

  it("ECS groups (5.10.5, 5.10.6): anti-affinity pairs of the template, paging by marker, show, unknown", async () => {
    const list = (await v1("/cloudservers/os-server-groups")).json;
    const byName = new Map((list.server_groups as Row[]).map((g) => [g.name, g]));
    expect(byName.get("SvrGrp-db")).toMatchObject({
      policies: ["anti-affinity"],
      members: [id("db-01"), id("db-02")],
      metadata: {},
    });
    expect(list.page_info).toBeUndefined();
    const first = (await v1("/cloudservers/os-server-groups", { limit: "2" })).json;
    expect(first.server_groups).toHaveLength(2);
    expect(first.page_info.next_marker).toBe(first.server_groups[1].id);
    const rest = (
      await v1("/cloudservers/os-server-groups", { limit: "2", marker: first.page_info.next_marker })
    ).json;
    expect([...first.server_groups, ...rest.server_groups].map((g: Row) => g.id)).toEqual(
      list.server_groups.map((g: Row) => g.id),
    );
    const shown = await v1(`/cloudservers/os-server-groups/${byName.get("SvrGrp-db")!.id}`);
    expect(shown.json.server_group).toEqual(byName.get("SvrGrp-db"));
    const unknown = await v1("/cloudservers/os-server-groups/5bbcc3c4-1da2-4437-a48a-66f15b1b13f9");
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("Ecs.0313");
    expect((await v1("/cloudservers/os-server-groups", { marker: "nope" })).status).toBe(400);
    // Added through the control interface.
    const added = (
      await admin(sim, "POST", "/server-groups", { name: "SvrGrp-new", members: [id("web-03")] })
    ).json;
    expect((await v1(`/cloudservers/os-server-groups/${added.id}`)).json.server_group.members).toEqual([
      id("web-03"),
    ]);
  });

  it("NICs (6.7.1): the primary NIC at Nova's and the SDK's paths; added NICs show in addresses too", async () => {
    const web01 = sim.control.server("web-01")!;
    const res = await nova(`/servers/${web01.id}/os-interface`);
    expect(res.json.interfaceAttachments).toEqual([
      {
        port_state: "ACTIVE",
        fixed_ips: [{ subnet_id: expect.any(String), ip_address: web01.privateIp }],
        net_id: expect.any(String),
        port_id: expect.any(String),
        mac_addr: expect.stringMatching(/^fa:16:3e:/),
      },
    ]);
    const nic = (await admin(sim, "POST", `/servers/${web01.id}/nics`)).json;
    const sdkPath = await v1(`/cloudservers/${web01.id}/os-interface`);
    expect(sdkPath.json.interfaceAttachments).toHaveLength(2);
    expect(sdkPath.json.interfaceAttachments[1]).toMatchObject({
      port_id: nic.portId,
      fixed_ips: [{ ip_address: nic.ip }],
    });
    expect(sdkPath.json.attachableQuantity).toEqual({ free_nic: 10 });
    const server = (
      await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${web01.id}`, {
        headers: { "X-OpenStack-Nova-API-Version": "2.26" },
      })
    ).json.server;
    expect(server.addresses[nic.networkId]).toEqual([
      { addr: nic.ip, version: 4, "OS-EXT-IPS-MAC:mac_addr": nic.mac, "OS-EXT-IPS:type": "fixed" },
    ]);
    const stopped = await nova(`/servers/${id("worker-01")}/os-interface`);
    expect(stopped.json.interfaceAttachments[0].port_state).toBe("DOWN");
  });

  it("security groups (6.5.3): the groups of the server's role with Nova-shaped rules", async () => {
    const web = (await nova(`/servers/${id("web-01")}/os-security-groups`)).json.security_groups as Row[];
    expect(web.map((g) => g.name)).toEqual(["sg-default", "sg-web"]);
    const sgWeb = web[1]!;
    expect(sgWeb).toMatchObject({ tenant_id: sim.projectId, description: expect.any(String) });
    expect(sgWeb.rules).toContainEqual({
      id: expect.any(String),
      parent_group_id: sgWeb.id,
      ip_protocol: "tcp",
      from_port: 443,
      to_port: 443,
      ip_range: { cidr: "0.0.0.0/0" },
      group: {},
    });
    const db = (await nova(`/servers/${id("db-01")}/os-security-groups`)).json.security_groups as Row[];
    expect(db.map((g) => g.name)).toEqual(["sg-default", "sg-db"]);
    expect(db[1]!.rules[0]).toMatchObject({
      ip_range: {},
      group: { name: "sg-web", tenant_id: sim.projectId },
    });
    expect(sim.control.server("db-01")!.securityGroups).toEqual(["sg-default", "sg-db"]);
    expect((await nova("/servers/00000000-0000-4000-8000-000000000000/os-security-groups")).status).toBe(404);
  });

  it("instance actions (6.13.1): creation first, jobs recorded newest first, failures marked Error", async () => {
    const web03 = id("web-03");
    const initial = (await nova(`/servers/${web03}/os-instance-actions`)).json.instanceActions as Row[];
    expect(initial.map((a) => a.action)).toEqual(["create"]);
    expect(initial[0]).toMatchObject({
      instance_uuid: web03,
      project_id: sim.projectId,
      message: null,
      start_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
    });
    const stopped = (await nova(`/servers/${id("worker-01")}/os-instance-actions`)).json
      .instanceActions as Row[];
    expect(stopped.map((a) => a.action)).toEqual(["stop", "create"]);

    sim.control.failNextJob({ serverIds: [web03] });
    await call(sim, "POST", `/v1/${sim.projectId}/cloudservers/action`, {
      body: { reboot: { type: "SOFT", servers: [{ id: web03 }] } },
    });
    const running = (await nova(`/servers/${web03}/os-instance-actions`)).json.instanceActions as Row[];
    expect(running[0]).toMatchObject({ action: "reboot", message: null });
    sim.control.advance(200);
    const done = (await nova(`/servers/${web03}/os-instance-actions`)).json.instanceActions as Row[];
    expect(done.map((a) => [a.action, a.message])).toEqual([
      ["reboot", "Error"],
      ["create", null],
    ]);
  });
});
