import { describe, expect, it } from "vitest";
import { noticeText } from "../../src/approvals/approval-notice.js";
import { type ApplyResult, applyEvent, approvalEvents as ev } from "../../src/approvals/approval-state.js";
import { makeRequest, requirement, T0 } from "./make-request.js";

const t = T0 + 1000;
const schedule = { runAt: T0 + 3_600_000, startBy: T0 + 7_200_000, window: "maint" };

function approvedScheduled() {
  const r = applyEvent(
    makeRequest({ requirement: requirement({ minApprovals: 1 }), schedule }),
    ev.approve("UAPPROVER1", t),
    { isApprover: true },
  );
  if (!r.ok) throw new Error(noticeText(r.message));
  return r.request;
}

const outcome = (r: ApplyResult) => (r.ok ? r.request.status : r.code);

describe("a scheduled change waiting for its time", () => {
  it("is approved and stays approved until it starts", () => {
    expect(approvedScheduled().status).toBe("approved");
  });

  it("can be cancelled by its requester or an approver, not by anyone else", () => {
    const request = approvedScheduled();
    expect(outcome(applyEvent(request, ev.cancel("UREQUESTER", t + 1), { isApprover: false }))).toBe(
      "cancelled",
    );
    expect(outcome(applyEvent(request, ev.cancel("UAPPROVER2", t + 1), { isApprover: true }))).toBe(
      "cancelled",
    );
    expect(outcome(applyEvent(request, ev.cancel("URANDOM", t + 1), { isApprover: false }))).toBe(
      "only_requester_can_cancel",
    );
  });

  it("an approved change that is not scheduled cannot be cancelled: it is starting", () => {
    const r = applyEvent(
      makeRequest({ requirement: requirement({ minApprovals: 1 }) }),
      ev.approve("UAPPROVER1", t),
      {
        isApprover: true,
      },
    );
    if (!r.ok) throw new Error("approve failed");
    expect(outcome(applyEvent(r.request, ev.cancel("UREQUESTER", t + 1), { isApprover: false }))).toBe(
      "not_pending",
    );
  });

  it("once started, it can no longer be cancelled", () => {
    const started = applyEvent(approvedScheduled(), ev.startExecution("run_1", schedule.runAt), {
      isApprover: false,
    });
    if (!started.ok) throw new Error("start failed");
    expect(outcome(applyEvent(started.request, ev.cancel("UREQUESTER", schedule.runAt + 1)))).toBe(
      "not_pending",
    );
  });

  it("a missed start revokes it as lapsed", () => {
    const r = applyEvent(approvedScheduled(), {
      type: "revoke",
      reasons: ["the maintenance window maint closed before the change could start"],
      at: schedule.startBy,
      lapsed: true,
    });
    expect(r.ok && r.request.revocation).toEqual({
      at: schedule.startBy,
      reasons: ["the maintenance window maint closed before the change could start"],
      lapsed: true,
    });
  });
});
