import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudSimulator, startCloudSimulator } from "../../../src/sandbox/cloud/index.js";
import { call, type Row } from "./sim-client.js";

describe("attached disks: boot index and delete_on_termination where the docs define them", () => {
  let sim: CloudSimulator;
  beforeAll(async () => {
    sim = await startCloudSimulator();
    sim.control.addServer({ name: "data-01", dataDisksGb: [100, 200] });
  });
  afterAll(() => sim.close());

  const disksOf = (name: string) => sim.control.server(name)!.disks;

  it("control view: the system disk has boot index 0 and goes with the server, data disks stay", () => {
    expect(disksOf("data-01")).toEqual([
      { id: expect.any(String), device: "/dev/vda", sizeGb: 40, bootIndex: 0, deleteOnTermination: true },
      { id: expect.any(String), device: "/dev/vdb", sizeGb: 100, bootIndex: 1, deleteOnTermination: false },
      { id: expect.any(String), device: "/dev/vdc", sizeGb: 200, bootIndex: 2, deleteOnTermination: false },
    ]);
  });

  it("block_device (doc Table 5-55): integer bootIndex, 0 = system disk", async () => {
    const s = sim.control.server("data-01")!;
    const res = await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/${s.id}/block_device`);
    expect(res.status).toBe(200);
    expect(res.json.volumeAttachments.map((v: Row) => [v.volumeId, v.bootIndex, v.size])).toEqual(
      s.disks.map((d) => [d.id, d.bootIndex, d.sizeGb]),
    );
  });

  it("Nova servers (doc Table 6-42): boolean delete_on_termination from microversion 2.3, bare IDs before", async () => {
    const s = sim.control.server("data-01")!;
    const path = `/v2.1/${sim.projectId}/servers/${s.id}`;
    const mv26 = await call(sim, "GET", path, { headers: { "X-OpenStack-Nova-API-Version": "2.26" } });
    expect(mv26.json.server["os-extended-volumes:volumes_attached"]).toEqual(
      s.disks.map((d) => ({ id: d.id, delete_on_termination: d.deleteOnTermination })),
    );
    const mv1 = await call(sim, "GET", path);
    expect(mv1.json.server["os-extended-volumes:volumes_attached"]).toEqual(
      s.disks.map((d) => ({ id: d.id })),
    );
  });

  it("native v1 server (doc Table 8-16): bootIndex and delete_on_termination as strings", async () => {
    const s = sim.control.server("data-01")!;
    const res = await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/${s.id}`);
    expect(res.json.server["os-extended-volumes:volumes_attached"]).toEqual(
      s.disks.map((d) => ({
        id: d.id,
        device: d.device,
        bootIndex: String(d.bootIndex),
        delete_on_termination: String(d.deleteOnTermination),
      })),
    );
  });
});
