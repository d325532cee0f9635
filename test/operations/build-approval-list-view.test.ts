/**
 * `/ops approvals`: the message's text (what a notification shows) counts what each section lists, and a
 * scheduled change (approved, waiting for its time) is counted as one, never as "0 of your requests pending".
 */
import { describe, expect, it } from "vitest";
import { buildApprovalListView } from "../../src/operations/build-approval-list-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { makeRequest, T0 } from "./fixtures.js";

const scheduled = makeRequest({
  id: "apr_SCHEDSCHEDSCHEDSCHEDSC",
  status: "approved",
  action: "ecs:cloudServers:reboot",
  commandText: "/ecs reboot web-03 --hard --at 2025-01-01T18:00Z",
  targets: [
    { id: "11111111-0000-0000-0000-000000000003", name: "web-03", status: "ACTIVE", flavor: "s6.medium.2" },
  ],
  parameters: { hard: true },
  approvals: [{ userId: "U_BOB", at: T0 + 1_000 }],
  schedule: { runAt: T0 + 6 * 3_600_000, startBy: T0 + 6 * 3_600_000 + 600_000 },
});

describe("buildApprovalListView's text", () => {
  it("a requester whose only open request is scheduled: one scheduled change, not 0 pending", async () => {
    const kit = renderBlockKit(
      buildApprovalListView([{ request: scheduled, canApprove: false, canCancel: true, scheduled: true }]),
    );
    expectValidBlockKit(kit);
    expect(kit.text).toBe("1 scheduled change you may cancel");
    expect(JSON.stringify(kit)).toContain("*Scheduled changes* (1)");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/approvals-scheduled-only.json");
  });

  it("counts each section listed, leaving out the empty ones", () => {
    const waiting = makeRequest({ id: "apr_WAITWAITWAITWAITWAITWA" });
    const mine = makeRequest({ id: "apr_MINEMINEMINEMINEMINEMI" });
    const text = (items: Parameters<typeof buildApprovalListView>[0]) =>
      renderBlockKit(buildApprovalListView(items)).text;
    expect(
      text([
        { request: waiting, canApprove: true, canCancel: false },
        { request: mine, canApprove: false, canCancel: true },
        { request: scheduled, canApprove: false, canCancel: true, scheduled: true },
      ]),
    ).toBe("1 waiting for your approval, 1 of your requests pending, 1 scheduled change you may cancel");
    expect(text([{ request: waiting, canApprove: true, canCancel: false }])).toBe(
      "1 waiting for your approval",
    );
    expect(text([{ request: mine, canApprove: false, canCancel: true }])).toBe("1 of your requests pending");
    expect(text([])).toBe("No pending approvals you can act on");
  });
});
