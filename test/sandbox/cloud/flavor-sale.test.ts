/**
 * Flavor sale status over loopback (API reference 5.4.1, Tables 5-37 and 5-41): every flavor carries
 * `cond:operation:status`, the AZs where it differs `cond:operation:az`; the AZ query lists only the flavors
 * that AZ sells; the real resize (never its dry run) refuses a flavor sold out or abandoned in the server's
 * AZ. The official SDK reads the same fields from its `ListFlavors` model.
 */
import type { EcsClient } from "@huaweicloud/huaweicloud-sdk-ecs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCloudClient } from "../../../src/cloud/create-cloud-client.js";
import { flavorStatusIn } from "../../../src/cloud/read-flavor-sale.js";
import type { CloudClient } from "../../../src/cloud/types.js";
import {
  type CloudSimulator,
  createManualClock,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { loadOfficialSdk } from "./load-official-sdk.js";
import { call, type Row } from "./sim-client.js";

const { core, ecs: m } = loadOfficialSdk();

describe("flavor sale status (5.4.1)", () => {
  let sim: CloudSimulator;
  let sdk: EcsClient;
  let cloud: CloudClient;
  const id = (name: string): string => sim.control.server(name)!.id;
  const flavors = async (query?: Record<string, string>) => {
    const res = await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/flavors`, query ? { query } : {});
    expect(res.status).toBe(200);
    return res.json.flavors as Row[];
  };
  const resize = (serverId: string, body: unknown) =>
    call(sim, "POST", `/v1/${sim.projectId}/cloudservers/${serverId}/resize`, { body });

  beforeAll(async () => {
    sim = await startCloudSimulator({ clock: createManualClock() });
    sdk = m.EcsClient.newBuilder()
      .withCredential(new core.BasicCredentials().withAk(sim.ak).withSk(sim.sk).withProjectId(sim.projectId))
      .withEndpoint(sim.ecsEndpoint)
      .build();
    cloud = createCloudClient({
      ...simulatorCloudConfig(sim),
      connectTimeoutMs: 2_000,
      requestTimeoutMs: 10_000,
    });
  });
  beforeEach(() => sim.control.reset());
  afterAll(async () => {
    await cloud.close();
    await sim.close();
  });

  it("every flavor says its region-wide status; those differing in an AZ say it as the doc's example", async () => {
    const all = await flavors();
    const specs: Record<string, Row> = Object.fromEntries(all.map((f) => [f.id, f.os_extra_specs]));
    expect(all).toHaveLength(sim.control.flavors().length);
    for (const s of Object.values(specs)) expect(s["cond:operation:status"]).toMatch(/^(normal|abandon)$/);
    expect(specs["s6.small.1"]).toMatchObject({
      "cond:operation:status": "abandon",
      "cond:operation:az": "cn-north-4a(normal)",
    });
    expect(specs["m6.2xlarge.8"]).toMatchObject({
      "cond:operation:status": "normal",
      "cond:operation:az": "cn-north-4b(sellout)",
    });
    expect(specs["c7.2xlarge.4"]!["cond:operation:az"]).toBe("cn-north-4c(obt)");
    // The flavors the tests resize to are on sale where they are used.
    for (const id of ["s6.large.2", "s6.medium.2", "c7.large.2", "c7.xlarge.2"])
      expect(specs[id]!["cond:operation:az"]).toBeUndefined();
    // A server's flavor carries the same extra specs (Nova's server view).
    const nova = await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${id("db-02")}`, {
      headers: { "X-OpenStack-Nova-API-Version": "2.47" },
    });
    expect(nova.json.server.flavor.extra_specs["cond:operation:az"]).toBe("cn-north-4b(sellout)");
  });

  it("the AZ query lists only the flavors the AZ sells (normal, obt, promotion)", async () => {
    const ids = async (az: string) => (await flavors({ availability_zone: az })).map((f) => f.id as string);
    const all = (await flavors()).map((f) => f.id as string);
    expect(await ids("cn-north-4a")).toEqual(all);
    expect(await ids("cn-north-4b")).toEqual(all.filter((f) => !["s6.small.1", "m6.2xlarge.8"].includes(f)));
    // c7.2xlarge.4 is in open beta in cn-north-4c: listed.
    expect(await ids("cn-north-4c")).toEqual(all.filter((f) => !["s6.small.1", "s6.xlarge.2"].includes(f)));
    expect(await ids("cn-north-4z")).toEqual([]);
  });

  it("the bot's client reads them: status per AZ, the region-wide one elsewhere", async () => {
    const listed = new Map((await cloud.ecs.listFlavors()).map((f) => [f.id, f]));
    const small = listed.get("s6.small.1")!;
    expect(small.statusByAz).toEqual({ "cn-north-4a": "normal" });
    expect(flavorStatusIn(small, "cn-north-4a").sale).toBe("on_sale");
    expect(flavorStatusIn(small, "cn-north-4b").sale).toBe("abandoned");
    expect(flavorStatusIn(listed.get("m6.2xlarge.8")!, "cn-north-4b").sale).toBe("sold_out");
    expect(flavorStatusIn(listed.get("m6.large.8")!, "cn-north-4a")).toMatchObject({ status: "promotion" });
    expect(listed.get("s6.large.2")!.statusByAz).toBeUndefined();
  });

  it("the official SDK's ListFlavors reads the same fields, and its AZ query the same subset", async () => {
    const res = await sdk.listFlavors(new m.ListFlavorsRequest());
    expect(res.httpStatusCode).toBe(200);
    // The SDK hands back the JSON it read; its models name the keys it expects there.
    const small = res.flavors!.find((f) => f.id === "s6.small.1") as unknown as Row;
    const model = new m.FlavorExtraSpec()
      .withCondOperationStatus("abandon")
      .withCondOperationAz("cn-north-4a(normal)");
    expect(Object.keys(new m.Flavor().withOsExtraSpecs(model))).toContain("os_extra_specs");
    expect(small.os_extra_specs).toMatchObject({ ...model });
    const inB = await sdk.listFlavors(new m.ListFlavorsRequest().withAvailabilityZone("cn-north-4b"));
    expect(inB.flavors!.map((f) => f.id)).not.toContain("m6.2xlarge.8");
    expect(inB.flavors!.map((f) => f.id)).toContain("c7.2xlarge.4");
  });

  it("the real resize refuses a flavor sold out (Ecs.0319) or abandoned (Ecs.0029) in the ECS's AZ; its dry run does not", async () => {
    // worker-01 is stopped in cn-north-4c, where s6.xlarge.2 is sold out.
    const worker = id("worker-01");
    expect((await resize(worker, { resize: { flavorRef: "s6.xlarge.2" }, dry_run: true })).status).toBe(202);
    const soldOut = await resize(worker, { resize: { flavorRef: "s6.xlarge.2" } });
    expect(soldOut.status).toBe(400);
    expect(soldOut.json.error).toMatchObject({
      code: "Ecs.0319",
      message: expect.stringContaining("Insufficient"),
    });
    // web-04 (cn-north-4c) stopped: s6.small.1 is sold only in cn-north-4a.
    sim.control.setServer(id("web-04"), { status: "SHUTOFF" });
    const abandoned = await resize(id("web-04"), { resize: { flavorRef: "s6.small.1" } });
    expect(abandoned.status).toBe(400);
    expect(abandoned.json.error.code).toBe("Ecs.0029");
    // In cn-north-4a (api-02) both are on sale: accepted.
    expect((await resize(id("api-02"), { resize: { flavorRef: "s6.small.1" } })).status).toBe(200);
    expect(sim.control.jobs()).toHaveLength(1);
  });
});
