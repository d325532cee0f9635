import type { EcsClient } from "@huaweicloud/huaweicloud-sdk-ecs";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCloudClient } from "../../../src/cloud/create-cloud-client.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { loadOfficialSdk } from "./load-official-sdk.js";

const { core, ecs, signer } = loadOfficialSdk();
const { BasicCredentials } = core;
const {
  BatchStopServersOption,
  BatchStopServersRequest,
  BatchStopServersRequestBody,
  EcsClient: Ecs,
  ListServersDetailsRequest,
  NovaListServersDetailsRequest,
  ServerId,
  ShowJobRequest,
  ShowServerRequest,
} = ecs;

/**
 * The official Huawei Cloud SDK, pointed at the simulator: its requests (signed with its own
 * AK/SK signer) are accepted, and its models read our responses.
 */
describe("official @huaweicloud/huaweicloud-sdk-ecs against the simulator", () => {
  let sim: CloudSimulator;
  let client: EcsClient;

  beforeAll(async () => {
    sim = await startCloudSimulator({ jobTiming: { initMs: 20, runningMs: 120 } });
    client = Ecs.newBuilder()
      .withCredential(new BasicCredentials().withAk(sim.ak).withSk(sim.sk).withProjectId(sim.projectId))
      .withEndpoint(sim.ecsEndpoint)
      .build();
  });
  afterAll(() => sim.close());

  it("lists servers (Nova and native APIs), batch-stops two and polls the job to SUCCESS", async () => {
    const nova = await client.novaListServersDetails(new NovaListServersDetailsRequest().withLimit(100));
    const names = (nova.servers ?? []).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["web-01", "web-02", "db-01", "db-02"]));
    expect(nova.servers?.length).toBe(12);

    const v1 = await client.listServersDetails(new ListServersDetailsRequest().withLimit(5).withOffset(1));
    expect(v1.count).toBe(12);
    expect(v1.servers).toHaveLength(5);

    const byName = new Map((nova.servers ?? []).map((s) => [s.name, s.id!]));
    const targets = [byName.get("web-01")!, byName.get("web-02")!];
    const stop = await client.batchStopServers(
      new BatchStopServersRequest().withBody(
        new BatchStopServersRequestBody().withOsStop(
          new BatchStopServersOption().withServers(targets.map((id) => new ServerId(id))).withType("SOFT"),
        ),
      ),
    );
    const jobId = (stop as unknown as { job_id: string }).job_id;
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(stop.httpStatusCode).toBe(200);

    let job = await client.showJob(new ShowJobRequest(jobId));
    const seen = new Set<string>([String(job.status)]);
    for (let i = 0; i < 1000 && job.status !== "SUCCESS" && job.status !== "FAIL"; i++) {
      await new Promise((r) => setTimeout(r, 10));
      job = await client.showJob(new ShowJobRequest(jobId));
      seen.add(String(job.status));
    }
    expect(job.status).toBe("SUCCESS");
    expect(seen.has("INIT") || seen.has("RUNNING")).toBe(true);
    const entities = job.entities as unknown as {
      sub_jobs_total: number;
      sub_jobs: { entities: { server_id: string } }[];
    };
    expect(entities.sub_jobs_total).toBe(2);
    expect(entities.sub_jobs.map((s) => s.entities.server_id).sort()).toEqual([...targets].sort());

    const shown = await client.showServer(new ShowServerRequest(targets[0]));
    expect(shown.server?.status).toBe("SHUTOFF");
    expect(sim.control.server("web-02")?.status).toBe("SHUTOFF");
  });

  it("lists the changes since a moment as our client does (Nova's changes-since, 6.2.5), and counts the fleet alike", async () => {
    const ours = createCloudClient(simulatorCloudConfig(sim));
    try {
      const from = new Date(Date.now() - 1_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      sim.control.setServer(sim.control.server("db-01")!.id, { status: "SHUTOFF" });
      const sdk = await client.novaListServersDetails(
        new NovaListServersDetailsRequest().withChangesSince(from).withLimit(1000),
      );
      const changes = await ours.ecs.listServerChanges(from);
      const ids = (servers: readonly { id?: string }[]) => servers.map((s) => s.id).sort();
      expect(ids(changes.changed)).toEqual(ids(sdk.servers ?? []));
      expect(changes.changed.map((s) => s.name)).toContain("db-01");
      const v1 = await client.listServersDetails(new ListServersDetailsRequest().withLimit(1));
      expect(changes.count).toBe(v1.count);
    } finally {
      await ours.close();
    }
  });

  it("surfaces simulator errors as the SDK's typed exceptions", async () => {
    // Common.0011 comes with `code`/`message` at the top level (Table 5-63, and the SDK's own
    // ShowJobResponse model has them there), which the SDK's generic error parser does not read.
    await expect(
      client.showJob(new ShowJobRequest("ff80808200000000000000000000dead")),
    ).rejects.toMatchObject({ httpStatusCode: 400 });
    const wrongKey = Ecs.newBuilder()
      .withCredential(
        new BasicCredentials().withAk(sim.ak).withSk("not-the-secret").withProjectId(sim.projectId),
      )
      .withEndpoint(sim.ecsEndpoint)
      .build();
    await expect(wrongKey.novaListServersDetails(new NovaListServersDetailsRequest())).rejects.toMatchObject({
      httpStatusCode: 401,
      errorCode: "APIG.0301",
    });
  });

  it("accepts the SDK signer's UNSIGNED-PAYLOAD mode (used for non-JSON bodies)", async () => {
    const path = `/v5/${sim.projectId}/host-management/hosts`;
    const signed = signer.sign(
      {
        endpoint: `${sim.hssEndpoint}${path}`,
        method: "GET",
        headers: { "content-type": "text/plain", "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD" },
        queryParams: { limit: "10", host_name: "web 0" },
      },
      { getAk: () => sim.ak, getSk: () => sim.sk },
    );
    const res = await request(`${sim.hssEndpoint}${path}?limit=10&host_name=web%200`, {
      method: "GET",
      headers: signed,
      body: "anything at all",
    });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { total_num: number }).total_num).toBe(0);
  });
});
