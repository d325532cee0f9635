import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auditEntryFor } from "../../src/approvals/approval-audit-entries.js";
import { noticeText } from "../../src/approvals/approval-notice.js";
import { type ApprovalRequest, ApprovalRequestSchema } from "../../src/approvals/approval-request.js";
import {
  type ApplyResult,
  type ApprovalEvent,
  applyEvent,
  type ClickAuthz,
  approvalEvents as ev,
} from "../../src/approvals/approval-state.js";
import {
  ACTIONABLE_STATUSES,
  APPROVAL_STATUSES,
  OPEN_STATUSES,
  TERMINAL_STATUSES,
  TRANSITIONS,
} from "../../src/approvals/approval-statuses.js";
import { makeRequest, requirement, T0 } from "./make-request.js";

const APPROVER: ClickAuthz = { isApprover: true };
const NOBODY: ClickAuthz = { isApprover: false };
const t = T0 + 1000;

function ok(result: ApplyResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${noticeText(result.message)}`);
  return result;
}
function refused(result: ApplyResult) {
  if (result.ok) throw new Error(`expected a refusal, got ok: ${noticeText(result.message)}`);
  return result;
}
/** Applies events in order, each must succeed. */
function run(request: ApprovalRequest, ...events: Array<[ApprovalEvent, ClickAuthz?]>): ApprovalRequest {
  return events.reduce((r, [event, authz]) => ok(applyEvent(r, event, authz)).request, request);
}

describe("status sets", () => {
  it("partition the statuses and agree with the transition table", () => {
    expect([...TERMINAL_STATUSES, ...OPEN_STATUSES].sort()).toEqual([...APPROVAL_STATUSES].sort());
    for (const s of TERMINAL_STATUSES) expect(TRANSITIONS[s]).toEqual([]);
    for (const s of OPEN_STATUSES) expect(TRANSITIONS[s].length).toBeGreaterThan(0);
    expect(ACTIONABLE_STATUSES).toEqual(["pending"]);
  });
});

describe("approve", () => {
  it("one approval of one needed approves", () => {
    const result = ok(applyEvent(makeRequest(), ev.approve("UAPPROVER1", t), APPROVER));
    expect(result.changed).toBe(true);
    expect(result.request).toMatchObject({
      status: "approved",
      approvals: [{ userId: "UAPPROVER1", at: t }],
      version: 2,
    });
    expect(result.effects).toEqual([
      { type: "approval_recorded", userId: "UAPPROVER1", at: t, count: 1, required: 1 },
      { type: "approved", userId: "UAPPROVER1", at: t, approvers: ["UAPPROVER1"] },
    ]);
  });

  it("k of N: stays pending until k distinct approvers", () => {
    const request = makeRequest({ requirement: requirement({ minApprovals: 2 }) });
    const first = ok(applyEvent(request, ev.approve("UAPPROVER1", t), APPROVER));
    expect(first.request.status).toBe("pending");
    expect(first.effects).toEqual([
      { type: "approval_recorded", userId: "UAPPROVER1", at: t, count: 1, required: 2 },
    ]);
    expect(noticeText(first.message)).toMatch(/1 of 2/);

    const again = ok(applyEvent(first.request, ev.approve("UAPPROVER1", t + 1), APPROVER));
    expect(again).toMatchObject({ changed: false, effects: [], request: first.request });
    expect(noticeText(again.message)).toMatch(/already approved.*1 of 2/);

    const second = ok(applyEvent(first.request, ev.approve("UAPPROVER2", t + 2), APPROVER));
    expect(second.request.status).toBe("approved");
    expect(second.request.approvals.map((a) => a.userId)).toEqual(["UAPPROVER1", "UAPPROVER2"]);
    expect(second.effects.map((e) => e.type)).toEqual(["approval_recorded", "approved"]);
  });

  it("a repeat by an approver after approval is a no-op; anyone else is told who approved", () => {
    const approved = run(makeRequest(), [ev.approve("UAPPROVER1", t), APPROVER]);
    const repeat = ok(applyEvent(approved, ev.approve("UAPPROVER1", t + 1), APPROVER));
    expect(repeat).toMatchObject({ changed: false, effects: [] });
    expect(noticeText(repeat.message)).toMatch(/already approved/);
    const late = refused(applyEvent(approved, ev.approve("UAPPROVER2", t + 1), APPROVER));
    expect(late.code).toBe("not_pending");
    expect(noticeText(late.message)).toContain("approved by <@UAPPROVER1>");
  });

  it("refuses non-approvers", () => {
    expect(refused(applyEvent(makeRequest(), ev.approve("URANDOM", t), NOBODY)).code).toBe("not_an_approver");
  });

  it("refuses self approval unless the rule allows it", () => {
    const self = refused(applyEvent(makeRequest(), ev.approve("UREQUESTER", t), APPROVER));
    expect(self.code).toBe("self_approval");
    const allowed = makeRequest({ requirement: requirement({ allowSelfApproval: true, minApprovals: 2 }) });
    const counted = ok(applyEvent(allowed, ev.approve("UREQUESTER", t), APPROVER));
    expect(counted.request.approvals).toEqual([{ userId: "UREQUESTER", at: t }]);
    expect(refused(applyEvent(allowed, ev.approve("UREQUESTER", t), NOBODY)).code).toBe("not_an_approver");
  });
});

describe("reject", () => {
  it("one rejection rejects (veto), with the reason", () => {
    const result = ok(
      applyEvent(makeRequest(), ev.reject("UAPPROVER1", "  not during freeze ", t), APPROVER),
    );
    expect(result.request).toMatchObject({
      status: "rejected",
      rejection: { userId: "UAPPROVER1", reason: "not during freeze", at: t },
    });
    expect(result.effects).toEqual([
      { type: "rejected", userId: "UAPPROVER1", reason: "not during freeze", at: t },
    ]);
  });

  it("a rejection after a partial approval still rejects", () => {
    const request = makeRequest({ requirement: requirement({ minApprovals: 2 }) });
    const rejected = run(
      request,
      [ev.approve("UAPPROVER1", t), APPROVER],
      [ev.reject("UAPPROVER2", undefined, t), APPROVER],
    );
    expect(rejected.status).toBe("rejected");
  });

  it("requires a reason when the rule says so", () => {
    const request = makeRequest({ requirement: requirement({ reasonRequired: true }) });
    expect(refused(applyEvent(request, ev.reject("UAPPROVER1", undefined, t), APPROVER)).code).toBe(
      "reason_required",
    );
    expect(refused(applyEvent(request, ev.reject("UAPPROVER1", "   ", t), APPROVER)).code).toBe(
      "reason_required",
    );
    expect(ok(applyEvent(request, ev.reject("UAPPROVER1", "risky", t), APPROVER)).request.status).toBe(
      "rejected",
    );
  });

  it("refuses non-approvers, pointing the requester at Cancel", () => {
    expect(refused(applyEvent(makeRequest(), ev.reject("URANDOM", "x", t), NOBODY)).code).toBe(
      "not_an_approver",
    );
    const own = refused(applyEvent(makeRequest(), ev.reject("UREQUESTER", "x", t), NOBODY));
    expect(own.code).toBe("not_an_approver");
    expect(noticeText(own.message)).toMatch(/Cancel/);
  });

  it("a repeated rejection by the same user is a no-op; others are told who rejected", () => {
    const rejected = run(makeRequest(), [ev.reject("UAPPROVER1", "nope", t), APPROVER]);
    expect(ok(applyEvent(rejected, ev.reject("UAPPROVER1", "nope", t + 1), APPROVER)).changed).toBe(false);
    const other = refused(applyEvent(rejected, ev.reject("UAPPROVER2", "me too", t + 1), APPROVER));
    expect(other.code).toBe("not_pending");
    expect(noticeText(other.message)).toContain("rejected by <@UAPPROVER1>: nope");
  });

  it("keeps a reason as text in every notice: a mention typed into it never becomes a mention part", () => {
    const reason = "ask <@UOUTSIDER> and <!channel>";
    const rejection = ok(applyEvent(makeRequest(), ev.reject("UAPPROVER1", reason, t), APPROVER));
    expect(rejection.message).toEqual([`Rejected: ${reason}`]);
    const later = refused(applyEvent(rejection.request, ev.approve("UAPPROVER2", t + 1), APPROVER));
    expect(later.message).toEqual([
      "This request was already rejected by ",
      { user: "UAPPROVER1" },
      `: ${reason}.`,
    ]);
    fc.assert(
      fc.property(fc.string(), (typed) => {
        const r = ok(applyEvent(makeRequest(), ev.reject("UAPPROVER1", `x ${typed}`, t), APPROVER)).request;
        const notice = refused(applyEvent(r, ev.approve("UAPPROVER2", t + 1), APPROVER)).message;
        expect(notice.filter((p) => typeof p !== "string")).toEqual([{ user: "UAPPROVER1" }]);
      }),
    );
  });
});

describe("approve racing reject", () => {
  it("approve first: the reject is refused, saying who approved", () => {
    const approved = run(makeRequest(), [ev.approve("UAPPROVER1", t), APPROVER]);
    const late = refused(applyEvent(approved, ev.reject("UAPPROVER2", "no", t), APPROVER));
    expect(late.code).toBe("not_pending");
    expect(noticeText(late.message)).toContain("approved by <@UAPPROVER1>");
  });

  it("reject first: the approve is refused, saying who rejected", () => {
    const rejected = run(makeRequest(), [ev.reject("UAPPROVER2", "no", t), APPROVER]);
    const late = refused(applyEvent(rejected, ev.approve("UAPPROVER1", t), APPROVER));
    expect(late.code).toBe("not_pending");
    expect(noticeText(late.message)).toContain("rejected by <@UAPPROVER2>: no");
  });
});

describe("cancel", () => {
  it("only the requester cancels, only while pending", () => {
    expect(refused(applyEvent(makeRequest(), ev.cancel("UAPPROVER1", t), APPROVER)).code).toBe(
      "only_requester_can_cancel",
    );
    const cancelled = ok(applyEvent(makeRequest(), ev.cancel("UREQUESTER", t), NOBODY));
    expect(cancelled.request).toMatchObject({
      status: "cancelled",
      cancellation: { userId: "UREQUESTER", at: t },
    });
    expect(cancelled.effects).toEqual([{ type: "cancelled", userId: "UREQUESTER", at: t }]);
    expect(ok(applyEvent(cancelled.request, ev.cancel("UREQUESTER", t + 1), NOBODY)).changed).toBe(false);
    const approve = refused(applyEvent(cancelled.request, ev.approve("UAPPROVER1", t + 1), APPROVER));
    expect(noticeText(approve.message)).toContain("cancelled by <@UREQUESTER>");
    const approved = run(makeRequest(), [ev.approve("UAPPROVER1", t), APPROVER]);
    expect(refused(applyEvent(approved, ev.cancel("UREQUESTER", t + 1), NOBODY)).code).toBe("not_pending");
  });

  it("superseded by a break-glass run: recorded on the request and in its audit entry, and a late click is told", () => {
    const glassId = "apr_BreakGlass0123456789abcd";
    const supersededBy = { requestId: glassId, link: "https://slack.example/archives/C1/p1" };
    const cancel: ApprovalEvent = { type: "cancel", userId: "UREQUESTER", at: t, supersededBy };
    const result = ok(applyEvent(makeRequest(), cancel, NOBODY));
    expect(ApprovalRequestSchema.parse(result.request).cancellation).toEqual({
      userId: "UREQUESTER",
      at: t,
      supersededBy,
    });
    // The effect (what is audited) names the break-glass request by ID: its link is for the card.
    expect(result.effects).toEqual([
      { type: "cancelled", userId: "UREQUESTER", at: t, supersededBy: glassId },
    ]);
    expect(noticeText(result.message)).toContain("Superseded by a break-glass run");
    expect(auditEntryFor(result.request, result.effects[0]!)).toMatchObject({
      type: "request.cancelled",
      actorId: "UREQUESTER",
      requestId: result.request.id,
      detail: { supersededBy: glassId },
      message: "superseded: the same change ran with break-glass",
    });
    // A plain cancel's entry is as it was.
    const plain = ok(applyEvent(makeRequest(), ev.cancel("UREQUESTER", t), NOBODY));
    const plainEntry = auditEntryFor(plain.request, plain.effects[0]!);
    expect(plainEntry).not.toHaveProperty("detail");
    expect(plainEntry).not.toHaveProperty("message");

    const late = refused(applyEvent(result.request, ev.approve("UAPPROVER1", t + 1), APPROVER));
    expect(late.code).toBe("not_pending");
    expect(noticeText(late.message)).toContain(
      "superseded: <@UREQUESTER> ran the same change with break-glass, so nothing will run from it",
    );
  });
});

describe("expiry", () => {
  const expiresAt = makeRequest().expiresAt;

  it.each([
    ["approve", ev.approve("UAPPROVER1", expiresAt), APPROVER],
    ["reject", ev.reject("UAPPROVER1", "x", expiresAt + 5), APPROVER],
    ["cancel", ev.cancel("UREQUESTER", expiresAt + 60_000), NOBODY],
    ["approve by a non-approver", ev.approve("URANDOM", expiresAt), NOBODY],
  ] as const)("a late %s click expires the request and says so", (_, event, authz) => {
    const result = refused(applyEvent(makeRequest(), event, authz));
    expect(result.code).toBe("expired");
    expect(noticeText(result.message)).toMatch(/expired/);
    expect(result.transition?.request).toMatchObject({ status: "expired", expiredAt: event.at, version: 2 });
    expect(result.transition?.effects).toEqual([{ type: "expired", at: event.at }]);
  });

  it("a click one millisecond before expiry still counts", () => {
    expect(
      ok(applyEvent(makeRequest(), ev.approve("UAPPROVER1", expiresAt - 1), APPROVER)).request.status,
    ).toBe("approved");
  });

  it("expire is refused before it is due and on decided requests", () => {
    expect(refused(applyEvent(makeRequest(), ev.expire(expiresAt - 1))).code).toBe("not_due");
    const expired = ok(applyEvent(makeRequest(), ev.expire(expiresAt)));
    expect(expired.request).toMatchObject({ status: "expired", expiredAt: expiresAt });
    expect(refused(applyEvent(expired.request, ev.expire(expiresAt + 1))).code).toBe("not_pending");
    const later = refused(applyEvent(expired.request, ev.approve("UAPPROVER1", expiresAt + 1), APPROVER));
    expect(later.code).toBe("not_pending");
    expect(later.transition).toBeUndefined();
    const approved = run(makeRequest(), [ev.approve("UAPPROVER1", t), APPROVER]);
    expect(refused(applyEvent(approved, ev.expire(expiresAt + 1))).code).toBe("not_pending");
  });
});

describe("execution", () => {
  const approved = run(makeRequest(), [ev.approve("UAPPROVER1", t), APPROVER]);

  it("approved → executing → each outcome", () => {
    const executing = ok(applyEvent(approved, ev.startExecution("exec-1", t + 1)));
    expect(executing.request).toMatchObject({
      status: "executing",
      execution: { executionId: "exec-1", startedAt: t + 1 },
    });
    expect(executing.effects).toEqual([{ type: "execution_started", executionId: "exec-1", at: t + 1 }]);
    for (const outcome of ["succeeded", "failed", "outcome_unknown"] as const) {
      const done = ok(
        applyEvent(
          executing.request,
          ev.finish("exec-1", outcome, t + 2, outcome === "failed" ? "quota" : undefined),
        ),
      );
      expect(done.request.status).toBe(outcome);
      expect(done.request.execution).toMatchObject({ executionId: "exec-1", finishedAt: t + 2, outcome });
      expect(done.effects[0]).toMatchObject({ type: "execution_finished", outcome });
      const again = ok(applyEvent(done.request, ev.finish("exec-1", outcome, t + 3)));
      expect(again.changed).toBe(false);
      expect(refused(applyEvent(done.request, ev.startExecution("exec-2", t + 3))).code).toBe("not_approved");
    }
  });

  it("only an approved request can start, once", () => {
    expect(refused(applyEvent(makeRequest(), ev.startExecution("exec-1", t))).code).toBe("not_approved");
    const executing = ok(applyEvent(approved, ev.startExecution("exec-1", t + 1))).request;
    const second = refused(applyEvent(executing, ev.startExecution("exec-2", t + 2)));
    expect(second.code).toBe("not_approved");
    expect(noticeText(second.message)).toContain("exec-1");
    expect(refused(applyEvent(executing, ev.startExecution("exec-1", t + 2))).code).toBe("not_approved");
  });

  it("never starts a request whose targets or parameters changed after approval", () => {
    const tampered = {
      ...approved,
      targets: [...approved.targets, { id: "srv-9", name: "db-01", status: "ACTIVE", flavor: "x" }],
    };
    expect(refused(applyEvent(tampered, ev.startExecution("exec-1", t))).code).toBe("binding_mismatch");
    const reparam = { ...approved, parameters: { deletePublicIp: false } };
    expect(refused(applyEvent(reparam, ev.startExecution("exec-1", t))).code).toBe("binding_mismatch");
  });

  it("only the claiming execution finishes", () => {
    const executing = ok(applyEvent(approved, ev.startExecution("exec-1", t + 1))).request;
    expect(refused(applyEvent(executing, ev.finish("exec-2", "succeeded", t + 2))).code).toBe(
      "execution_mismatch",
    );
    expect(refused(applyEvent(approved, ev.finish("exec-1", "succeeded", t + 2))).code).toBe("not_executing");
  });
});

describe("applyEvent properties", () => {
  const users = ["UREQUESTER", "UAPPROVER1", "UAPPROVER2", "UAPPROVER3", "URANDOM"];
  const arbEvent = fc.oneof(
    fc.record({ type: fc.constant("approve" as const), userId: fc.constantFrom(...users) }),
    fc.record({
      type: fc.constant("reject" as const),
      userId: fc.constantFrom(...users),
      reason: fc.option(fc.constantFrom("", "no", "  "), { nil: undefined }),
    }),
    fc.record({ type: fc.constant("cancel" as const), userId: fc.constantFrom(...users) }),
    fc.record({ type: fc.constant("expire" as const) }),
    fc.record({ type: fc.constant("start_execution" as const), executionId: fc.constantFrom("e1", "e2") }),
    fc.record({
      type: fc.constant("finish" as const),
      executionId: fc.constantFrom("e1", "e2"),
      outcome: fc.constantFrom("succeeded" as const, "failed" as const, "outcome_unknown" as const),
    }),
  );
  const arbStep = fc.record({
    event: arbEvent,
    dt: fc.integer({ min: 0, max: 6 * 60_000 }),
    isApprover: fc.boolean(),
  });

  it("only allowed transitions, valid records, distinct approvals, terminal states absorb, no mutation", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(arbStep, { maxLength: 25 }),
        (minApprovals, allowSelfApproval, reasonRequired, steps) => {
          let request = makeRequest({
            requirement: requirement({ minApprovals, allowSelfApproval, reasonRequired }),
          });
          let at = T0;
          for (const step of steps) {
            at += step.dt;
            const event = { ...step.event, at } as ApprovalEvent;
            const snapshot = structuredClone(request);
            const result = applyEvent(request, event, { isApprover: step.isApprover });
            expect(request).toEqual(snapshot);
            const next = result.ok ? result.request : (result.transition?.request ?? request);
            const changed = next !== request;
            if (changed) {
              expect(next.version).toBe(request.version + 1);
              if (next.status !== request.status) expect(TRANSITIONS[request.status]).toContain(next.status);
              expect((TERMINAL_STATUSES as readonly string[]).includes(request.status)).toBe(false);
            } else {
              expect(result.ok ? result.effects : []).toEqual([]);
            }
            ApprovalRequestSchema.parse(next);
            const approvers = next.approvals.map((a) => a.userId);
            expect(new Set(approvers).size).toBe(approvers.length);
            if (!allowSelfApproval) expect(approvers).not.toContain("UREQUESTER");
            if (next.status === "approved") expect(approvers.length).toBe(minApprovals);
            if (next.status === "pending") expect(approvers.length).toBeLessThan(minApprovals);
            const isClick = ["approve", "reject", "cancel"].includes(event.type);
            if (isClick && request.status === "pending" && at >= request.expiresAt)
              expect(next.status).toBe("expired");
            request = next;
          }
        },
      ),
    );
  });
});
