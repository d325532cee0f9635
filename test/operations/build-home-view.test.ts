import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { OPEN_STATUSES, type OpenStatus } from "../../src/approvals/approval-statuses.js";
import { buildHomeView, type HomeViewInput } from "../../src/operations/build-home-view.js";
import type { RunningJob } from "../../src/operations/build-jobs-view.js";
import {
  listActionableApprovals,
  mayApproveNow,
  type Viewer,
} from "../../src/operations/list-actionable-approvals.js";
import { BLOCK_KIT_LIMITS } from "../../src/render/block-kit-limits.js";
import { blockKitViewSchema } from "../../src/render/block-kit-schema.js";
import { md } from "../../src/render/message-model.js";
import { renderBlockKit, VIEW_RENDER_OPTIONS } from "../../src/render/render-block-kit.js";
import { buildNoticeView } from "../../src/views/build-notice-view.js";
import { collectMrkdwn, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { interactiveElements } from "../views/view-test-helpers.js";
import { makeRequest, T0 } from "./fixtures.js";

const PERMALINK = "https://hwc-fake.slack.com/archives/C_OPS/p1700000000000100";
const bob: Viewer = { userId: "U_BOB", teamId: "T0001", groups: ["ops-approvers"] };
const alice: Viewer = { userId: "U_ALICE", teamId: "T0001", groups: ["sre"] };

function render(input: HomeViewInput) {
  const kit = renderBlockKit(buildHomeView(input), VIEW_RENDER_OPTIONS);
  const valid = blockKitViewSchema.safeParse(kit);
  expect(valid.success, valid.success ? "" : JSON.stringify(valid.error.issues, null, 2)).toBe(true);
  return { kit, golden: toGoldenJson(kit), text: JSON.stringify(kit.blocks) };
}

const stop = makeRequest({
  id: "apr_STOPSTOPSTOPSTOPSTOPST",
  action: "ecs:cloudServers:batchStop",
  commandText: "/ecs stop web-01 --hard",
  targets: [
    { id: "11111111-0000-0000-0000-000000000001", name: "web-01", status: "ACTIVE", flavor: "s6.medium.2" },
  ],
  parameters: { hard: true },
  requirement: { ...makeRequest().requirement, minApprovals: 1 },
  createdAt: T0 + 60_000,
  expiresAt: T0 + 31 * 60_000,
});
const running: RunningJob = {
  runId: "run_1",
  requestId: "apr_RUNRUNRUNRUNRUNRUNRUNR",
  operation: "reboot",
  targetNames: ["api-01", "api-02"],
  requesterId: "U_ERIN",
  currentStep: "reboot the servers",
  startedAt: T0 - 95_000,
  resumes: 0,
};

describe("buildHomeView", () => {
  it("an approver: requests waiting for them with Approve/Reject and links, what runs now, the how-to", async () => {
    const partly = makeRequest({ approvals: [{ userId: "U_CAROL", at: T0 + 1_000 }] });
    const { kit, golden, text } = render({
      viewer: bob.userId,
      waiting: [{ request: partly, link: PERMALINK }, { request: stop }],
      mine: [],
      running: [running],
      now: T0 + 120_000,
    });
    await expect(golden).toMatchFileSnapshot("golden/home-approver.json");
    expect(interactiveElements(kit).map((e) => [e.action_id, e.value])).toEqual([
      ["ops.approval.approve", partly.id],
      ["ops.approval.reject", partly.id],
      ["ops.approval.approve.1", stop.id],
      ["ops.approval.reject.1", stop.id],
    ]);
    expect(text).toContain(`<${PERMALINK}|Open the card>`);
    expect(text).toContain("You have no open requests.");
    expect(text).toContain("reboot 2 servers");
  });

  it("a requester: their open requests (Cancel while pending), the answer to their last click on top", async () => {
    const executing = makeRequest({
      id: "apr_EXECEXECEXECEXECEXECEX",
      status: "executing",
      approvals: [
        { userId: "U_BOB", at: T0 + 1_000 },
        { userId: "U_CAROL", at: T0 + 2_000 },
      ],
    });
    const { kit, golden, text } = render({
      viewer: alice.userId,
      waiting: [],
      mine: [{ request: stop, link: PERMALINK }, { request: executing }],
      running: [],
      now: T0 + 120_000,
      notice: buildNoticeView(":ballot_box_with_check:", md`Request cancelled.`),
    });
    await expect(golden).toMatchFileSnapshot("golden/home-requester.json");
    expect(interactiveElements(kit).map((e) => [e.action_id, e.value])).toEqual([
      ["ops.approval.cancel", stop.id],
    ]);
    expect(text.indexOf("Request cancelled.")).toBeLessThan(text.indexOf("Waiting for your approval"));
    expect(text).toContain("Nothing is waiting for your approval.");
    expect(text).toContain("running: follow it in the request");
    expect(text).toContain("Nothing is running.");
  });

  it("scheduled changes: when each runs, with Cancel for the requester or an approver", async () => {
    const scheduled = makeRequest({
      id: "apr_SCHEDSCHEDSCHEDSCHEDSC",
      status: "approved",
      approvals: [
        { userId: "U_BOB", at: T0 + 1_000 },
        { userId: "U_CAROL", at: T0 + 2_000 },
      ],
      schedule: { runAt: T0 + 3_600_000, startBy: T0 + 7_200_000, window: "maint" },
    });
    const { kit, golden, text } = render({
      viewer: bob.userId,
      waiting: [],
      mine: [],
      scheduled: [{ request: scheduled, link: PERMALINK }],
      running: [],
      now: T0 + 120_000,
    });
    await expect(golden).toMatchFileSnapshot("golden/home-scheduled.json");
    expect(interactiveElements(kit).map((e) => [e.action_id, e.value])).toEqual([
      ["ops.approval.cancel", scheduled.id],
    ]);
    expect(text).toContain("*Scheduled changes* (1)");
    expect(text).toContain("when the maintenance window `maint` opens");
  });

  it("nothing to do: says so in every section", async () => {
    const { golden, kit } = render({ viewer: "U_DAVE", waiting: [], mine: [], running: [], now: T0 });
    await expect(golden).toMatchFileSnapshot("golden/home-empty.json");
    expect(interactiveElements(kit)).toEqual([]);
  });

  it("a run on servers with long names keeps who asked (and the thread link) whole: the names give way", async () => {
    const names = Array.from(
      { length: 8 },
      (_, i) => `payments-frontend-production-eu-${String(i + 1).padStart(2, "0")}`,
    );
    const { golden, text } = render({
      viewer: "U_DAVE",
      waiting: [],
      mine: [],
      running: [
        { ...running, runId: "run_long", targetNames: names, currentStep: "wait until they are back up" },
        {
          ...running,
          runId: "run_linked",
          targetNames: names.slice(0, 3),
          currentStep: "wait until they are back up",
          link: PERMALINK,
        },
      ],
      now: T0,
    });
    expect(text).toContain(
      "payments-frontend-production-eu-03 +5 more · now: wait until they are back up · for 1m 35s · by <@U_ERIN>",
    );
    expect(text).toContain(
      `eu-01 +2 more · now: wait until they are back up · for 1m 35s · by <@U_ERIN> · <${PERMALINK}|Open the thread>`,
    );
    expect(text).not.toContain("…");
    await expect(golden).toMatchFileSnapshot("golden/home-running-long-names.json");
  });

  it("parts the policy withholds: one line each naming the command, no content, no count, none in the text", async () => {
    const partly = makeRequest({ approvals: [{ userId: "U_CAROL", at: T0 + 1_000 }] });
    const { golden, text, kit } = render({
      viewer: "U_DAVE",
      waiting: [],
      mine: [],
      running: [running],
      now: T0,
      withheld: new Set(["requests"]),
    });
    await expect(golden).toMatchFileSnapshot("golden/home-withheld-requests.json");
    expect(text).toContain("Not shown: the policy does not let you use `/ops approvals`");
    expect(text).not.toContain("Waiting for your approval");
    expect(text).not.toContain("Your open requests");
    expect(text).toContain("*Running now* (1)");
    expect(kit.text).toBe("1 running");
    expect(interactiveElements(kit)).toEqual([]);

    const all = render({
      viewer: "U_DAVE",
      // Even given data, a withheld part shows none of it.
      waiting: [{ request: partly, link: PERMALINK }],
      mine: [{ request: stop }],
      running: [running],
      now: T0,
      withheld: new Set(["requests", "running", "help"]),
    });
    await expect(all.golden).toMatchFileSnapshot("golden/home-withheld-all.json");
    expect(all.kit.text).toBe("hwc-chatops");
    expect(all.text).not.toContain(partly.id);
    expect(all.text).not.toContain(stop.id);
    expect(all.text).not.toContain("api-01");
    expect(all.text).not.toContain(PERMALINK);
    expect(all.text).toContain("`/ops jobs`");
    expect(all.text).toContain("`/ops help`");
    expect(interactiveElements(all.kit)).toEqual([]);
  });

  it("hostile names and commands stay text", () => {
    const hostile = makeRequest({
      commandText: "/ecs delete <!channel> <@U_BOB>",
      targets: [
        { id: "11111111-0000-0000-0000-000000000009", name: "<!channel>", status: "ACTIVE", flavor: "x" },
      ],
    });
    const { kit } = render({
      viewer: bob.userId,
      waiting: [{ request: hostile }],
      mine: [{ request: hostile }],
      running: [{ ...running, targetNames: ["<https://evil.example|Approve>"], currentStep: "*bold*" }],
      now: T0,
    });
    // Only our own mentions (the requester, by ID) are live; every untrusted value is escaped text.
    for (const text of collectMrkdwn(kit)) {
      // (Our own date tokens, `<!date^…>`, are the only control sequences besides the requester's mention.)
      expect(text).not.toMatch(/<!(?!date\^)|<#|<https?:|<@U_BOB>/);
      expect(text.replaceAll("<@U_ALICE>", "").replaceAll("<@U_ERIN>", "")).not.toContain("<@");
    }
    const all = collectMrkdwn(kit).join("\n");
    expect(all).toContain("&lt;!channel&gt;");
    expect(all).toContain("&lt;https://evil.example|Approve&gt;");
  });

  it("a crowded Home stays within 100 blocks with unique action IDs and says what it left out", () => {
    const many = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({
        request: makeRequest({ id: `apr_${prefix}${String(i).padStart(21 - prefix.length, "0")}` }),
        link: PERMALINK,
      }));
    const { kit, text } = render({
      viewer: bob.userId,
      waiting: many(40, "W"),
      mine: many(30, "M"),
      running: Array.from({ length: 200 }, (_, i) => ({ ...running, runId: `run_${i}` })),
      now: T0,
    });
    expect(kit.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blocksPerView);
    // What the tab says it left out is what it left out, and it promises no list that shows them.
    expect(text).toContain("…and 25 more not shown here. The oldest are listed first");
    expect(text).toContain("…and 20 more not shown here.");
    expect(text).not.toContain("lists them.");
    expect(text).toContain("…and 180 more");
    // The how-to at the end is never cut off by the lists.
    expect(text).toContain("How to use hwc-chatops");
  });
});

describe("who may approve what, as the card's click judges it", () => {
  const now = T0 + 60_000;
  it.each<[string, Partial<ApprovalRequest>, Viewer, boolean]>([
    ["a listed group's member", {}, bob, true],
    ["someone outside the approvers", {}, { ...bob, groups: ["sre"] }, false],
    [
      "a listed user by ID",
      { requirement: { ...makeRequest().requirement, approvers: { users: ["U_DAVE"], groups: [] } } },
      { userId: "U_DAVE", teamId: "T0001", groups: [] },
      true,
    ],
    ["an approver of another team", {}, { ...bob, teamId: "T9999" }, false],
    ["the requester (no self-approval)", {}, { ...alice, groups: ["ops-approvers"] }, false],
    [
      "the requester when the rule allows self-approval",
      { requirement: { ...makeRequest().requirement, allowSelfApproval: true } },
      { ...alice, groups: ["ops-approvers"] },
      true,
    ],
    ["an approver who approved already", { approvals: [{ userId: "U_BOB", at: T0 }] }, bob, false],
    ["a request past its expiry", { expiresAt: now }, bob, false],
    ["a decided request", { status: "approved" }, bob, false],
    [
      "a request the policy allowed",
      { requirement: { ...makeRequest().requirement, approvers: { users: ["system:policy"], groups: [] } } },
      { ...bob, userId: "system:policy" },
      false,
    ],
  ])("%s", (_label, overrides, viewer, expected) => {
    expect(mayApproveNow(makeRequest(overrides), viewer, now)).toBe(expected);
  });

  it("lists what the viewer may approve, then their own open requests, oldest first, each once", async () => {
    const byStatus: Record<OpenStatus, ApprovalRequest[]> = {
      pending: [
        makeRequest({ id: "apr_B0000000000000000000", createdAt: T0 + 2 }),
        makeRequest({ id: "apr_A0000000000000000000", createdAt: T0 + 1 }),
        makeRequest({ id: "apr_X0000000000000000000", requester: { userId: "U_BOB", teamId: "T0001" } }),
        makeRequest({ id: "apr_E0000000000000000000", expiresAt: T0 }),
      ],
      approved: [makeRequest({ id: "apr_P0000000000000000000", status: "approved" })],
      executing: [
        makeRequest({
          id: "apr_R0000000000000000000",
          status: "executing",
          requester: { userId: "U_BOB", teamId: "T0001" },
        }),
      ],
    };
    const approvals = { listByStatus: async (s: OpenStatus) => byStatus[s] };
    expect(OPEN_STATUSES).toEqual(Object.keys(byStatus));
    const forBob = await listActionableApprovals(approvals, bob, T0 + 10);
    expect(forBob.waiting.map((r) => r.id)).toEqual(["apr_A0000000000000000000", "apr_B0000000000000000000"]);
    expect(forBob.mine.map((r) => r.id)).toEqual(["apr_R0000000000000000000", "apr_X0000000000000000000"]);
    const forAlice = await listActionableApprovals(approvals, alice, T0 + 10);
    expect(forAlice.waiting).toEqual([]);
    // Oldest first; the expired one the sweeper has not reached yet is left out.
    expect(forAlice.mine.map((r) => r.id)).toEqual([
      "apr_P0000000000000000000",
      "apr_A0000000000000000000",
      "apr_B0000000000000000000",
    ]);
  });

  it("lists scheduled changes waiting for their time for the requester and the approvers, soonest first", async () => {
    const at = (id: string, runAt: number) =>
      makeRequest({ id, status: "approved", schedule: { runAt, startBy: runAt + 60_000 } });
    const byStatus: Record<OpenStatus, ApprovalRequest[]> = {
      pending: [],
      approved: [at("apr_L0000000000000000000", T0 + 9_000), at("apr_S0000000000000000000", T0 + 5_000)],
      executing: [],
    };
    const approvals = { listByStatus: async (s: OpenStatus) => byStatus[s] };
    const ids = ["apr_S0000000000000000000", "apr_L0000000000000000000"];
    expect((await listActionableApprovals(approvals, alice, T0)).scheduled.map((r) => r.id)).toEqual(ids);
    expect((await listActionableApprovals(approvals, alice, T0)).mine).toEqual([]);
    expect((await listActionableApprovals(approvals, bob, T0)).scheduled.map((r) => r.id)).toEqual(ids);
    const dave: Viewer = { userId: "U_DAVE", teamId: "T0001", groups: [] };
    expect((await listActionableApprovals(approvals, dave, T0)).scheduled).toEqual([]);
  });
});
