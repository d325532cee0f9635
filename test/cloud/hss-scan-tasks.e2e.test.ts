import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { NotifierCloud } from "../../src/notify/index.js";
import { type SimClient, startSimClient } from "./helpers/start-sim-client.js";

describe("HSS vulnerability scan tasks against the simulated cloud", () => {
  let env: SimClient;
  const scanCalls = () =>
    env.sim.control.requests().filter((r) => r.path.endsWith("/vulnerability/scan-tasks"));

  beforeAll(async () => {
    env = await startSimClient();
  });
  beforeEach(() => env.sim.control.reset());
  afterAll(async () => {
    await env.close();
  });

  it("lists every task with its status and host counts, in the configured enterprise project", async () => {
    const { totalNum, items } = await env.client.hss.listScanTasks();
    const views = env.sim.control.scanTasks();
    expect(totalNum).toBe(views.length);
    expect(items.map((t) => t.id)).toEqual(views.map((v) => v.id));
    for (const view of views) {
      expect(items.find((t) => t.id === view.id)).toMatchObject({
        status: view.status,
        scanVulTypes: view.vulTypes,
        successHostNum: view.succeeded,
        failedHostNum: view.failed,
        scanningHostNum: view.scanning,
        scanType: expect.stringMatching(/^(manual|schedule)$/),
        startTime: expect.any(Number),
      });
    }
    expect(items.find((t) => t.status === "running")?.endTime).toBe(-1);
    expect(scanCalls().every((c) => c.query.enterprise_project_id === "all_granted_eps")).toBe(true);
  });

  it("sends the filters and pages by offset", async () => {
    for (let i = 0; i < 12; i++) env.sim.control.addScanTask({ hosts: ["web-01"], scanType: "schedule" });
    env.sim.control.clearRequests();
    const all = await env.client.hss.listScanTasks({ pageSize: 10, concurrency: 1 });
    expect(all.totalNum).toBe(15);
    expect(new Set(all.items.map((t) => t.id)).size).toBe(15);
    expect(scanCalls().map((c) => [c.query.offset, c.query.limit])).toEqual([
      ["0", "10"],
      ["10", "10"],
    ]);

    const [one] = all.items;
    const byId = await env.client.hss.listScanTasks({ taskId: one!.id });
    expect(byId.items.map((t) => t.id)).toEqual([one!.id]);
    const manual = await env.client.hss.listScanTasks({ scanType: "manual", enterpriseProjectId: "0" });
    expect(manual.items.length).toBeGreaterThan(0);
    expect(manual.items.every((t) => t.scanType === "manual")).toBe(true);
    expect(scanCalls().at(-1)?.query).toMatchObject({ scan_type: "manual", enterprise_project_id: "0" });
    const since = await env.client.hss.listScanTasks({ minStartTime: env.sim.control.now() });
    expect(since.items).toHaveLength(12);
    const capped = await env.client.hss.listScanTasks({ maxRecords: 3 });
    expect(capped.items).toHaveLength(3);
  });

  it("sees a task finish with failed hosts, whose reasons the task-host list gives", async () => {
    const task = env.sim.control.addScanTask({ hosts: ["web-01", "web-02", "db-01"] });
    const before = await env.client.hss.listScanTasks({ taskId: task.id });
    expect(before.items[0]).toMatchObject({ status: "running", scanningHostNum: 3, failedHostNum: 0 });

    env.sim.control.finishScanTask(task.id, {
      failed: [
        { host: "db-01", failedReasons: [{ vulType: "app_vul", failedReason: "Insufficient disk space." }] },
      ],
    });
    const after = await env.client.hss.listScanTasks({ taskId: task.id });
    expect(after.items[0]).toMatchObject({ status: "finished", successHostNum: 2, failedHostNum: 1 });
    const failed = await env.client.hss.listScanTaskHosts(task.id, { scanStatus: "failed" });
    expect(failed.items).toEqual([
      expect.objectContaining({
        hostId: env.sim.control.server("db-01")!.id,
        hostName: "db-01",
        failedReasons: [{ vulType: "app_vul", failedReason: "Insufficient disk space." }],
      }),
    ]);
  });

  it("serves the notifier's optional listScanTasks contract (page options as the only argument)", async () => {
    // Compile-time: the client is assignable to what the notifier reads.
    const cloud: NotifierCloud = env.client;
    expect(typeof cloud.hss.listScanTasks).toBe("function");
    const listing = await cloud.hss.listScanTasks!({ pageSize: 10 });
    expect(listing.items.map((t) => t.id)).toEqual(env.sim.control.scanTasks().map((t) => t.id));
    expect(scanCalls().at(-1)?.query.limit).toBe("10");
  });
});
