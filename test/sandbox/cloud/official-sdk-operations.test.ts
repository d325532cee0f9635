import type { EcsClient } from "@huaweicloud/huaweicloud-sdk-ecs";
import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  type ManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { OS_IMAGES } from "../../../src/sandbox/cloud/os-images.js";
import { loadOfficialSdk } from "./load-official-sdk.js";
import type { Row } from "./sim-client.js";

const { core, ecs, signer } = loadOfficialSdk();
const { BasicCredentials } = core;
const m = ecs;

const INIT = 100;
const RUNNING = 500;

/**
 * The official SDK (a test oracle, not a dependency of the bot) drives every new operation it has
 * against the simulator: its requests must be accepted and its models must read our answers. Lock,
 * unlock, console output and instance actions have no model in SDK 3.1.172; those requests are
 * signed by the SDK's own signer and sent as it would send them.
 */
describe("official SDK: tags, OS, disks, migration, quotas, NICs, security and ECS groups", () => {
  let sim: CloudSimulator;
  let clock: ManualClock;
  let client: EcsClient;
  const id = (name: string) => sim.control.server(name)!.id;
  const jobIdOf = (res: unknown) => (res as { job_id: string }).job_id;
  const jobStatus = async (jobId: string) => (await client.showJob(new m.ShowJobRequest(jobId))).status;

  /** A request the SDK has no model for, signed by the SDK's signer. */
  const sdkSigned = async (method: "GET" | "POST", path: string, data?: unknown) => {
    const endpoint = `${sim.ecsEndpoint}${path}`;
    const headers = signer.sign(
      {
        endpoint,
        method,
        headers: { "content-type": "application/json", "X-Project-Id": sim.projectId },
        ...(data === undefined ? {} : { data }),
      },
      { getAk: () => sim.ak, getSk: () => sim.sk },
    );
    const res = await request(endpoint, {
      method,
      headers,
      ...(data === undefined ? {} : { body: JSON.stringify(data) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: text ? (JSON.parse(text) as Row) : undefined };
  };

  beforeAll(async () => {
    clock = createManualClock();
    sim = await startCloudSimulator({ clock, jobTiming: { initMs: INIT, runningMs: RUNNING } });
    client = m.EcsClient.newBuilder()
      .withCredential(new BasicCredentials().withAk(sim.ak).withSk(sim.sk).withProjectId(sim.projectId))
      .withEndpoint(sim.ecsEndpoint)
      .build();
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("shows, lists, batch-adds, batch-deletes tags and lists servers by tag", async () => {
    const web01 = id("web-01");
    const shown = await client.showServerTags(new m.ShowServerTagsRequest(web01));
    expect(shown.tags?.map((t) => [t.key, t.value])).toEqual([
      ["env", "prod"],
      ["team", "platform"],
      ["role", "web"],
    ]);
    const project = await client.listServerTags(new m.ListServerTagsRequest());
    expect(project.tags?.find((t) => t.key === "env")?.values).toEqual(["dev", "prod", "staging"]);

    const created = await client.batchCreateServerTags(
      new m.BatchCreateServerTagsRequest()
        .withServerId(web01)
        .withBody(
          new m.BatchCreateServerTagsRequestBody()
            .withAction("create")
            .withTags([new m.BatchAddServerTag().withKey("owner").withValue("alice")]),
        ),
    );
    expect(created.httpStatusCode).toBe(204);
    expect(sim.control.server(web01)!.tags.owner).toBe("alice");
    await client.batchDeleteServerTags(
      new m.BatchDeleteServerTagsRequest()
        .withServerId(web01)
        .withBody(
          new m.BatchDeleteServerTagsRequestBody()
            .withAction("delete")
            .withTags([new m.ServerTag().withKey("owner").withValue("alice")]),
        ),
    );
    expect(sim.control.server(web01)!.tags.owner).toBeUndefined();

    const byTag = await client.listServersByTag(
      new m.ListServersByTagRequest().withBody(
        new m.ListServersByTagRequestBody()
          .withAction("filter")
          .withTags([new m.ServerTags().withKey("env").withValues(["staging"])])
          .withNotTags([new m.ServerTags().withKey("role").withValues(["cache"])])
          .withMatches([new m.ServerTagMatch().withKey("resource_name").withValue("web")])
          .withLimit("10")
          .withOffset("0"),
      ),
    );
    // The SDK hands back the JSON it read: snake_case fields stay as the wire has them.
    const page = byTag as unknown as { total_count: number; resources: Row[] };
    expect(page.total_count).toBe(2);
    expect(page.resources.map((r) => r.resource_name).sort()).toEqual(["web-03", "web-04"]);
    const counted = await client.listServersByTag(
      new m.ListServersByTagRequest().withBody(new m.ListServersByTagRequestBody().withAction("count")),
    );
    expect((counted as unknown as Row).total_count).toBe(sim.control.servers().length);
  });

  it("reinstalls and changes the OS with a key pair", async () => {
    const worker = id("worker-01");
    const reinstall = await client.reinstallServerWithCloudInit(
      new m.ReinstallServerWithCloudInitRequest()
        .withServerId(worker)
        .withBody(
          new m.ReinstallServerWithCloudInitRequestBody().withOsReinstall(
            new m.ReinstallServerWithCloudInitOption().withKeyname("KeyPair-ops").withUserid(sim.projectId),
          ),
        ),
    );
    expect(reinstall.httpStatusCode).toBe(200);
    clock.advance(INIT + RUNNING);
    expect(await jobStatus(jobIdOf(reinstall))).toBe("SUCCESS");

    const api02 = id("api-02");
    const change = await client.changeServerOsWithCloudInit(
      new m.ChangeServerOsWithCloudInitRequest()
        .withServerId(api02)
        .withBody(
          new m.ChangeServerOsWithCloudInitRequestBody().withOsChange(
            new m.ChangeServerOsWithCloudInitOption()
              .withKeyname("KeyPair-ops")
              .withImageid(OS_IMAGES.hce2.id),
          ),
        ),
    );
    clock.advance(INIT + RUNNING);
    expect(await jobStatus(jobIdOf(change))).toBe("SUCCESS");
    expect(sim.control.server(api02)!.imageId).toBe(OS_IMAGES.hce2.id);
    await expect(
      client.reinstallServerWithCloudInit(
        new m.ReinstallServerWithCloudInitRequest()
          .withServerId(id("web-01"))
          .withBody(
            new m.ReinstallServerWithCloudInitRequestBody().withOsReinstall(
              new m.ReinstallServerWithCloudInitOption().withKeyname("KeyPair-ops"),
            ),
          ),
      ),
    ).rejects.toMatchObject({ httpStatusCode: 400, errorCode: "Ecs.0100" });
  });

  it("attaches and detaches a disk; reads a detached disk as 400 Ecs.0111", async () => {
    const web01 = id("web-01");
    const [volume] = sim.control.volumes();
    const attach = await client.attachServerVolume(
      new m.AttachServerVolumeRequest()
        .withServerId(web01)
        .withBody(
          new m.AttachServerVolumeRequestBody().withVolumeAttachment(
            new m.AttachServerVolumeOption().withVolumeId(volume!.id).withDevice("/dev/vdc"),
          ),
        ),
    );
    clock.advance(INIT + RUNNING);
    expect(await jobStatus(jobIdOf(attach))).toBe("SUCCESS");
    const device = await client.showServerBlockDevice(
      new m.ShowServerBlockDeviceRequest().withServerId(web01).withVolumeId(volume!.id),
    );
    expect(device.volumeAttachment).toMatchObject({ device: "/dev/vdc", bootIndex: 1, size: volume!.sizeGb });
    await expect(
      client.attachServerVolume(
        new m.AttachServerVolumeRequest()
          .withServerId(web01)
          .withBody(
            new m.AttachServerVolumeRequestBody().withVolumeAttachment(
              new m.AttachServerVolumeOption().withVolumeId(volume!.id),
            ),
          ),
      ),
    ).rejects.toMatchObject({ httpStatusCode: 400, errorCode: "Ecs.0057" });

    const detach = await client.detachServerVolume(
      new m.DetachServerVolumeRequest().withServerId(web01).withVolumeId(volume!.id).withDeleteFlag("0"),
    );
    clock.advance(INIT + RUNNING);
    expect(await jobStatus(jobIdOf(detach))).toBe("SUCCESS");
    await expect(
      client.showServerBlockDevice(
        new m.ShowServerBlockDeviceRequest().withServerId(web01).withVolumeId(volume!.id),
      ),
    ).rejects.toMatchObject({ httpStatusCode: 400, errorCode: "Ecs.0111" });
  });

  it("cold-migrates a stopped server to a dedicated host", async () => {
    const worker = id("worker-01");
    const [deh] = sim.control.dedicatedHosts();
    const res = await client.migrateServer(
      new m.MigrateServerRequest()
        .withServerId(worker)
        .withBody(
          new m.MigrateServerRequestBody().withMigrate(new m.MigrateServerOption().withDedicatedHostId(deh!)),
        ),
    );
    clock.advance(INIT + RUNNING);
    expect(await jobStatus(jobIdOf(res))).toBe("SUCCESS");
    expect(sim.control.server(worker)!.dedicatedHostId).toBe(deh);
  });

  it("reads quotas, NICs, security groups and ECS groups through the SDK's models", async () => {
    const limits = await client.showServerLimits(new m.ShowServerLimitsRequest());
    expect(limits.absolute).toMatchObject({
      totalInstancesUsed: 12,
      maxTotalInstances: 2048,
      maxServerGroups: 10,
    });

    const web01 = sim.control.server("web-01")!;
    const nics = await client.listServerInterfaces(
      new m.ListServerInterfacesRequest().withServerId(web01.id),
    );
    const nic = nics.interfaceAttachments?.[0] as unknown as Row;
    expect(nic.port_state ?? nic.portState).toBe("ACTIVE");
    expect(JSON.stringify(nics.interfaceAttachments)).toContain(web01.privateIp);

    const groups = await client.novaListServerSecurityGroups(
      new m.NovaListServerSecurityGroupsRequest().withServerId(web01.id),
    );
    expect((groups as unknown as { security_groups: Row[] }).security_groups.map((g) => g.name)).toEqual([
      "sg-default",
      "sg-web",
    ]);

    const listed = await client.listServerGroups(new m.ListServerGroupsRequest().withLimit(2));
    const serverGroups = listed as unknown as { server_groups: Row[]; page_info: { next_marker: string } };
    expect(serverGroups.server_groups).toHaveLength(2);
    expect(serverGroups.page_info.next_marker).toBe(serverGroups.server_groups[1]!.id);
    const group = serverGroups.server_groups[0]!;
    const shown = await client.showServerGroup(new m.ShowServerGroupRequest().withServerGroupId(group.id));
    expect((shown as unknown as { server_group: Row }).server_group).toMatchObject({
      id: group.id,
      name: group.name,
      policies: ["anti-affinity"],
    });
  });

  it("lock, unlock, console output and instance actions, signed by the SDK's signer", async () => {
    const web01 = id("web-01");
    const action = `/v2.1/${sim.projectId}/servers/${web01}/action`;
    expect((await sdkSigned("POST", action, { lock: null })).status).toBe(202);
    const detail = await client.novaShowServer(
      new m.NovaShowServerRequest().withServerId(web01).withOpenStackAPIVersion("2.26"),
    );
    expect(detail.server?.locked).toBe(true);
    expect((await sdkSigned("POST", action, { unlock: null })).status).toBe(202);
    const console = await sdkSigned("POST", action, { "os-getConsoleOutput": { length: "2" } });
    expect(console.status).toBe(200);
    expect((console.json!.output as string).split("\n")).toHaveLength(2);
    const history = await sdkSigned("GET", `/v2.1/${sim.projectId}/servers/${web01}/os-instance-actions`);
    expect((history.json!.instanceActions as Row[]).map((a) => a.action)).toEqual([
      "unlock",
      "lock",
      "create",
    ]);
  });
});
