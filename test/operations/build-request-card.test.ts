import { describe, expect, it } from "vitest";
import { buildRequestCard } from "../../src/operations/build-request-card.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { makeDetails, makeRequest, T0 } from "./fixtures.js";

/** The rendered card: all texts joined, and its buttons. */
function render(...args: Parameters<typeof buildRequestCard>) {
  const rendered = renderBlockKit(buildRequestCard(...args));
  const json = JSON.stringify(rendered.blocks);
  const buttons = rendered.blocks.flatMap((b) =>
    b.type === "actions" ? (b.elements as { action_id: string; value?: string }[]) : [],
  );
  return { text: `${rendered.text}\n${json}`, buttons };
}

describe("buildRequestCard", () => {
  it("a pending approval card shows who, what, exact targets, parameters, preflight, rules, k of N, expiry and the buttons", () => {
    const { text, buttons } = render({ request: makeRequest(), details: makeDetails() });
    for (const expected of [
      "Approval needed",
      "<@U_ALICE>",
      "/ecs delete web-03 web-04",
      "web-03",
      "11111111-0000-0000-0000-000000000003",
      "11111111-0000-0000-0000-000000000004",
      "data disks kept",
      "EIPs kept",
      "Preflight",
      "delete-needs-two-approvals",
      "flows/policy.yml:96",
      "*Approvals:* 0 of 2",
      "@ops-approvers",
      "not the requester",
      "Expires 2025-01-01 12:30:00 UTC",
      "Rejecting needs a reason",
    ]) {
      expect(text).toContain(expected);
    }
    expect(buttons.map((b) => b.action_id)).toEqual([
      "ops.approval.approve",
      "ops.approval.reject",
      "ops.approval.cancel",
    ]);
    // The buttons carry the opaque request ID and nothing else.
    expect(new Set(buttons.map((b) => b.value))).toEqual(new Set(["apr_AAAAAAAAAAAAAAAAAAAAAA"]));
  });

  it("shows the approvals so far by whom", () => {
    const request = makeRequest({ approvals: [{ userId: "U_BOB", at: T0 + 1000 }] });
    expect(render({ request, details: makeDetails() }).text).toContain("*Approvals:* 1 of 2 — <@U_BOB>");
  });

  it("a rejected request: who and why, no buttons", () => {
    const request = makeRequest({
      status: "rejected",
      rejection: { userId: "U_BOB", reason: "not during the sale", at: T0 + 1 },
    });
    const { text, buttons } = render({ request, details: makeDetails() });
    expect(text).toContain("Rejected by <@U_BOB>: not during the sale");
    expect(buttons).toEqual([]);
  });

  it("cancelled and expired requests say so, without buttons", () => {
    const cancelled = render({
      request: makeRequest({ status: "cancelled", cancellation: { userId: "U_ALICE", at: T0 + 1 } }),
      details: makeDetails(),
    });
    expect(cancelled.text).toContain("Cancelled by <@U_ALICE>");
    expect(cancelled.buttons).toEqual([]);
    const expired = render({
      request: makeRequest({ status: "expired", expiredAt: T0 + 31 * 60_000 }),
      details: makeDetails(),
    });
    expect(expired.text).toContain("Expired at 2025-01-01 12:31:00 UTC");
    expect(expired.buttons).toEqual([]);
  });

  it("running and finished requests point to the thread and show the result", () => {
    const approvals = [
      { userId: "U_BOB", at: T0 + 1 },
      { userId: "U_CAROL", at: T0 + 2 },
    ];
    const running = render({
      request: makeRequest({
        status: "executing",
        approvals,
        execution: { executionId: "run_1", startedAt: T0 + 3 },
      }),
      details: makeDetails(),
    });
    expect(running.text).toContain("Running");
    expect(running.text).toContain("thread");
    const done = render({
      request: makeRequest({
        status: "failed",
        approvals,
        execution: { executionId: "run_1", startedAt: T0 + 3, finishedAt: T0 + 9000, outcome: "failed" },
      }),
      details: makeDetails({
        result: { status: "failed", summary: "1 deleted, 1 failed", durationMs: 9000 },
      }),
    });
    expect(done.text).toContain("*Result:* 1 deleted, 1 failed in 9s");
    const aborted = render({
      request: makeRequest({ status: "failed", approvals }),
      details: makeDetails({ result: { status: "aborted", summary: "aborted, nothing changed" } }),
    });
    expect(aborted.text).toContain("the servers changed since approval");
  });

  it("a request the policy allowed has no approval section and no buttons", () => {
    const request = makeRequest({
      status: "approved",
      requirement: {
        ...makeRequest().requirement,
        approvers: { users: ["system:policy"], groups: [] },
        minApprovals: 1,
      },
      approvals: [{ userId: "system:policy", at: T0 }],
    });
    const { text, buttons } = render({ request, details: makeDetails({ kind: "allowed" }) });
    expect(text).toContain("Allowed by policy");
    expect(text).not.toContain("Approvals:");
    expect(buttons).toEqual([]);
  });

  it("escapes untrusted names and commands", () => {
    const request = makeRequest({
      commandText: "/ecs delete <!channel>",
      targets: [
        {
          id: "11111111-0000-0000-0000-000000000009",
          name: "<!here> *x*",
          status: "ACTIVE",
          flavor: "s6.medium.2",
        },
      ],
    });
    const { text } = render({ request, details: undefined });
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<!here>");
  });
});
