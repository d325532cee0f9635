import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  type ManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { OS_IMAGES } from "../../../src/sandbox/cloud/os-images.js";
import { admin, call, type Row } from "./sim-client.js";

const INIT = 100;
const RUNNING = 1_000;

describe("actions on one ECS: lock, console, OS, disks, migration", () => {
  let sim: CloudSimulator;
  let clock: ManualClock;
  const id = (name: string) => sim.control.server(name)!.id;
  const v1 = (method: string, path: string, body?: unknown, query?: Record<string, string>) =>
    call(sim, method, `/v1/${sim.projectId}${path}`, {
      ...(body === undefined ? {} : { body }),
      ...(query ? { query } : {}),
    });
  const v2 = (path: string, body: unknown) => call(sim, "POST", `/v2/${sim.projectId}${path}`, { body });
  const action = (serverId: string, body: unknown, headers?: Record<string, string>) =>
    call(sim, "POST", `/v2.1/${sim.projectId}/servers/${serverId}/action`, {
      body,
      ...(headers ? { headers } : {}),
    });
  const job = async (jobId: string) => (await v1("GET", `/jobs/${jobId}`)).json;
  const nova = async (serverId: string) =>
    (
      await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${serverId}`, {
        headers: { "X-OpenStack-Nova-API-Version": "2.26" },
      })
    ).json.server;
  const finish = () => clock.advance(INIT + RUNNING);

  beforeAll(async () => {
    clock = createManualClock();
    sim = await startCloudSimulator({ clock, jobTiming: { initMs: INIT, runningMs: RUNNING } });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  describe("lock / unlock (6.3.4, 6.3.5)", () => {
    it("locks: 202 without a body, `locked` true from microversion 2.9, idempotent, recorded", async () => {
      const web01 = id("web-01");
      const res = await action(web01, { lock: null });
      expect(res.status).toBe(202);
      expect(res.json).toBeUndefined();
      expect((await nova(web01)).locked).toBe(true);
      expect((await v1("GET", `/cloudservers/${web01}`)).json.server.locked).toBe(true);
      // Not shown before microversion 2.9.
      expect(
        (await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${web01}`)).json.server.locked,
      ).toBeUndefined();
      expect((await action(web01, { lock: null })).status).toBe(202);
      expect(sim.control.server(web01)!.locked).toBe(true);
      expect((await action(web01, { unlock: null })).status).toBe(202);
      expect((await nova(web01)).locked).toBe(false);
      const actions = (await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${web01}/os-instance-actions`))
        .json.instanceActions as Row[];
      expect(actions.slice(0, 3).map((a) => a.action)).toEqual(["unlock", "lock", "lock"]);
      expect(actions[0]!.request_id).toMatch(
        /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    });

    it("a locked ECS refuses management operations with Ecs.0605 and allows tags and reads", async () => {
      const web01 = id("web-01");
      const worker = id("worker-01");
      sim.control.setServer(web01, { locked: true });
      await admin(sim, "PATCH", `/servers/${worker}`, { locked: true });
      const stop = await v1("POST", "/cloudservers/action", { "os-stop": { servers: [{ id: web01 }] } });
      expect(stop.status).toBe(200);
      finish();
      const j = await job(stop.json.job_id);
      expect(j.status).toBe("FAIL");
      expect(j.entities.sub_jobs[0]).toMatchObject({ status: "FAIL", error_code: "Ecs.0605" });
      expect(sim.control.server(web01)!.status).toBe("ACTIVE");
      const resize = await v1("POST", `/cloudservers/${worker}/resize`, {
        resize: { flavorRef: "c7.large.2" },
      });
      expect(resize.json.error.code).toBe("Ecs.0605");
      const reinstall = await v2(`/cloudservers/${worker}/reinstallos`, {
        "os-reinstall": { keyname: "KeyPair-ops" },
      });
      expect(reinstall.json.error.code).toBe("Ecs.0605");
      const disk = sim.control.server(worker)!.disks[0]!.id;
      expect((await v1("DELETE", `/cloudservers/${worker}/detachvolume/${disk}`)).json.error.code).toBe(
        "Ecs.0605",
      );
      const tags = await call(sim, "POST", `/v1/${sim.projectId}/servers/${web01}/tags/action`, {
        body: { action: "create", tags: [{ key: "frozen", value: "yes" }] },
      });
      expect(tags.status).toBe(204);
    });

    it("rejects unknown or malformed actions", async () => {
      const web01 = id("web-01");
      expect((await action(web01, { pause: null })).status).toBe(400);
      expect((await action(web01, { lock: null, unlock: null })).status).toBe(400);
      expect((await action(web01, { lock: { reason: "x" } })).status).toBe(400);
      const gone = await action("00000000-0000-4000-8000-000000000000", { lock: null });
      expect(gone.status).toBe(404);
      expect(gone.json.itemNotFound).toBeDefined();
    });
  });

  describe("console output (6.14.1)", () => {
    it("returns the last N lines of a boot log that ends at the login prompt", async () => {
      const web01 = id("web-01");
      const all = await action(web01, { "os-getConsoleOutput": { length: -1 } });
      expect(all.status).toBe(200);
      const lines = (all.json.output as string).split("\n");
      expect(lines[0]).toContain("Linux version");
      expect(lines.at(-1)).toBe("web-01 login: ");
      expect(all.json.output).toContain(sim.control.server(web01)!.privateIp);
      const tail = await action(web01, { "os-getConsoleOutput": { length: "5" } });
      expect((tail.json.output as string).split("\n")).toEqual(lines.slice(-5));
      expect((await action(web01, { "os-getConsoleOutput": { length: 0 } })).json.output).toBe("");
      // The same boot gives the same log.
      expect((await action(web01, { "os-getConsoleOutput": {} })).json.output).toBe(all.json.output);
    });

    it("shows power-down lines for a stopped ECS and lines appended through the control interface", async () => {
      const worker = id("worker-01");
      await admin(sim, "POST", `/servers/${worker}/console`, { lines: ["Kernel panic - not syncing: VFS"] });
      const out = (await action(worker, { "os-getConsoleOutput": { length: 3 } })).json.output as string;
      expect(out.split("\n")).toEqual([
        expect.stringContaining("Reached target Power-Off."),
        expect.stringContaining("reboot: Power down"),
        "Kernel panic - not syncing: VFS",
      ]);
    });

    it("refuses a bad length (400) and microversions after 2.5 (404)", async () => {
      const web01 = id("web-01");
      expect((await action(web01, { "os-getConsoleOutput": { length: -2 } })).status).toBe(400);
      expect((await action(web01, { "os-getConsoleOutput": { length: "ten" } })).status).toBe(400);
      expect(
        (
          await action(
            web01,
            { "os-getConsoleOutput": { length: 5 } },
            { "X-OpenStack-Nova-API-Version": "2.5" },
          )
        ).status,
      ).toBe(200);
      const late = await action(
        web01,
        { "os-getConsoleOutput": { length: 5 } },
        { "X-OpenStack-Nova-API-Version": "2.26" },
      );
      expect(late.status).toBe(404);
    });
  });

  describe("reinstall / change OS (5.2.1, 5.2.2)", () => {
    it("reinstalls a stopped ECS with a key pair: REBUILD, a new system disk, then ACTIVE", async () => {
      const worker = sim.control.server("worker-01")!;
      const oldSystem = worker.disks.find((d) => d.bootIndex === 0)!.id;
      const res = await v2(`/cloudservers/${worker.id}/reinstallos`, {
        "os-reinstall": {
          keyname: "KeyPair-deploy",
          userid: "7e25b1da389f4697a79df3a0e5bd494e",
          metadata: { user_data: Buffer.from("#!/bin/sh\necho hi").toString("base64") },
        },
      });
      expect(res.status).toBe(200);
      clock.advance(INIT);
      expect(await nova(worker.id)).toMatchObject({
        status: "REBUILD",
        "OS-EXT-STS:task_state": "rebuilding",
      });
      clock.advance(RUNNING);
      expect(await job(res.json.job_id)).toMatchObject({
        status: "SUCCESS",
        job_type: "reinstallOS",
        entities: { server_id: worker.id },
      });
      const after = sim.control.server(worker.id)!;
      expect(after).toMatchObject({ status: "ACTIVE", keyName: "KeyPair-deploy", imageId: worker.imageId });
      const system = after.disks.find((d) => d.bootIndex === 0)!;
      expect(system.id).not.toBe(oldSystem);
      expect(after.disks.slice(1)).toEqual(worker.disks.slice(1));
      const history = (
        await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${worker.id}/os-instance-actions`)
      ).json;
      expect(history.instanceActions[0]).toMatchObject({
        action: "rebuild",
        message: null,
        instance_uuid: worker.id,
      });
    });

    it("enforces the documented rules", async () => {
      const worker = id("worker-01");
      const web01 = id("web-01");
      const cases: [string, unknown, string][] = [
        [worker, { "os-reinstall": {} }, "Ecs.0005"],
        [worker, { "os-reinstall": { keyname: "KeyPair-nope" } }, "Ecs.0314"],
        [worker, { "os-reinstall": { keyname: "KeyPair-ops", adminpass: "Secret-123" } }, "Ecs.0005"],
        [
          worker,
          { "os-reinstall": { keyname: "KeyPair-ops", metadata: { user_data: "not base64!" } } },
          "Ecs.0005",
        ],
        [worker, { "os-reinstall": { keyname: "KeyPair-ops", mode: "now" } }, "Ecs.0005"],
        [web01, { "os-reinstall": { keyname: "KeyPair-ops" } }, "Ecs.0100"],
      ];
      for (const [serverId, body, code] of cases) {
        const res = await v2(`/cloudservers/${serverId}/reinstallos`, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.json.error.code, JSON.stringify(body)).toBe(code);
      }
      // The doc's `mode: withStopServer` reinstalls a running ECS.
      const running = await v2(`/cloudservers/${web01}/reinstallos`, {
        "os-reinstall": { keyname: "KeyPair-ops", mode: "withStopServer" },
      });
      expect(running.status).toBe(200);
      // Without a system disk: Ecs.0105.
      const system = sim.control.server(worker)!.disks.find((d) => d.bootIndex === 0)!.id;
      sim.control.detachDisk(worker, system);
      const noDisk = await v2(`/cloudservers/${worker}/reinstallos`, {
        "os-reinstall": { keyname: "KeyPair-ops" },
      });
      expect(noDisk.json.error.code).toBe("Ecs.0105");
      expect(sim.control.jobs()).toHaveLength(1);
    });

    it("changes the OS to another image; HSS sees the new OS; an unknown image is Ecs.0031", async () => {
      const api02 = id("api-02");
      const unknown = await v2(`/cloudservers/${api02}/changeos`, {
        "os-change": { keyname: "KeyPair-ops", imageid: "e215580f-73ad-429d-b6f2-5433947433b0" },
      });
      expect(unknown.json.error.code).toBe("Ecs.0031");
      const res = await v2(`/cloudservers/${api02}/changeos`, {
        "os-change": { keyname: "KeyPair-ops", imageid: OS_IMAGES.ubuntu22.id },
      });
      expect(res.status).toBe(200);
      finish();
      expect(await job(res.json.job_id)).toMatchObject({ status: "SUCCESS", job_type: "changeOS" });
      expect(sim.control.server(api02)).toMatchObject({ status: "ACTIVE", imageId: OS_IMAGES.ubuntu22.id });
      expect(sim.control.host(api02)).toMatchObject({ osName: "Ubuntu", osVersion: "22.04" });
    });
  });

  describe("attach / detach (5.6.1, 5.6.2)", () => {
    it("attaches an available disk through a job; it shows in block_device with the next device", async () => {
      const web01 = id("web-01");
      const [volume] = sim.control.volumes();
      const res = await v1("POST", `/cloudservers/${web01}/attachvolume`, {
        volumeAttachment: { volumeId: volume!.id },
      });
      expect(res.status).toBe(200);
      // Attaching it again while the job runs: the documented "already attached" code.
      const twice = await v1("POST", `/cloudservers/${web01}/attachvolume`, {
        volumeAttachment: { volumeId: volume!.id },
      });
      expect(twice.json.error.code).toBe("Ecs.0057");
      const elsewhere = await v1("POST", `/cloudservers/${id("web-02")}/attachvolume`, {
        volumeAttachment: { volumeId: volume!.id },
      });
      expect(elsewhere.json.error.code).toBe("Ecs.0103");
      finish();
      expect(await job(res.json.job_id)).toMatchObject({ status: "SUCCESS", job_type: "attachVolume" });
      const devices = (await v1("GET", `/cloudservers/${web01}/block_device`)).json
        .volumeAttachments as Row[];
      expect(devices.at(-1)).toMatchObject({
        volumeId: volume!.id,
        device: "/dev/vdb",
        bootIndex: 1,
        size: volume!.sizeGb,
      });
      expect(sim.control.volumes().map((v) => v.id)).not.toContain(volume!.id);
      const again = await v1("POST", `/cloudservers/${web01}/attachvolume`, {
        volumeAttachment: { volumeId: volume!.id },
      });
      expect(again.status).toBe(400);
      expect(again.json.error.code).toBe("Ecs.0057");
    });

    it("dry_run checks only (202 {}); unknown disks and used device names are refused", async () => {
      const web01 = id("web-01");
      const [volume] = sim.control.volumes();
      const dry = await v1("POST", `/cloudservers/${web01}/attachvolume`, {
        volumeAttachment: { volumeId: volume!.id },
        dry_run: true,
      });
      expect(dry.status).toBe(202);
      expect(dry.json).toEqual({});
      expect(sim.control.jobs()).toHaveLength(0);
      const missing = await v1("POST", `/cloudservers/${web01}/attachvolume`, {
        volumeAttachment: { volumeId: "a26887c6-c47b-4654-abb5-dfadf7d3f803" },
      });
      expect(missing.json.error.code).toBe("Ecs.0103");
      const used = await v1("POST", `/cloudservers/${web01}/attachvolume`, {
        volumeAttachment: { volumeId: volume!.id, device: "/dev/vda" },
      });
      expect(used.json.error.code).toBe("Ecs.0005");
      const noBody = await v1("POST", `/cloudservers/${web01}/attachvolume`, {});
      expect(noBody.json.error.code).toBe("Ecs.0005");
    });

    it("detaches a data disk from a running ECS; the disk becomes available", async () => {
      const db01 = sim.control.server("db-01")!;
      const data = db01.disks.find((d) => d.bootIndex !== 0)!;
      const res = await v1("DELETE", `/cloudservers/${db01.id}/detachvolume/${data.id}`, undefined, {
        delete_flag: "0",
      });
      expect(res.status).toBe(200);
      finish();
      expect(await job(res.json.job_id)).toMatchObject({ status: "SUCCESS", job_type: "detachVolume" });
      expect(sim.control.server(db01.id)!.disks.map((d) => d.id)).not.toContain(data.id);
      expect(sim.control.volumes()).toContainEqual({ id: data.id, sizeGb: data.sizeGb, reservedBy: null });
      const again = await v1("DELETE", `/cloudservers/${db01.id}/detachvolume/${data.id}`);
      expect(again.status).toBe(400);
      expect(again.json.error.code).toBe("Ecs.0111");
      expect(
        (
          await v1("DELETE", `/cloudservers/${db01.id}/detachvolume/${data.id}`, undefined, {
            delete_flag: "2",
          })
        ).status,
      ).toBe(400);
    });

    it("the system disk (boot index 0) detaches only from a stopped ECS, which then cannot start", async () => {
      const web01 = sim.control.server("web-01")!;
      const system = web01.disks.find((d) => d.bootIndex === 0)!;
      const running = await v1("DELETE", `/cloudservers/${web01.id}/detachvolume/${system.id}`);
      expect(running.json.error.code).toBe("Ecs.0100");
      const worker = sim.control.server("worker-01")!;
      const wSystem = worker.disks.find((d) => d.bootIndex === 0)!;
      const res = await v1("DELETE", `/cloudservers/${worker.id}/detachvolume/${wSystem.id}`, undefined, {
        delete_flag: "1",
      });
      expect(res.status).toBe(200);
      finish();
      const blocks = (await v1("GET", `/cloudservers/${worker.id}/block_device`)).json
        .volumeAttachments as Row[];
      expect(blocks.some((b) => b.bootIndex === 0)).toBe(false);
      const start = await v1("POST", "/cloudservers/action", {
        "os-start": { servers: [{ id: worker.id }] },
      });
      finish();
      expect((await job(start.json.job_id)).entities.sub_jobs[0].error_code).toBe("Ecs.0105");
      // Attaching it back as /dev/vda makes it the system disk again.
      const back = await v1("POST", `/cloudservers/${worker.id}/attachvolume`, {
        volumeAttachment: { volumeId: wSystem.id, device: "/dev/vda" },
      });
      finish();
      expect((await job(back.json.job_id)).status).toBe("SUCCESS");
      expect(sim.control.server(worker.id)!.disks.find((d) => d.id === wSystem.id)?.bootIndex).toBe(0);
    });

    it("a server deleted without delete_volume leaves its data disks available", async () => {
      const db01 = sim.control.server("db-01")!;
      const data = db01.disks.filter((d) => d.bootIndex !== 0).map((d) => d.id);
      const system = db01.disks.find((d) => d.bootIndex === 0)!.id;
      await v1("POST", "/cloudservers/delete", { servers: [{ id: db01.id }], delete_volume: false });
      finish();
      const free = sim.control.volumes().map((v) => v.id);
      expect(free).toEqual(expect.arrayContaining(data));
      expect(free).not.toContain(system);
    });
  });

  describe("cold migration (5.2.3)", () => {
    it("migrates a stopped ECS to a DeH and back: RESIZE, VERIFY_RESIZE, SHUTOFF on another host", async () => {
      const worker = sim.control.server("worker-01")!;
      const [deh] = sim.control.dedicatedHosts();
      const before = await nova(worker.id);
      const res = await v1("POST", `/cloudservers/${worker.id}/migrate`, {
        migrate: { dedicated_host_id: deh },
      });
      expect(res.status).toBe(200);
      clock.advance(INIT);
      expect(await nova(worker.id)).toMatchObject({
        status: "RESIZE",
        "OS-EXT-STS:task_state": "resize_migrating",
      });
      clock.advance(RUNNING * 0.8);
      expect((await nova(worker.id)).status).toBe("VERIFY_RESIZE");
      clock.advance(RUNNING * 0.2);
      expect(await job(res.json.job_id)).toMatchObject({ status: "SUCCESS", job_type: "migrateServer" });
      const after = await nova(worker.id);
      expect(after.status).toBe("SHUTOFF");
      expect(after.hostId).not.toBe(before.hostId);
      expect(sim.control.server(worker.id)!.dedicatedHostId).toBe(deh);
      expect(
        (await v1("POST", `/cloudservers/${worker.id}/migrate`, { migrate: { dedicated_host_id: deh } })).json
          .error.code,
      ).toBe("Ecs.0221");
      const back = await v1("POST", `/cloudservers/${worker.id}/migrate`, { migrate: null });
      expect(back.status).toBe(200);
      finish();
      expect(sim.control.server(worker.id)!.dedicatedHostId).toBeNull();
    });

    it("refuses a running ECS, an unknown DeH, and the public pool to the public pool", async () => {
      const [deh] = sim.control.dedicatedHosts();
      const running = await v1("POST", `/cloudservers/${id("web-01")}/migrate`, {
        migrate: { dedicated_host_id: deh },
      });
      expect(running.json.error.code).toBe("Ecs.0100");
      const worker = id("worker-01");
      expect(
        (await v1("POST", `/cloudservers/${worker}/migrate`, { migrate: { dedicated_host_id: "nope" } })).json
          .error.code,
      ).toBe("Ecs.0005");
      expect((await v1("POST", `/cloudservers/${worker}/migrate`, { migrate: null })).json.error.code).toBe(
        "Ecs.0005",
      );
      expect((await v1("POST", `/cloudservers/${worker}/migrate`, {})).json.error.code).toBe("Ecs.0005");
    });
  });
});
