import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import type { CloudClient } from "../../src/cloud/types.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import { createCloudTargetLookup } from "../../src/targets/create-cloud-target-lookup.js";
import { createFleetNameIndex } from "../../src/targets/create-fleet-name-index.js";
import { resolveTargets } from "../../src/targets/resolve-targets.js";

/** The ECS-backed lookups against the simulated cloud over loopback. */
let sim: CloudSimulator;
let cloud: CloudClient;

beforeAll(async () => {
  sim = await startCloudSimulator({ edgeCases: true });
  cloud = createCloudClient({
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  });
});

afterAll(async () => {
  await cloud.close();
  await sim.close();
});

beforeEach(() => sim.control.clearRequests());

const listQueries = () =>
  sim.control
    .requests()
    .filter((r) => r.path.endsWith("/cloudservers/detail"))
    .map((r) => r.query);

describe("createCloudTargetLookup against the simulator", () => {
  it("resolves a name with one filtered query (no fleet listing)", async () => {
    const lookup = createCloudTargetLookup(cloud.ecs);
    const r = await resolveTargets([{ kind: "name", name: "web-01" }], lookup);
    expect(sim.control.requests()).toHaveLength(1);
    expect(r).toMatchObject({
      ok: true,
      servers: [{ id: sim.control.server("web-01")?.id, name: "web-01" }],
    });
    expect(listQueries()).toEqual([expect.objectContaining({ name: "web-01" })]);
  });

  it("resolves an ID with the server_id filter (one request), and reports an unknown ID as not found", async () => {
    const lookup = createCloudTargetLookup(cloud.ecs);
    const id = sim.control.server("db-02")?.id ?? "";
    const r = await resolveTargets([{ kind: "id", id }], lookup);
    expect(r).toMatchObject({ ok: true, servers: [{ name: "db-02" }] });
    expect(listQueries()).toEqual([expect.objectContaining({ server_id: id })]);
    const missing = await resolveTargets(
      [{ kind: "id", id: "00000000-0000-4000-8000-000000000000" }],
      lookup,
    );
    expect(missing).toMatchObject({ ok: false, failed: [{ kind: "not_found" }] });
  });

  it("duplicate names come back ambiguous with both servers", async () => {
    const r = await resolveTargets([{ kind: "name", name: "dup-01" }], createCloudTargetLookup(cloud.ecs));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const expected = sim.control
      .findServers("dup-01")
      .map((s) => s.id)
      .sort();
    expect(r.ambiguous[0]?.candidates.map((c) => c.id).sort()).toEqual(expected);
  });

  it("names with spaces and non-ASCII resolve exactly", async () => {
    const lookup = createCloudTargetLookup(cloud.ecs);
    const r = await resolveTargets(
      [
        { kind: "name", name: "ops box 1" },
        { kind: "name", name: "数据库-01" },
      ],
      lookup,
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.servers.map((s) => s.name)).toEqual(["ops box 1", "数据库-01"]);
  });

  it("resolves a private IP exactly, through the exact ip_eq filter", async () => {
    const web01 = sim.control.server("web-01");
    const r = await resolveTargets(
      [{ kind: "ip", ip: web01?.privateIp ?? "", version: 4 }],
      createCloudTargetLookup(cloud.ecs),
    );
    expect(r).toMatchObject({ ok: true, servers: [{ id: web01?.id }] });
    // An IP-shaped target is tried as an exact name first, then by the exact address.
    expect(listQueries()).toEqual([
      expect.objectContaining({ name: web01?.privateIp }),
      expect.objectContaining({ ip_eq: web01?.privateIp }),
    ]);
  });

  it("a tag selects through the tags filter; a tag matching nothing is an error", async () => {
    const lookup = createCloudTargetLookup(cloud.ecs);
    const r = await resolveTargets([{ kind: "tag", key: "role", value: "db" }], lookup);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.servers.map((s) => s.name)).toEqual(["db-01", "db-02"]);
    expect(listQueries()).toEqual([expect.objectContaining({ tags: "role=db" })]);
    const none = await resolveTargets([{ kind: "tag", key: "role", value: "nothing" }], lookup);
    expect(none).toMatchObject({ ok: false, failed: [{ kind: "no_match" }] });
  });

  it("an unknown name is answered from the name query; the fleet's names come from a background index", async () => {
    const index = createFleetNameIndex({ list: () => cloud.ecs.listServers({ pageSize: 1000 }) });
    const lookup = createCloudTargetLookup(cloud.ecs, { names: index });
    // Cold index: the name query alone ("web-1" is contained in web-10…), the fleet listing starts behind.
    const cold = await resolveTargets([{ kind: "name", name: "wbe-01" }], lookup);
    expect(cold).toMatchObject({ ok: false, failed: [{ kind: "not_found", suggestions: [] }] });
    expect(listQueries().filter((q) => q.name === undefined).length).toBeLessThanOrEqual(1);
    await index.refresh();
    sim.control.clearRequests();
    const warm = await resolveTargets([{ kind: "name", name: "wbe-01" }], lookup);
    expect(warm).toMatchObject({ ok: false, failed: [{ kind: "not_found" }] });
    expect(warm.ok ? [] : warm.failed[0]?.kind === "not_found" && warm.failed[0].suggestions).toContain(
      "web-01",
    );
    // The warm answer cost only the name query.
    expect(listQueries()).toEqual([expect.objectContaining({ name: "wbe-01" })]);
  });
});
