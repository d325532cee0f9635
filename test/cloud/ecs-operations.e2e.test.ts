import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import { CloudError, OutcomeUnknownError } from "../../src/cloud/errors.js";
import { findSystemDisk } from "../../src/cloud/find-system-disk.js";
import type { ReinstallOsOptions } from "../../src/cloud/index.js";
import { waitForJob } from "../../src/cloud/wait-for-job.js";
import { OS_IMAGES } from "../../src/sandbox/cloud/os-images.js";
import { scriptedCloudConfig, startScriptedServer } from "./helpers/start-scripted-server.js";
import { type SimClient, startSimClient } from "./helpers/start-sim-client.js";

let env: SimClient;
beforeAll(async () => {
  env = await startSimClient({ sim: { jobTiming: { initMs: 200, runningMs: 1_000 } } });
});
afterAll(async () => {
  await env.close();
});
beforeEach(() => {
  env.sim.control.reset();
});

const server = (name: string) => {
  const s = env.sim.control.server(name);
  if (!s) throw new Error(`no server ${name}`);
  return s;
};
const done = async (jobId: string) =>
  (await waitForJob({ ecs: env.client.ecs, jobId, ...env.clock })).outcome;
const requestsTo = (suffix: string) => env.sim.control.requests().filter((r) => r.path.endsWith(suffix));

describe("ECS tags against the simulated cloud", () => {
  it("reads project tags, adds, overwrites and deletes a server's tags", async () => {
    const web01 = server("web-01");
    const project = await env.client.ecs.listProjectTags();
    expect(project.find((t) => t.key === "env")?.values).toEqual(["dev", "prod", "staging"]);

    await env.client.ecs.addServerTags(web01.id, [
      { key: "owner", value: "alice" },
      { key: "env", value: "staging" },
    ]);
    const tags = await env.client.ecs.listServerTags(web01.id);
    expect(tags).toEqual(
      expect.arrayContaining([
        { key: "owner", value: "alice" },
        { key: "env", value: "staging" },
      ]),
    );
    await env.client.ecs.deleteServerTags(web01.id, [
      { key: "owner" },
      { key: "team", value: "someone-else" },
    ]);
    expect(env.sim.control.server(web01.id)!.tags).toEqual({ env: "staging", team: "platform", role: "web" });
    // Nova's 1D view of the same tags (servers/detail, microversion 2.26).
    expect((await env.client.ecs.getServer(web01.id)).tags).toContain("env=staging");
    expect(requestsTo("/tags/action").every((r) => r.method === "POST" && r.status === 204)).toBe(true);
  });

  it("surfaces the service's tag refusals as CloudError with the documented code", async () => {
    const web01 = server("web-01");
    const many = Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    await expect(env.client.ecs.addServerTags(web01.id, many)).rejects.toMatchObject({
      name: "CloudError",
      status: 400,
      code: "Ecs.0905",
    });
    await expect(
      env.client.ecs.addServerTags(web01.id, [{ key: "no spaces", value: "x" }]),
    ).rejects.toMatchObject({
      code: "Ecs.0906",
    });
    await expect(env.client.ecs.addServerTags(web01.id, [])).rejects.toThrow(RangeError);
    expect(requestsTo("/tags/action")).toHaveLength(2);
  });

  it("queries servers by tag: pages with the total count, counts, excludes and matches names", async () => {
    const staging = env.sim.control.servers().filter((s) => s.tags.env === "staging");
    const query = { tags: [{ key: "env", values: ["staging"] }] };
    const first = await env.client.ecs.findServersByTag(query, { limit: 2 });
    expect(first.totalCount).toBe(staging.length);
    expect(first.servers.map((s) => s.id)).toEqual(staging.slice(0, 2).map((s) => s.id));
    const second = await env.client.ecs.findServersByTag(query, { limit: 2, offset: 2 });
    expect(second.servers.map((s) => s.id)).toEqual(staging.slice(2, 4).map((s) => s.id));
    expect(await env.client.ecs.countServersByTag(query)).toBe(staging.length);
    const notPlatform = await env.client.ecs.findServersByTag({
      ...query,
      notTags: [{ key: "team", values: ["platform"] }],
    });
    expect(
      notPlatform.servers.every((s) => s.tags.some((t) => t.key === "team" && t.value !== "platform")),
    ).toBe(true);
    const named = await env.client.ecs.findServersByTag({ name: "db-0" });
    expect(named.servers.map((s) => s.name).sort()).toEqual(["db-01", "db-02"]);
    expect(named.servers[0]!.tags.length).toBeGreaterThan(0);
  });
});

