import { describe, expect, it } from "vitest";
import { noticeText } from "../../src/approvals/approval-notice.js";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import {
  type ApplyResult,
  applyEvent,
  type ClickAuthz,
  approvalEvents as ev,
} from "../../src/approvals/approval-state.js";
import { makeRequest, T0 } from "./make-request.js";

const APPROVER: ClickAuthz = { isApprover: true };
const t = T0 + 1000;

function next(result: ApplyResult): ApprovalRequest {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${noticeText(result.message)}`);
  return result.request;
}

/** What the requester is told when they click Cancel on the request's card now. */
function cancelAnswer(request: ApprovalRequest): string {
  const result = applyEvent(request, ev.cancel("UREQUESTER", t + 10));
  expect(result.ok).toBe(false);
  return noticeText(result.message);
}

function executing(overrides: Partial<ApprovalRequest>): ApprovalRequest {
  const approved = next(applyEvent(makeRequest(overrides), ev.approve("UAPPROVER1", t), APPROVER));
  return next(applyEvent(approved, ev.startExecution("exec-1", t + 1)));
}

const stopWeb03 = {
  action: "ecs:cloudServers:stop",
  commandText: "/ecs stop web-03 --hard",
  targets: [{ id: "srv-3", name: "web-03", status: "ACTIVE", flavor: "s6.large.2" }],
  parameters: { type: "HARD" },
};

describe("a click on a request that is no longer pending", () => {
  it("on a running stop: says it cannot be stopped from chat, where to follow it and how to undo it", () => {
    expect(cancelAnswer(executing(stopWeb03))).toBe(
      "This request was approved by <@UAPPROVER1> and is executing now; it cannot be stopped from chat. " +
        "Follow it in this card's thread; to undo it once it has finished: /ecs start web-03.",
    );
    // Reject and Approve on a stale card say the same.
    const rejected = applyEvent(executing(stopWeb03), ev.reject("UAPPROVER2", undefined, t + 10), APPROVER);
    expect(noticeText(rejected.message)).toContain("cannot be stopped from chat");
    const again = applyEvent(executing(stopWeb03), ev.approve("UAPPROVER1", t + 10), APPROVER);
    expect(noticeText(again.message)).toMatch(
      /^You already approved this request; it is approved by <@UAPPROVER1> and is executing now; it cannot be stopped/,
    );
  });

  it("names the servers to undo on as the grammar reads them: quoted, by ID where a name repeats", () => {
    const said = cancelAnswer(
      executing({
        action: "ecs:servers:lock",
        commandText: '/ecs lock "ops box 1" db',
        targets: [
          { id: "srv-1", name: "ops box 1", status: "ACTIVE", flavor: "s6.large.2" },
          { id: "srv-2", name: "db", status: "ACTIVE", flavor: "s6.large.2" },
          { id: "srv-5", name: "db", status: "ACTIVE", flavor: "s6.large.2" },
        ],
        parameters: {},
      }),
    );
    expect(said).toContain('to undo it once it has finished: /ecs unlock "ops box 1" srv-2 srv-5.');
  });

  it("offers no undo where no command obviously undoes the change (a reboot, a delete)", () => {
    const reboot = cancelAnswer(executing({ ...stopWeb03, action: "ecs:cloudServers:reboot" }));
    expect(reboot).toBe(
      "This request was approved by <@UAPPROVER1> and is executing now; it cannot be stopped from chat. " +
        "Follow it in this card's thread.",
    );
    expect(cancelAnswer(executing({}))).not.toContain("undo");
  });

  it("a break-glass change, which nobody approved, does not say who approved it", () => {
    // However the bot records a break-glass run, the sentence holds with no approver.
    const running = makeRequest({
      ...stopWeb03,
      breakGlass: { reason: "INC-9" },
      status: "executing",
      execution: { executionId: "exec-1", startedAt: t + 1 },
    });
    expect(cancelAnswer(running)).toMatch(
      /^This request was run without approval \(break-glass\) and is executing now; it cannot be stopped/,
    );
  });

  it("says every other status as a sentence", () => {
    const approved = next(applyEvent(makeRequest(stopWeb03), ev.approve("UAPPROVER1", t), APPROVER));
    const running = next(applyEvent(approved, ev.startExecution("exec-1", t + 1)));
    const finished = (outcome: "succeeded" | "failed" | "outcome_unknown") =>
      cancelAnswer(next(applyEvent(running, ev.finish("exec-1", outcome, t + 2))));
    expect(cancelAnswer(approved)).toBe("This request was already approved by <@UAPPROVER1>.");
    expect(finished("succeeded")).toBe(
      "This request was approved by <@UAPPROVER1> and has run: it succeeded.",
    );
    expect(finished("failed")).toBe(
      "This request was approved by <@UAPPROVER1> and has run: it failed (see this card's thread).",
    );
    expect(finished("outcome_unknown")).toBe(
      "This request was approved by <@UAPPROVER1> and has run, outcome unknown: check the servers before asking again.",
    );
    const expired = next(applyEvent(makeRequest(), ev.expire(makeRequest().expiresAt)));
    const late = applyEvent(expired, ev.approve("UAPPROVER1", expired.expiresAt + 1), APPROVER);
    expect(noticeText(late.message)).toBe(
      `This request was not approved in time: it expired at ${new Date(expired.expiresAt).toISOString()}.`,
    );
    const revoked = next(applyEvent(approved, { type: "revoke", reasons: ["stricter"], at: t + 1 }));
    expect(cancelAnswer(revoked)).toBe(
      "This request was approved by <@UAPPROVER1>, then not run: the policy is stricter now.",
    );
  });
});
