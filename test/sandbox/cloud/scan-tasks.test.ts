import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  type ManualClock,
  SimControlError,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { admin, call, type Row } from "./sim-client.js";

describe("vulnerability scan tasks: list API, control and /__sim/ routes", () => {
  let sim: CloudSimulator;
  let clock: ManualClock;
  const tasks = (query: Record<string, string | number> = {}) =>
    call(sim, "GET", `/v5/${sim.projectId}/vulnerability/scan-tasks`, { query: { limit: 200, ...query } });
  const taskHosts = (taskId: string, query: Record<string, string | number> = {}) =>
    call(sim, "GET", `/v5/${sim.projectId}/vulnerability/scan-task/${taskId}/hosts`, {
      query: { limit: 200, ...query },
    });
  const idOf = (name: string) => sim.control.server(name)!.id;

  beforeAll(async () => {
    clock = createManualClock();
    sim = await startCloudSimulator({ clock });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("serves the SDK's VulScanTaskInfo fields, `status` and the earlier `task_status` alike", async () => {
    const res = await tasks();
    expect(res.status).toBe(200);
    expect(res.json.total_num).toBe(sim.control.scanTasks().length);
    const running = res.json.data_list.find((t: Row) => t.status === "running");
    expect(running).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      scan_type: "manual",
      task_status: "running",
      end_time: -1,
      scan_vul_types: ["linux_vul"],
    });
    expect(running.scanning_host_num).toBeGreaterThan(0);
    for (const t of res.json.data_list as Row[]) {
      const view = sim.control.scanTask(t.id)!;
      expect(t).toMatchObject({
        status: view.status,
        task_status: view.status,
        success_host_num: view.succeeded,
        failed_host_num: view.failed,
        scanning_host_num: view.scanning,
      });
    }
  });

  it("filters by task ID, scan type and start time, and pages by offset", async () => {
    const all = (await tasks()).json.data_list as Row[];
    const [first] = all;
    expect((await tasks({ task_id: first!.id })).json.data_list.map((t: Row) => t.id)).toEqual([first!.id]);
    const manual = (await tasks({ scan_type: "manual" })).json.data_list as Row[];
    expect(manual.length).toBeGreaterThan(0);
    expect(manual.every((t) => t.scan_type === "manual")).toBe(true);
    const latest = Math.max(...all.map((t) => t.start_time as number));
    const recent = (await tasks({ min_start_time: latest })).json.data_list as Row[];
    expect(recent.map((t) => t.start_time)).toEqual([latest]);
    expect((await tasks({ max_start_time: latest - 1 })).json.total_num).toBe(all.length - 1);
    const page = await tasks({ offset: 1, limit: 1 });
    expect(page.json).toMatchObject({ total_num: all.length, data_list: [{ id: all[1]!.id }] });
    expect((await tasks({ enterprise_project_id: "other" })).json).toEqual({ total_num: 0, data_list: [] });
    expect((await tasks({ scan_type: "weekly" })).json.error_code).toBe("HSS.0001");
    expect((await tasks({ limit: 0 })).status).toBe(400);
  });

  it("adds a running task over existing hosts, then finishes it with failed hosts and reasons", async () => {
    clock.advance(60_000);
    const started = sim.control.now();
    const added = sim.control.addScanTask({
      hosts: ["web-01", "web-02", { host: idOf("db-01"), scanStatus: "success" }],
      vulTypes: ["linux_vul", "app_vul"],
    });
    expect(added).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      status: "running",
      vulTypes: ["linux_vul", "app_vul"],
      hostCount: 3,
      succeeded: 1,
      failed: 0,
      scanning: 2,
    });
    expect(sim.control.scanTasks().at(-1)?.id).toBe(added.id);
    const listed = (await tasks({ task_id: added.id })).json.data_list[0];
    expect(listed).toMatchObject({
      status: "running",
      start_time: started,
      end_time: -1,
      scan_type: "manual",
    });
    const hosts = (await taskHosts(added.id)).json.data_list as Row[];
    expect(hosts.find((h) => h.host_name === "web-01")).toMatchObject({
      host_id: idOf("web-01"),
      private_ip: sim.control.server("web-01")!.privateIp,
      scan_status: "scanning",
      failed_reasons: [],
    });

    clock.advance(5 * 60_000);
    const finished = sim.control.finishScanTask(added.id, {
      failed: [{ host: "web-02", failedReasons: [{ failedReason: "Scan timed out." }] }],
    });
    expect(finished).toMatchObject({ status: "finished", succeeded: 2, failed: 1, scanning: 0 });
    const after = (await tasks({ task_id: added.id })).json.data_list[0];
    expect(after).toMatchObject({
      status: "finished",
      task_status: "finished",
      end_time: sim.control.now(),
      failed_host_num: 1,
      success_host_num: 2,
      scanning_host_num: 0,
    });
    const failed = (await taskHosts(added.id, { scan_status: "failed" })).json.data_list as Row[];
    expect(failed).toEqual([
      expect.objectContaining({
        host_id: idOf("web-02"),
        scan_status: "failed",
        failed_reasons: [{ vul_type: "linux_vul", failed_reason: "Scan timed out." }],
      }),
    ]);
    expect(() => sim.control.finishScanTask(added.id)).toThrow(SimControlError);
  });

  it("reports progress of a running task, and adds tasks already finished", async () => {
    const t = sim.control.addScanTask({ id: "task-1", scanType: "schedule", hosts: ["web-01", "web-02"] });
    const progress = sim.control.finishScanTask(t.id, { status: "running", succeeded: ["web-01"] });
    expect(progress).toMatchObject({ status: "running", succeeded: 1, scanning: 1 });
    // Failing without a reason gets a generic one for the task's first vulnerability type.
    const done = sim.control.finishScanTask(t.id, { failed: [idOf("web-02")] });
    expect(done).toMatchObject({ status: "finished", succeeded: 1, failed: 1 });
    const [web02] = (await taskHosts(t.id, { scan_status: "failed" })).json.data_list as Row[];
    expect(web02!.failed_reasons).toEqual([{ vul_type: "linux_vul", failed_reason: expect.any(String) }]);

    const past = sim.control.addScanTask({
      status: "finished",
      startTime: 1_700_000_000_000,
      vulTypes: ["windows_vul"],
      hosts: [
        "web-03",
        {
          host: "web-04",
          scanStatus: "failed",
          failedReasons: [{ vulType: "windows_vul", failedReason: "Windows Update service is disabled." }],
        },
      ],
    });
    expect(past).toMatchObject({ status: "finished", succeeded: 1, failed: 1, scanning: 0 });
    expect((await tasks({ task_id: past.id })).json.data_list[0]).toMatchObject({
      start_time: 1_700_000_000_000,
      end_time: sim.control.now(),
      status: "finished",
    });
  });

  it("rejects invalid specs without changing anything", () => {
    const before = sim.control.scanTasks();
    const status = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof SimControlError ? err.status : err;
      }
      return "no error";
    };
    expect(status(() => sim.control.addScanTask({ hosts: ["no-such-server"] }))).toBe(404);
    expect(status(() => sim.control.addScanTask({ hosts: ["web-01", "web-01"] }))).toBe(400);
    expect(status(() => sim.control.addScanTask({ hosts: "web-01" } as never))).toBe(400);
    expect(status(() => sim.control.addScanTask({ hosts: [], scanType: "weekly" as never }))).toBe(400);
    expect(
      status(() =>
        sim.control.addScanTask({ status: "finished", hosts: [{ host: "web-01", scanStatus: "scanning" }] }),
      ),
    ).toBe(400);
    expect(
      status(() =>
        sim.control.addScanTask({ hosts: [{ host: "web-01", failedReasons: [{ failedReason: "x" }] }] }),
      ),
    ).toBe(400);
    expect(status(() => sim.control.addScanTask({ id: before[0]!.id, hosts: [] }))).toBe(409);
    expect(sim.control.scanTasks()).toEqual(before);

    const t = sim.control.addScanTask({ hosts: ["web-01", "web-02"] });
    expect(status(() => sim.control.finishScanTask("nope"))).toBe(404);
    expect(status(() => sim.control.finishScanTask(t.id, { failed: ["db-01"] }))).toBe(400);
    expect(
      status(() => sim.control.finishScanTask(t.id, { failed: ["web-01"], succeeded: ["web-01"] })),
    ).toBe(400);
    expect(
      status(() => sim.control.finishScanTask(t.id, { failed: [{ host: "web-01", failedReasons: [] }] })),
    ).toBe(400);
    expect(sim.control.scanTask(t.id)).toMatchObject({ status: "running", scanning: 2 });
  });

  it("drives scan tasks over /__sim/scan-tasks", async () => {
    const created = await admin(sim, "POST", "/scan-tasks", {
      hosts: ["web-01", { host: "db-02", scanStatus: "scanning" }],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: "running", hostCount: 2, scanning: 2 });
    const id: string = created.json.id;
    expect((await admin(sim, "GET", `/scan-tasks/${id}`)).json).toEqual(created.json);
    expect((await admin(sim, "GET", "/scan-tasks/nope")).status).toBe(404);
    expect((await admin(sim, "GET", "/scan-tasks")).json.map((t: Row) => t.id)).toContain(id);

    const finished = await admin(sim, "POST", `/scan-tasks/${id}/finish`, {
      failed: [
        { host: "db-02", failedReasons: [{ vulType: "app_vul", failedReason: "Insufficient disk space." }] },
      ],
    });
    expect(finished.status).toBe(200);
    expect(finished.json).toMatchObject({ status: "finished", succeeded: 1, failed: 1 });
    const again = await admin(sim, "POST", `/scan-tasks/${id}/finish`, {});
    expect(again.status).toBe(409);
    expect(again.json.error).toContain("already finished");
    expect((await admin(sim, "POST", "/scan-tasks", { hosts: ["nope"] })).status).toBe(404);
    expect((await admin(sim, "POST", "/scan-tasks/nope/finish")).status).toBe(404);
    expect((await admin(sim, "POST", "/scan-tasks", { hosts: 3 })).status).toBe(400);
    expect(sim.control.requests()).toHaveLength(0);

    // Added tasks are part of the world: reset() forgets them.
    await admin(sim, "POST", "/reset");
    expect((await admin(sim, "GET", `/scan-tasks/${id}`)).status).toBe(404);
  });
});
