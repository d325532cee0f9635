/**
 * The simulated host list's `agent_status` filter against hss-list-hosts.txt (Table 2): `installed` is the
 * type whose statuses are online, offline, install_failed and installing; `not_installed` the other type.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type CloudSimulator, startCloudSimulator } from "../../../src/sandbox/cloud/index.js";
import { call, type Row } from "./sim-client.js";

let sim: CloudSimulator;
beforeAll(async () => {
  sim = await startCloudSimulator();
});
afterAll(() => sim.close());

const idsWith = async (agentStatus: string): Promise<string[]> => {
  const res = await call(sim, "GET", `/v5/${sim.projectId}/host-management/hosts`, {
    query: { agent_status: agentStatus, limit: 200 },
  });
  expect(res.status).toBe(200);
  return res.json.data_list.map((h: Row) => h.host_id);
};

it("agent_status=installed covers online, offline, install_failed and installing agents, not not_installed", async () => {
  const [a, b, c, d] = sim.control.servers().filter((s) => s.status === "ACTIVE");
  sim.control.setHost(a!.id, { agentStatus: "installing" });
  sim.control.setHost(b!.id, { agentStatus: "install_failed" });
  sim.control.setHost(c!.id, { agentStatus: "offline" });
  sim.control.setHost(d!.id, { agentStatus: "not_installed" });
  const installed = await idsWith("installed");
  expect(installed).toEqual(expect.arrayContaining([a!.id, b!.id, c!.id]));
  expect(installed).not.toContain(d!.id);
  const notInstalled = await idsWith("not_installed");
  const all = await idsWith("not_online").then(async (n) => [...n, ...(await idsWith("online"))]);
  // The two types split the fleet.
  expect(new Set([...installed, ...notInstalled])).toEqual(new Set(all));
  expect(installed.filter((id) => notInstalled.includes(id))).toEqual([]);
});
