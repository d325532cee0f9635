import { describe, expect, it } from "vitest";
import type { ScanTask } from "../../src/cloud/types.js";
import { buildScanTaskListView } from "../../src/views/build-scan-task-list-view.js";
import { expectHarmless, interactiveElements, render } from "./view-test-helpers.js";

const T0 = Date.UTC(2024, 4, 22, 7, 48);

function task(i: number, extra: Partial<ScanTask> = {}): ScanTask {
  return {
    id: `4e1b0a7c-000${i}`,
    status: i === 0 ? "running" : "finished",
    scanType: i % 2 === 0 ? "manual" : "schedule",
    startTime: T0 - i * 86_400_000,
    endTime: i === 0 ? -1 : T0 - i * 86_400_000 + 600_000,
    scanVulTypes: ["linux_vul", "web_cms"],
    scanningHostNum: i === 0 ? 3 : 0,
    successHostNum: 10 - i,
    failedHostNum: i,
    ...extra,
  };
}

describe("buildScanTaskListView", () => {
  it("recent tasks newest first: status, type, start, host counts, IDs to type back, paging and sharing", async () => {
    const tasks = [0, 1, 2].map((i) => task(i));
    const { kit, golden } = render(
      buildScanTaskListView({ tasks, total: 3, page: 1, controls: { token: "tok" } }),
    );
    const text = JSON.stringify(kit);
    expect(text).toContain("`4e1b0a7c-0000`");
    expect(text).toContain("3 scanning");
    expect(text).toContain("2 failed");
    expect(text).toContain("/hss scan &lt;task_id&gt;");
    expect(interactiveElements(kit)).toEqual([{ action_id: "q.share", type: "button", value: "1:tok" }]);
    await expect(golden).toMatchFileSnapshot("golden/scan-task-list.json");
  });

  it("none: says so; hostile values stay harmless", () => {
    const empty = JSON.stringify(render(buildScanTaskListView({ tasks: [], total: 0, page: 1 })).kit);
    expect(empty).toContain("No vulnerability scan tasks");
    const { kit } = render(
      buildScanTaskListView({
        tasks: [task(1, { status: "<!channel>", scanType: "*x*", scanVulTypes: ["`a`", "<@U0ADMIN>"] })],
        total: 1,
        page: 1,
      }),
    );
    expectHarmless(kit);
  });
});
