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

describe("a staged scheduled change", () => {
  const stage = (name: string, expiresInMs: number) => ({
    name,
    approvers: { users: [], groups: [name] },
    minApprovals: 1,
    allowSelfApproval: false,
    expiresInMs,
    reasonRequired: false,
  });
  /** Team lead (30 minutes), then security (2 hours), for a change starting at `runAt`. */
  const staged = (runAt: number) =>
    makeRequest({
      requirement: requirement({
        approvers: { users: [], groups: ["leads", "security"] },
        minApprovals: 2,
        expiresInMs: 30 * 60_000,
        stages: [stage("leads", 30 * 60_000), stage("security", 2 * 3_600_000)],
      }),
      expiresAt: Math.min(T0 + 30 * 60_000, runAt),
      schedule: { runAt, startBy: runAt + 3_600_000, window: "maint" },
    });

  it("the next stage's expiry is capped at the start time: approval must be complete before it starts", () => {
    const runAt = T0 + 3_600_000;
    const first = applyEvent(staged(runAt), ev.approve("ULEAD", T0 + 5 * 60_000), {
      isApprover: true,
      stages: ["leads"],
    });
    if (!first.ok) throw new Error(noticeText(first.message));
    // Security's 2 hours would end 65 minutes after the start: the start is the deadline.
    expect(first.request.expiresAt).toBe(runAt);
    const late = applyEvent(first.request, ev.approve("USECURITY", runAt + 40 * 60_000), {
      isApprover: true,
      stages: ["security"],
    });
    expect(outcome(late)).toBe("expired");
    expect(late.ok || late.transition?.request.status).toBe("expired");
    const justInTime = applyEvent(first.request, ev.approve("USECURITY", runAt - 1), {
      isApprover: true,
      stages: ["security"],
    });
    expect(outcome(justInTime)).toBe("approved");
  });

  it("a start far enough away leaves the stage its own expiry", () => {
    const runAt = T0 + 24 * 3_600_000;
    const at = T0 + 5 * 60_000;
    const first = applyEvent(staged(runAt), ev.approve("ULEAD", at), { isApprover: true, stages: ["leads"] });
    expect(first.ok && first.request.expiresAt).toBe(at + 2 * 3_600_000);
  });
});

describe("a scheduled change the policy allowed", () => {
  /** Allowed outright: approved at once by the policy's `system:` actor, no person or group approves it. */
  const allowed = () => {
    const r = applyEvent(
      makeRequest({
        requirement: requirement({ approvers: { users: ["system:policy"], groups: [] } }),
        schedule,
      }),
      ev.approve("system:policy", t),
      { isApprover: true },
    );
    if (!r.ok) throw new Error(noticeText(r.message));
    return r.request;
  };

  it("only its requester may cancel it, and anyone else is told why: it has no approvers", () => {
    const refused = applyEvent(allowed(), ev.cancel("UBOB", t + 1), { isApprover: false });
    expect(outcome(refused)).toBe("only_requester_can_cancel");
    expect(noticeText(refused.message)).toBe(
      "Only the requester (<@UREQUESTER>) can cancel this scheduled change: the policy allowed it without approval, so it has no approvers.",
    );
    expect(outcome(applyEvent(allowed(), ev.cancel("UREQUESTER", t + 1), { isApprover: false }))).toBe(
      "cancelled",
    );
  });

  it("one that needs approval still names its approvers as able to cancel it", () => {
    const refused = applyEvent(approvedScheduled(), ev.cancel("URANDOM", t + 1), { isApprover: false });
    expect(noticeText(refused.message)).toContain("or an approver can cancel a scheduled change");
  });
});
