/**
 * Reinstall / change OS after a failed one (5.2.1/5.2.2: "only on an ECS that is stopped or for which OS
 * reinstallation has failed"), over loopback: a failed job leaves the ECS in ERROR, which both APIs accept
 * again; an ERROR of another cause, and every other status but SHUTOFF, is refused with `Ecs.0100`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  type ManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { OS_IMAGES } from "../../../src/sandbox/cloud/os-images.js";
import type { ServerStatus } from "../../../src/sandbox/cloud/world-types.js";
import { call } from "./sim-client.js";

const INIT = 100;
const RUNNING = 1_000;

describe("reinstall / change OS of an ECS whose reinstall failed (5.2.1, 5.2.2, Table A-4)", () => {
  let sim: CloudSimulator;
  let clock: ManualClock;
  const id = (name: string) => sim.control.server(name)!.id;
  const v2 = (path: string, body: unknown) => call(sim, "POST", `/v2/${sim.projectId}${path}`, { body });
  const reinstall = (serverId: string, extra: Record<string, unknown> = {}) =>
    v2(`/cloudservers/${serverId}/reinstallos`, { "os-reinstall": { keyname: "KeyPair-ops", ...extra } });
  const changeOs = (serverId: string) =>
    v2(`/cloudservers/${serverId}/changeos`, {
      "os-change": { keyname: "KeyPair-ops", imageid: OS_IMAGES.ubuntu22.id },
    });
  const job = async (jobId: string) => (await call(sim, "GET", `/v1/${sim.projectId}/jobs/${jobId}`)).json;
  const nova = async (serverId: string) =>
    (await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${serverId}`)).json.server;
  const actions = async (serverId: string) =>
    (await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${serverId}/os-instance-actions`)).json
      .instanceActions;
  const nova21 = (serverId: string, body: unknown) =>
    call(sim, "POST", `/v2.1/${sim.projectId}/servers/${serverId}/action`, { body });

  /** Reinstalls `serverId` with an injected job failure; returns the failed job's body. */
  async function failedReinstall(serverId: string) {
    sim.control.failNextJob({ serverIds: [serverId] });
    const res = await reinstall(serverId);
    expect(res.status).toBe(200);
    clock.advance(INIT + RUNNING);
    return job(res.json.job_id);
  }

  beforeAll(async () => {
    clock = createManualClock();
    sim = await startCloudSimulator({ clock, jobTiming: { initMs: INIT, runningMs: RUNNING } });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("a failed reinstall leaves the ECS in ERROR; a second reinstall is accepted and ends ACTIVE", async () => {
    const worker = sim.control.server("worker-01")!;
    expect(worker.status).toBe("SHUTOFF");
    const oldSystem = worker.disks.find((d) => d.bootIndex === 0)!.id;

    expect(await failedReinstall(worker.id)).toMatchObject({
      status: "FAIL",
      job_type: "reinstallOS",
      error_code: "Ecs.0202",
    });
    expect(await nova(worker.id)).toMatchObject({
      status: "ERROR",
      "OS-EXT-STS:vm_state": "error",
      "OS-EXT-STS:task_state": null,
      fault: { code: 500 },
    });
    expect((await actions(worker.id))[0]).toMatchObject({ action: "rebuild", message: "Error" });
    // Its disks are as they were.
    expect(sim.control.server(worker.id)!.disks).toEqual(worker.disks);

    const again = await reinstall(worker.id);
    expect(again.status).toBe(200);
    clock.advance(INIT);
    // Table A-4: vm_state error + task_state rebuilding is REBUILD.
    expect(await nova(worker.id)).toMatchObject({
      status: "REBUILD",
      "OS-EXT-STS:vm_state": "error",
      "OS-EXT-STS:task_state": "rebuilding",
    });
    clock.advance(RUNNING);
    expect(await job(again.json.job_id)).toMatchObject({ status: "SUCCESS", job_type: "reinstallOS" });
    const after = sim.control.server(worker.id)!;
    expect(after).toMatchObject({ status: "ACTIVE", vmState: "active", keyName: "KeyPair-ops" });
    expect(after.disks.find((d) => d.bootIndex === 0)!.id).not.toBe(oldSystem);
    expect((await actions(worker.id)).slice(0, 2)).toMatchObject([
      { action: "rebuild", message: null },
      { action: "rebuild", message: "Error" },
    ]);
  });

  it("a failed change of OS leaves ERROR too; either API is then accepted; a lock still refuses it", async () => {
    const api02 = id("api-02");
    sim.control.failNextJob({ serverIds: [api02] });
    expect((await changeOs(api02)).status).toBe(200);
    clock.advance(INIT + RUNNING);
    expect(sim.control.server(api02)!.status).toBe("ERROR");

    // Lock and unlock are recorded but change nothing: the failed rebuild still decides.
    expect((await nova21(api02, { lock: null })).status).toBe(202);
    const locked = await reinstall(api02);
    expect(locked.status).toBe(400);
    expect(locked.json.error.code).toBe("Ecs.0605");
    expect((await nova21(api02, { unlock: null })).status).toBe(202);

    const res = await changeOs(api02);
    expect(res.status).toBe(200);
    // Busy with that job: a second request is refused.
    expect((await reinstall(api02)).json.error.code).toBe("Ecs.0100");
    clock.advance(INIT + RUNNING);
    expect(await job(res.json.job_id)).toMatchObject({ status: "SUCCESS", job_type: "changeOS" });
    expect(sim.control.server(api02)).toMatchObject({ status: "ACTIVE", imageId: OS_IMAGES.ubuntu22.id });
  });

  it("an ECS in ERROR for another reason is refused with Ecs.0100, by both APIs", async () => {
    const worker = id("worker-01");
    sim.control.setServer(worker, { status: "ERROR" });
    for (const res of [
      await reinstall(worker),
      await changeOs(worker),
      await reinstall(worker, { mode: "withStopServer" }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("Ecs.0100");
      expect(res.json.error.message).toContain("not after a failed reinstall or OS change");
    }
    // A failed resize before it does not make it one either.
    sim.control.setServer(worker, { status: "SHUTOFF" });
    sim.control.failNextJob({ serverIds: [worker] });
    const resize = await call(sim, "POST", `/v1/${sim.projectId}/cloudservers/${worker}/resize`, {
      body: { resize: { flavorRef: "s6.large.2" } },
    });
    expect(resize.status).toBe(200);
    clock.advance(INIT + RUNNING);
    sim.control.setServer(worker, { status: "ERROR" });
    expect((await reinstall(worker)).json.error.code).toBe("Ecs.0100");
    expect(sim.control.jobs().filter((j) => j.kind === "reinstall" || j.kind === "changeos")).toHaveLength(0);
  });

  it("accepts each status as the reference says: SHUTOFF (ACTIVE with withStopServer); the rest Ecs.0100", async () => {
    const statuses: ServerStatus[] = [
      "ACTIVE",
      "SHUTOFF",
      "BUILD",
      "ERROR",
      "REBOOT",
      "HARD_REBOOT",
      "RESIZE",
      "VERIFY_RESIZE",
      "REVERT_RESIZE",
      "MIGRATING",
      "REBUILD",
      "UNKNOWN",
    ];
    const seen: Record<string, [number, number]> = {};
    for (const status of statuses) {
      sim.control.reset();
      const worker = id("worker-01");
      sim.control.setServer(worker, { status });
      const plain = await reinstall(worker);
      sim.control.reset();
      sim.control.setServer(id("worker-01"), { status });
      const stopFirst = await reinstall(id("worker-01"), { mode: "withStopServer" });
      seen[status] = [plain.status, stopFirst.status];
      for (const res of [plain, stopFirst])
        if (res.status === 400) expect(res.json.error.code).toBe("Ecs.0100");
    }
    expect(seen).toEqual({
      ACTIVE: [400, 200],
      SHUTOFF: [200, 200],
      BUILD: [400, 400],
      ERROR: [400, 400],
      REBOOT: [400, 400],
      HARD_REBOOT: [400, 400],
      RESIZE: [400, 400],
      VERIFY_RESIZE: [400, 400],
      REVERT_RESIZE: [400, 400],
      MIGRATING: [400, 400],
      REBUILD: [400, 400],
      UNKNOWN: [400, 400],
    });
  });
});