describe("ECS server operations against the simulated cloud", () => {
  it("locks and unlocks; the server model shows `locked`; a locked server refuses a reinstall", async () => {
    const worker = server("worker-01");
    await env.client.ecs.lockServer(worker.id);
    expect((await env.client.ecs.getServer(worker.id)).locked).toBe(true);
    expect(
      (await env.client.ecs.listServers({ name: "worker-01" })).find((s) => s.id === worker.id)?.locked,
    ).toBe(true);
    const refused = await env.client.ecs
      .reinstallServer(worker.id, { keyName: "KeyPair-ops" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CloudError);
    expect(refused).toMatchObject({ status: 400, code: "Ecs.0605", retryable: false });
    await env.client.ecs.unlockServer(worker.id);
    expect((await env.client.ecs.getServer(worker.id)).locked).toBe(false);
    const history = await env.client.ecs.listServerActions(worker.id);
    expect(history.slice(0, 2).map((a) => a.action)).toEqual(["unlock", "lock"]);
    expect(history.at(-1)).toMatchObject({ action: "create", requestId: expect.stringMatching(/^req-/) });
  });

  it("reads the last console lines (microversion 2.1, a read that may be retried)", async () => {
    const web01 = server("web-01");
    const lines = await env.client.ecs.getConsoleOutput(web01.id, 4);
    expect(lines).toHaveLength(4);
    expect(lines.at(-1)).toBe("web-01 login: ");
    const all = await env.client.ecs.getConsoleOutput(web01.id, -1);
    expect(all.slice(-4)).toEqual(lines);
    expect(await env.client.ecs.getConsoleOutput(web01.id, 0)).toEqual([]);
    await expect(env.client.ecs.getConsoleOutput(web01.id, 1.5)).rejects.toThrow(RangeError);
    env.sim.control.failNextRequests({ status: 503, count: 1, match: "/action" });
    expect(await env.client.ecs.getConsoleOutput(web01.id, 4)).toEqual(lines);
  });

  it("reinstalls and changes the OS with a key pair, following the jobs", async () => {
    const worker = server("worker-01");
    const oldSystem = worker.disks.find((d) => d.bootIndex === 0)!.id;
    const jobId = await env.client.ecs.reinstallServer(worker.id, {
      keyName: "KeyPair-deploy",
      userData: "#!/bin/sh\necho hi",
    });
    expect(await done(jobId)).toBe("SUCCESS");
    expect(env.sim.control.server(worker.id)).toMatchObject({ status: "ACTIVE", keyName: "KeyPair-deploy" });
    const disks = await env.client.ecs.listVolumeAttachments(worker.id);
    expect(findSystemDisk(disks)?.volumeId).not.toBe(oldSystem);

    const api02 = server("api-02");
    const change = await env.client.ecs.changeServerOs(api02.id, {
      keyName: "KeyPair-ops",
      imageId: OS_IMAGES.ubuntu22.id,
    });
    expect(await done(change)).toBe("SUCCESS");
    expect(env.sim.control.server(api02.id)!.imageId).toBe(OS_IMAGES.ubuntu22.id);
    await expect(
      env.client.ecs.changeServerOs(api02.id, { keyName: "KeyPair-ops", imageId: "no-such-image" }),
    ).rejects.toMatchObject({ code: "Ecs.0031" });
    await expect(env.client.ecs.reinstallServer(api02.id, { keyName: "" })).rejects.toThrow(RangeError);
  });

  it("attaches and detaches disks; the system disk is told by its boot index", async () => {
    const web01 = server("web-01");
    const [volume] = env.sim.control.volumes();
    expect(await env.client.ecs.attachVolume(web01.id, volume!.id, { dryRun: true })).toEqual({
      dryRun: true,
    });
    expect(env.sim.control.jobs()).toHaveLength(0);
    const attach = await env.client.ecs.attachVolume(web01.id, volume!.id);
    expect(attach.dryRun).toBe(false);
    expect(await done(attach.dryRun ? "" : attach.jobId)).toBe("SUCCESS");
    await expect(env.client.ecs.attachVolume(web01.id, volume!.id)).rejects.toMatchObject({
      code: "Ecs.0057",
    });

    const disks = await env.client.ecs.listVolumeAttachments(web01.id);
    const system = findSystemDisk(disks)!;
    expect(system.volumeId).toBe(web01.disks[0]!.id);
    expect(disks.find((d) => d.volumeId === volume!.id)).toMatchObject({ bootIndex: 1, device: "/dev/vdb" });
    // Detaching the system disk of a running server is refused by the service, too.
    await expect(env.client.ecs.detachVolume(web01.id, system.volumeId)).rejects.toMatchObject({
      code: "Ecs.0100",
    });
    const detach = await env.client.ecs.detachVolume(web01.id, volume!.id, { force: true });
    expect(await done(detach)).toBe("SUCCESS");
    expect(requestsTo(`/detachvolume/${volume!.id}`).map((r) => r.query.delete_flag)).toEqual(["1"]);
    await expect(env.client.ecs.detachVolume(web01.id, volume!.id)).rejects.toMatchObject({
      status: 400,
      code: "Ecs.0111",
    });
    // Control-side detach of the system disk shows as "no system disk" in the block devices.
    const worker = server("worker-01");
    env.sim.control.detachDisk(worker.id, worker.disks[0]!.id);
    expect(findSystemDisk(await env.client.ecs.listVolumeAttachments(worker.id))).toBeUndefined();
  });

  it("cold-migrates a stopped server to a dedicated host and back", async () => {
    const worker = server("worker-01");
    const [deh] = env.sim.control.dedicatedHosts();
    expect(await done(await env.client.ecs.migrateServer(worker.id, { dedicatedHostId: deh }))).toBe(
      "SUCCESS",
    );
    expect(env.sim.control.server(worker.id)!.dedicatedHostId).toBe(deh);
    expect(await done(await env.client.ecs.migrateServer(worker.id))).toBe("SUCCESS");
    expect(env.sim.control.server(worker.id)!.dedicatedHostId).toBeNull();
    await expect(
      env.client.ecs.migrateServer(server("web-01").id, { dedicatedHostId: deh }),
    ).rejects.toMatchObject({
      code: "Ecs.0100",
    });
  });

  it("reads quotas, NICs, security groups, ECS groups and history", async () => {
    const quotas = await env.client.ecs.getQuotas();
    expect(quotas).toMatchObject({ totalInstancesUsed: 12, maxTotalInstances: 2048, maxTotalKeypairs: -1 });
    const web01 = server("web-01");
    const nics = await env.client.ecs.listServerNics(web01.id);
    expect(nics).toEqual([
      expect.objectContaining({
        portState: "ACTIVE",
        fixedIps: [expect.objectContaining({ ipAddress: web01.privateIp })],
      }),
    ]);
    const groups = await env.client.ecs.listServerSecurityGroups(web01.id);
    expect(groups.map((g) => g.name)).toEqual(["sg-default", "sg-web"]);
    expect(groups[1]!.rules).toContainEqual(
      expect.objectContaining({ ipProtocol: "tcp", fromPort: 80, toPort: 80, cidr: "0.0.0.0/0" }),
    );
    expect(groups[0]!.rules).toContainEqual(expect.objectContaining({ remoteGroup: "sg-default" }));
    const serverGroups = await env.client.ecs.listServerGroups();
    const db = serverGroups.find((g) => g.name === "SvrGrp-db")!;
    expect(db).toMatchObject({
      policies: ["anti-affinity"],
      members: [server("db-01").id, server("db-02").id],
    });
    expect(await env.client.ecs.getServerGroup(db.id)).toEqual(db);
    const missing = await env.client.ecs
      .getServerGroup("5bbcc3c4-1da2-4437-a48a-66f15b1b13f9")
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ isNotFound: true, code: "Ecs.0313" });
    const history = await env.client.ecs.listServerActions(server("worker-01").id);
    expect(history.map((a) => a.action)).toEqual(["stop", "create"]);
  });

  it("follows ECS group pages by marker until the last page", async () => {
    for (let i = 0; i < 3; i++) env.sim.control.addServerGroup({ name: `extra-${i}` });
    const all = await env.client.ecs.listServerGroups();
    expect(all.map((g) => g.name)).toEqual(env.sim.control.serverGroups().map((g) => g.name));
  });

  it("never resends a mutation whose outcome is unknown", async () => {
    const worker = server("worker-01");
    env.sim.control.setFaults({ dropAfterCommit: { count: 1, match: "/reinstallos" } });
    const err = await env.client.ecs
      .reinstallServer(worker.id, { keyName: "KeyPair-ops" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutcomeUnknownError);
    expect(err).toMatchObject({ operation: "ecs.reinstallServer", identity: { serverIds: [worker.id] } });
    expect(requestsTo("/reinstallos")).toHaveLength(1);
    expect(env.sim.control.jobs().filter((j) => j.kind === "reinstall")).toHaveLength(1);

    env.sim.control.setFaults({ dropAfterCommit: { count: 1, match: "/action" } });
    await expect(env.client.ecs.lockServer(server("web-02").id)).rejects.toBeInstanceOf(OutcomeUnknownError);
    expect(requestsTo("/action").filter((r) => r.method === "POST")).toHaveLength(1);
    expect(env.sim.control.server("web-02")!.locked).toBe(true);
  });
});

describe("reinstall and change OS send a key pair and never a password", () => {
  it("builds the body field by field", async () => {
    const bodies: unknown[] = [];
    const scripted = await startScriptedServer((req) => {
      bodies.push(JSON.parse(req.body.toString("utf8")));
      return { status: 200, body: { job_id: "ff80808288d41e1b018990260955686a" } };
    });
    const client = createCloudClient(scriptedCloudConfig(scripted.url));
    try {
      const sneaky = {
        keyName: "KeyPair-ops",
        adminpass: "P@ssw0rd!",
        adminPass: "P@ssw0rd!",
      } as ReinstallOsOptions;
      await client.ecs.reinstallServer("s1", sneaky);
      await client.ecs.changeServerOs("s1", { ...sneaky, imageId: "img-1", userData: "hello" });
      expect(bodies).toEqual([
        { "os-reinstall": { keyname: "KeyPair-ops" } },
        { "os-change": { keyname: "KeyPair-ops", imageid: "img-1", metadata: { user_data: "aGVsbG8=" } } },
      ]);
      expect(JSON.stringify(bodies)).not.toContain("P@ssw0rd");
    } finally {
      await client.close();
      await scripted.close();
    }
  });
});
