import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  type ManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { call, type Row } from "./sim-client.js";

const INIT = 1_000;
const RUNNING = 4_000;

describe("asynchronous ECS jobs", () => {
  let sim: CloudSimulator;
  let clock: ManualClock;
  const id = (name: string): string => sim.control.server(name)!.id;
  const ecs = (method: string, path: string, body?: unknown) =>
    call(sim, method, `/v1/${sim.projectId}${path}`, body === undefined ? {} : { body });
  const job = async (jobId: string) => (await ecs("GET", `/jobs/${jobId}`)).json;
  const nova = async (serverId: string) =>
    (await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${serverId}`)).json.server;

  beforeAll(async () => {
    clock = createManualClock();
    sim = await startCloudSimulator({
      clock,
      jobTiming: { initMs: INIT, runningMs: RUNNING },
      jobRetentionMs: 60 * 60 * 1000,
    });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("stops a server: 200 at once, then INIT -> RUNNING -> SUCCESS with the server ACTIVE -> SHUTOFF", async () => {
    const web01 = id("web-01");
    const res = await ecs("POST", "/cloudservers/action", {
      "os-stop": { type: "SOFT", servers: [{ id: web01 }] },
    });
    expect(res.status).toBe(200);
    const jobId: string = res.json.job_id;
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);

    let j = await job(jobId);
    expect(j).toMatchObject({ status: "INIT", job_id: jobId, job_type: "batchStopServers", end_time: "" });
    expect(j.entities.sub_jobs_total).toBe(1);
    expect((await nova(web01)).status).toBe("ACTIVE");

    clock.advance(INIT);
    j = await job(jobId);
    expect(j.status).toBe("RUNNING");
    expect(j.entities.sub_jobs[0]).toMatchObject({ status: "RUNNING", entities: { server_id: web01 } });
    const running = await nova(web01);
    expect(running).toMatchObject({ status: "ACTIVE", "OS-EXT-STS:task_state": "powering-off" });
    expect(sim.control.server(web01)?.busyJobId).toBe(jobId);

    clock.advance(RUNNING);
    j = await job(jobId);
    expect(j).toMatchObject({ status: "SUCCESS", error_code: null, fail_reason: null });
    expect(j.end_time).not.toBe("");
    expect(j.entities.sub_jobs[0]).toMatchObject({
      status: "SUCCESS",
      job_type: "stopServer",
      error_code: null,
    });
    const stopped = await nova(web01);
    expect(stopped).toMatchObject({
      status: "SHUTOFF",
      "OS-EXT-STS:vm_state": "stopped",
      "OS-EXT-STS:task_state": null,
      "OS-EXT-STS:power_state": 3,
    });

    const start = await ecs("POST", "/cloudservers/action", { "os-start": { servers: [{ id: web01 }] } });
    clock.advance(INIT + RUNNING);
    expect((await job(start.json.job_id)).status).toBe("SUCCESS");
    expect((await nova(web01)).status).toBe("ACTIVE");
  });

  it("fails the sub-job of a server in the wrong state, with a reason, and leaves it alone", async () => {
    const web01 = id("web-01");
    const worker = id("worker-01"); // SHUTOFF
    const res = await ecs("POST", "/cloudservers/action", {
      "os-start": { servers: [{ id: web01 }, { id: worker }] },
    });
    expect(res.status).toBe(200);
    clock.advance(INIT + RUNNING);
    const j = await job(res.json.job_id);
    expect(j.status).toBe("FAIL");
    expect(j.error_code).toBe("Ecs.0100");
    const subs = Object.fromEntries(j.entities.sub_jobs.map((s: Row) => [s.entities.server_id, s]));
    expect(subs[web01]).toMatchObject({ status: "FAIL", error_code: "Ecs.0100" });
    expect(subs[web01].fail_reason).toMatch(/ACTIVE/);
    expect(subs[web01].entities.errorcode_message).toBe(subs[web01].fail_reason);
    expect(subs[worker]).toMatchObject({ status: "SUCCESS", fail_reason: null });
    expect(sim.control.server(web01)?.status).toBe("ACTIVE");
    expect(sim.control.server(worker)?.status).toBe("ACTIVE");

    const stopStopped = await ecs("POST", "/cloudservers/action", {
      "os-stop": { servers: [{ id: id("api-02") }] },
    });
    clock.advance(INIT + RUNNING);
    const j2 = await job(stopStopped.json.job_id);
    expect(j2.status).toBe("FAIL");
    expect(j2.entities.sub_jobs[0].fail_reason).toMatch(/SHUTOFF/);
  });

  it("holds a server while a job runs: a second action on it fails", async () => {
    const web02 = id("web-02");
    const first = await ecs("POST", "/cloudservers/action", { "os-stop": { servers: [{ id: web02 }] } });
    const second = await ecs("POST", "/cloudservers/action", {
      reboot: { type: "SOFT", servers: [{ id: web02 }] },
    });
    clock.advance(INIT + RUNNING);
    expect((await job(first.json.job_id)).status).toBe("SUCCESS");
    const j = await job(second.json.job_id);
    expect(j.status).toBe("FAIL");
    expect(j.entities.sub_jobs[0].fail_reason).toMatch(/another task/);
  });

  it("reboots: REBOOT / HARD_REBOOT while running, ACTIVE after", async () => {
    const soft = await ecs("POST", "/cloudservers/action", {
      reboot: { type: "SOFT", servers: [{ id: id("db-01") }] },
    });
    const hard = await ecs("POST", "/cloudservers/action", {
      reboot: { type: "HARD", servers: [{ id: id("db-02") }] },
    });
    clock.advance(INIT);
    expect((await nova(id("db-01"))).status).toBe("REBOOT");
    expect((await nova(id("db-02")))["OS-EXT-STS:task_state"]).toBe("reboot_started_hard");
    expect((await nova(id("db-02"))).status).toBe("HARD_REBOOT");
    clock.advance(RUNNING);
    expect((await job(soft.json.job_id)).status).toBe("SUCCESS");
    expect((await job(hard.json.job_id)).job_type).toBe("batchRebootServers");
    expect(sim.control.server("db-01")?.status).toBe("ACTIVE");
    expect(sim.control.server("db-02")?.status).toBe("ACTIVE");
  });

  it("resizes only stopped servers to existing flavors; dry_run only checks", async () => {
    const web01 = id("web-01");
    const running = await ecs("POST", `/cloudservers/${web01}/resize`, {
      resize: { flavorRef: "c7.xlarge.2" },
    });
    expect(running.status).toBe(400);
    expect(running.json.error.code).toBe("Ecs.0100");

    const api02 = id("api-02"); // SHUTOFF, c7.xlarge.2
    const unknown = await ecs("POST", `/cloudservers/${api02}/resize`, {
      resize: { flavorRef: "x9.huge.99" },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe("Ecs.0029");
    const same = await ecs("POST", `/cloudservers/${api02}/resize`, { resize: { flavorRef: "c7.xlarge.2" } });
    expect(same.json.error.code).toBe("Ecs.0810");
    const noBody = await ecs("POST", `/cloudservers/${api02}/resize`, { resize: {} });
    expect(noBody.status).toBe(400);
    expect(noBody.json.error.code).toBe("Ecs.0005");
    const missing = await ecs("POST", "/cloudservers/00000000-0000-4000-8000-000000000000/resize", {
      resize: { flavorRef: "c7.large.2" },
    });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("Ecs.0114");

    const dry = await ecs("POST", `/cloudservers/${api02}/resize`, {
      resize: { flavorRef: "m6.large.8" },
      dry_run: true,
    });
    expect(dry.status).toBe(202);
    expect(dry.json.job_id).toBeUndefined();
    expect(sim.control.jobs()).toHaveLength(0);

    const res = await ecs("POST", `/cloudservers/${api02}/resize`, { resize: { flavorRef: "m6.large.8" } });
    expect(res.status).toBe(200);
    clock.advance(INIT);
    expect((await nova(api02)).status).toBe("RESIZE");
    clock.advance(RUNNING * 0.8);
    expect((await nova(api02)).status).toBe("VERIFY_RESIZE");
    clock.advance(RUNNING * 0.2);
    const j = await job(res.json.job_id);
    expect(j).toMatchObject({ status: "SUCCESS", job_type: "resizeServer", entities: { server_id: api02 } });
    const after = (await ecs("GET", `/cloudservers/${api02}`)).json.server;
    expect(after.status).toBe("SHUTOFF");
    expect(after.flavor).toMatchObject({ id: "m6.large.8", vcpus: "2", ram: "16384" });
  });

  it("deletes servers: they disappear from ECS and HSS once the job succeeds", async () => {
    const ids = [id("web-03"), id("web-04")];
    const res = await ecs("POST", "/cloudservers/delete", {
      servers: ids.map((i) => ({ id: i })),
      delete_publicip: true,
      delete_volume: false,
    });
    expect(res.status).toBe(200);
    clock.advance(INIT);
    expect((await nova(ids[0]!))["OS-EXT-STS:task_state"]).toBe("deleting");
    clock.advance(RUNNING);
    const j = await job(res.json.job_id);
    expect(j).toMatchObject({ status: "SUCCESS", job_type: "deleteServers" });
    expect(j.entities.sub_jobs.map((s: Row) => s.job_type)).toEqual(["deleteServer", "deleteServer"]);
    const gone = await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${ids[0]}`);
    expect(gone.status).toBe(404);
    expect(gone.json.itemNotFound.code).toBe(404);
    expect((await ecs("GET", `/cloudservers/${ids[1]}`)).json.error.code).toBe("Ecs.0114");
    const hosts = await call(sim, "GET", `/v5/${sim.projectId}/host-management/hosts`, {
      query: { host_id: ids[0]! },
    });
    expect(hosts.json.total_num).toBe(0);
    expect(sim.control.jobs()[0]?.params).toMatchObject({ deletePublicip: true, deleteVolume: false });
  });

  it("rejects invalid bodies with documented ECS codes", async () => {
    const web01 = id("web-01");
    const bad = [
      {},
      { "os-stop": { servers: [] } },
      { "os-stop": { servers: [{ id: web01 }], type: "GENTLE" } },
      { reboot: { servers: [{ id: web01 }] } },
      { "os-start": { servers: [{ id: web01 }] }, "os-stop": { servers: [{ id: web01 }] } },
      { "os-start": { servers: [{ id: web01 }, { id: web01 }] } },
      { "os-start": { servers: [{ name: "web-01" }] } },
    ];
    for (const body of bad) {
      const res = await ecs("POST", "/cloudservers/action", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe("Ecs.0005");
    }
    const notJson = await ecs("POST", "/cloudservers/action", "{not json");
    expect(notJson.json.error.code).toBe("Ecs.0005");
    const badDelete = await ecs("POST", "/cloudservers/delete", {
      servers: [{ id: web01 }],
      delete_volume: "yes",
    });
    expect(badDelete.json.error.code).toBe("Ecs.0005");

    const tooMany = Array.from({ length: 1001 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    }));
    const big = await ecs("POST", "/cloudservers/action", { "os-stop": { servers: tooMany } });
    expect(big.status).toBe(400);
    expect(big.json.error.code).toBe("Ecs.0118");

    const unknown = await ecs("POST", "/cloudservers/action", {
      "os-stop": { servers: [{ id: web01 }, { id: "no-such-server" }] },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("Ecs.0114");
    expect(sim.control.jobs()).toHaveLength(0);
  });

  it("injects job failures: the next job, or only given servers' sub-jobs", async () => {
    sim.control.failNextJob();
    const all = await ecs("POST", "/cloudservers/action", { "os-stop": { servers: [{ id: id("web-01") }] } });
    clock.advance(INIT);
    expect(sim.control.server("web-01")?.taskState).toBe("powering-off");
    clock.advance(RUNNING);
    const j = await job(all.json.job_id);
    expect(j).toMatchObject({ status: "FAIL", error_code: "Ecs.1000" });
    expect(sim.control.server("web-01")?.status).toBe("ACTIVE");

    const web02 = id("web-02");
    sim.control.failNextJob({ serverIds: [web02], errorCode: "Ecs.0227", reason: "hypervisor busy" });
    const some = await ecs("POST", "/cloudservers/action", {
      reboot: { type: "SOFT", servers: [{ id: id("web-01") }, { id: web02 }] },
    });
    clock.advance(INIT + RUNNING);
    const j2 = await job(some.json.job_id);
    expect(j2.status).toBe("FAIL");
    const failed = j2.entities.sub_jobs.filter((s: Row) => s.status === "FAIL");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      error_code: "Ecs.0227",
      fail_reason: "hypervisor busy",
      entities: { server_id: web02 },
    });

    const next = await ecs("POST", "/cloudservers/action", { "os-stop": { servers: [{ id: web02 }] } });
    clock.advance(INIT + RUNNING);
    expect((await job(next.json.job_id)).status).toBe("SUCCESS");
  });

  it("purges job records after the retention period: 400 Common.0011 with code/message at the top level (Table 5-63)", async () => {
    const res = await ecs("POST", "/cloudservers/action", { "os-stop": { servers: [{ id: id("web-01") }] } });
    clock.advance(INIT + RUNNING + 60 * 60 * 1000 - 1);
    expect((await ecs("GET", `/jobs/${res.json.job_id}`)).status).toBe(200);
    clock.advance(2);
    const purged = await ecs("GET", `/jobs/${res.json.job_id}`);
    expect(purged.status).toBe(400);
    expect(purged.json).toEqual({
      code: "Common.0011",
      message: expect.stringContaining("Invalid job ID"),
    });
    expect(sim.control.job(res.json.job_id)).toBeUndefined();
  });

  it("lists jobs for a UI panel", async () => {
    const res = await ecs("POST", "/cloudservers/action", {
      "os-stop": { type: "HARD", servers: [{ id: id("web-01") }, { id: id("db-01") }] },
    });
    const [summary] = sim.control.jobs();
    expect(summary).toMatchObject({
      id: res.json.job_id,
      kind: "stop",
      jobType: "batchStopServers",
      status: "INIT",
      serverIds: [id("web-01"), id("db-01")],
      params: { type: "HARD" },
    });
  });
});
