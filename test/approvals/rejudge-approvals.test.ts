/**
 * The approval that completes the count judges every approval counted before it again, on the approvers as
 * they are at that click (`ClickAuthz.approversNow`, asked for by the state machine and supplied by the
 * service's `judge`): one whose approver no longer qualifies stops counting, the request keeps waiting and
 * records which approval lapsed and why; nothing is approved with fewer qualifying approvals than required.
 * Staged requests judge each approval for the stage it counted for.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createApprovalService, type JudgeApprovers } from "../../src/approvals/approval-service.js";
import { type ApplyResult, applyEvent, type ClickAuthz } from "../../src/approvals/approval-state.js";
import { AUDIT_STREAM, createAuditLog } from "../../src/audit/create-audit-log.js";
import { createLogger } from "../../src/log/create-logger.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { makeLeadAndSecurityStages } from "../helpers/make-lead-and-security-stages.js";
import { createManualClock } from "../store/manual-clock.js";
import { makeRequest, requirement, T0 } from "./make-request.js";

const YES: ClickAuthz = { isApprover: true };
const NO: ClickAuthz = { isApprover: false };
const approve = (userId: string, at = T0 + 1_000) => ({ type: "approve" as const, userId, at });
const twoOfTwo = () =>
  makeRequest({
    requirement: requirement({ approvers: { users: [], groups: ["ops-approvers"] }, minApprovals: 2 }),
  });

function ok(result: ApplyResult): Extract<ApplyResult, { ok: true }> {
  if (!result.ok) throw new Error(`refused: ${result.code}`);
  return result;
}

describe("the state machine: the completing approval judges the others again", () => {
  it("an approval whose approver no longer qualifies stops counting: still pending, which one and why recorded", () => {
    const first = ok(applyEvent(twoOfTwo(), approve("UBOB"), YES)).request;
    const result = ok(
      applyEvent(first, approve("UCAROL", T0 + 5_000), { ...YES, approversNow: { UBOB: NO } }),
    );
    expect(result.request.status).toBe("pending");
    expect(result.request.approvals).toEqual([{ userId: "UCAROL", at: T0 + 5_000 }]);
    expect(result.request.lapsedApprovals).toEqual([
      { userId: "UBOB", at: T0 + 1_000, lapsedAt: T0 + 5_000, reason: "not_an_approver" },
    ]);
    expect(result.effects.map((e) => e.type)).toEqual(["approval_recorded"]);
    expect(result.effects[0]).toMatchObject({ count: 1, required: 2, lapsed: [{ userId: "UBOB" }] });
    expect(result.message).toContainEqual({ user: "UBOB" });
    expect(result.message.join("")).toContain("nothing is approved yet");
  });

  it("the approvers not judged yet are asked for, and nothing changes", () => {
    const first = ok(applyEvent(twoOfTwo(), approve("UBOB"), YES)).request;
    const asked = applyEvent(first, approve("UCAROL"), { ...YES, approversNow: {} });
    expect(asked).toMatchObject({ ok: false, code: "approvals_unjudged", unjudged: ["UBOB"] });
    expect(asked.ok ? undefined : asked.transition).toBeUndefined();
  });

  it("approvers who still qualify: approved as before; an approval that does not complete judges nothing", () => {
    const first = ok(applyEvent(twoOfTwo(), approve("UBOB"), { ...YES, approversNow: {} })).request;
    expect(first.approvals).toHaveLength(1);
    const done = ok(applyEvent(first, approve("UCAROL"), { ...YES, approversNow: { UBOB: YES } }));
    expect(done.request.status).toBe("approved");
    expect(done.request.lapsedApprovals).toBeUndefined();
  });

  it("the lapsed approver may approve again once they qualify again; the count then completes", () => {
    const first = ok(applyEvent(twoOfTwo(), approve("UBOB"), YES)).request;
    const lapsed = ok(applyEvent(first, approve("UCAROL"), { ...YES, approversNow: { UBOB: NO } })).request;
    const again = ok(
      applyEvent(lapsed, approve("UBOB", T0 + 9_000), { ...YES, approversNow: { UCAROL: YES } }),
    );
    expect(again.request.status).toBe("approved");
    expect(again.request.approvals.map((a) => a.userId)).toEqual(["UCAROL", "UBOB"]);
  });

  it("never approved with fewer qualifying approvals than required, whatever the order and memberships", () => {
    const people = ["UA", "UB", "UC", "UD", "UE"];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("approve" as const), user: fc.constantFrom(...people) }),
            fc.record({
              kind: fc.constant("membership" as const),
              user: fc.constantFrom(...people),
              member: fc.boolean(),
            }),
          ),
          { maxLength: 25 },
        ),
        (k, steps) => {
          const members = new Set(people);
          let request: ApprovalRequest = makeRequest({
            requirement: requirement({ approvers: { users: [], groups: ["g"] }, minApprovals: k }),
          });
          let at = T0;
          for (const step of steps) {
            at += 1;
            if (step.kind === "membership") {
              if (step.member) members.add(step.user);
              else members.delete(step.user);
              continue;
            }
            const now = (u: string): ClickAuthz => ({ isApprover: members.has(u) });
            const approversNow = Object.fromEntries(request.approvals.map((a) => [a.userId, now(a.userId)]));
            const result = applyEvent(request, approve(step.user, at), { ...now(step.user), approversNow });
            if (!result.ok) continue;
            request = result.request;
            if (result.effects.some((e) => e.type === "approved")) {
              // At the approving click every counted approval's approver qualifies, and there are k of them.
              expect(request.approvals.filter((a) => members.has(a.userId)).length).toBeGreaterThanOrEqual(k);
              return;
            }
          }
        },
      ),
    );
  });
});

const STAGES = makeLeadAndSecurityStages();
const staged = () =>
  makeRequest({
    requirement: requirement({
      approvers: { users: [], groups: ["ops-approvers", "sre"] },
      minApprovals: 2,
      stages: STAGES,
    }),
  });

describe("staged: each approval judged again for the stage it counted for", () => {
  it("the team lead who left their group: security's approval is kept, the request waits on team lead again", () => {
    const lead = ok(
      applyEvent(staged(), approve("UBOB"), { isApprover: true, stages: ["team lead"] }),
    ).request;
    const expiresAt = lead.expiresAt;
    // Bob is in @sre now, no longer in @ops-approvers: his approval counted for team lead, judged for it.
    const result = ok(
      applyEvent(lead, approve("UERIN", T0 + 5_000), {
        isApprover: true,
        stages: ["security"],
        approversNow: { UBOB: { isApprover: true, stages: ["security"] } },
      }),
    );
    expect(result.request.status).toBe("pending");
    expect(result.request.approvals).toEqual([{ userId: "UERIN", at: T0 + 5_000, stage: "security" }]);
    expect(result.request.lapsedApprovals).toEqual([
      { userId: "UBOB", at: T0 + 1_000, stage: "team lead", lapsedAt: T0 + 5_000, reason: "not_an_approver" },
    ]);
    // The expiry is not moved on: no stage was passed.
    expect(result.request.expiresAt).toBe(expiresAt);
    expect(result.message.join("")).toContain("It waits on team lead (stage 1 of 2) again.");
    expect(result.effects[0]).toMatchObject({
      stage: "security",
      stageComplete: true,
      lapsed: [{ userId: "UBOB" }],
    });

    // Carol, a team lead now, completes team lead: Erin (still @sre) is judged again and it is approved.
    const done = ok(
      applyEvent(result.request, approve("UCAROL", T0 + 9_000), {
        isApprover: true,
        stages: ["team lead"],
        approversNow: { UERIN: { isApprover: true, stages: ["security"] } },
      }),
    );
    expect(done.request.status).toBe("approved");
    expect(done.request.approvals.map((a) => [a.userId, a.stage])).toEqual([
      ["UERIN", "security"],
      ["UCAROL", "team lead"],
    ]);
  });

  it("the approval that completes a stage which is not the last judges the stages before it too", () => {
    const three = makeRequest({
      requirement: requirement({
        approvers: { users: [], groups: ["a", "b", "c"] },
        minApprovals: 3,
        stages: [
          { ...STAGES[0]!, name: "one" },
          { ...STAGES[0]!, name: "two" },
          { ...STAGES[0]!, name: "three" },
        ],
      }),
    });
    const one = ok(applyEvent(three, approve("UA"), { isApprover: true, stages: ["one"] })).request;
    const asked = applyEvent(one, approve("UB"), { isApprover: true, stages: ["two"], approversNow: {} });
    expect(asked).toMatchObject({ ok: false, code: "approvals_unjudged", unjudged: ["UA"] });
    const two = ok(
      applyEvent(one, approve("UB"), { isApprover: true, stages: ["two"], approversNow: { UA: NO } }),
    ).request;
    expect(two.approvals.map((a) => a.stage)).toEqual(["two"]);
    expect(two.lapsedApprovals?.map((l) => l.stage)).toEqual(["one"]);
  });
});

function setup() {
  const clock = createManualClock(T0);
  const store = createMemoryStore({ clock });
  const audit = createAuditLog({ store, logger: createLogger({ level: "silent" }), clock });
  const service = createApprovalService({ store, clock, audit });
  const entries = async (id: string) =>
    (
      await store.readLog<{ type: string; requestId?: string; detail?: unknown }>(AUDIT_STREAM, {
        limit: 1_000,
      })
    )
      .map((e) => e.record)
      .filter((r) => r.requestId === id);
  return { clock, service, entries };
}

const newRequest = () => ({
  requester: { userId: "UREQUESTER", teamId: "T1" },
  channel: "COPS",
  action: "ecs:cloudServers:delete",
  commandText: "/ecs delete web-03",
  targets: [{ id: "srv-3", name: "web-03", status: "ACTIVE", flavor: "s6.large.2" }],
  parameters: {},
  ruleIds: ["delete-needs-two"],
  requirement: requirement({ approvers: { users: [], groups: ["ops-approvers"] }, minApprovals: 2 }),
});

describe("the service: judges at the completing click, audits what lapsed", () => {
  it("judges only when the click would complete; the lapse is in the approval's audit entry", async () => {
    const { service, entries, clock } = setup();
    const request = await service.create(newRequest());
    const members = new Set(["UBOB", "UCAROL", "UERIN"]);
    const calls: string[][] = [];
    const judge: JudgeApprovers = async (userIds) => {
      calls.push([...userIds]);
      return Object.fromEntries(userIds.map((u) => [u, { isApprover: members.has(u) }]));
    };
    expect((await service.act(request.id, { type: "approve", userId: "UBOB" }, YES, judge)).ok).toBe(true);
    expect(calls).toEqual([]);
    members.delete("UBOB");
    clock.advance(60_000);
    const carol = await service.act(request.id, { type: "approve", userId: "UCAROL" }, YES, judge);
    expect(calls).toEqual([["UBOB"]]);
    expect(carol).toMatchObject({ ok: true, changed: true, request: { status: "pending" } });
    const stored = await service.get(request.id);
    expect(stored?.approvals.map((a) => a.userId)).toEqual(["UCAROL"]);
    expect(stored?.lapsedApprovals?.map((l) => [l.userId, l.reason])).toEqual([["UBOB", "not_an_approver"]]);
    const recorded = (await entries(request.id)).filter((e) => e.type === "approval.recorded");
    expect(recorded.at(-1)?.detail).toMatchObject({
      count: 1,
      required: 2,
      lapsed: [{ userId: "UBOB", reason: "not_an_approver", approvedAt: T0 }],
    });
    // No refusal was audited for the judging round.
    expect((await entries(request.id)).map((e) => e.type)).not.toContain("click.refused");

    // Bob, no longer an approver, is refused at his own click; Erin completes it.
    const bob = await service.act(request.id, { type: "approve", userId: "UBOB" }, NO, judge);
    expect(bob).toMatchObject({ ok: false, code: "not_an_approver" });
    const erin = await service.act(request.id, { type: "approve", userId: "UERIN" }, YES, judge);
    expect(erin).toMatchObject({ ok: true, request: { status: "approved" } });
    expect(calls.at(-1)).toEqual(["UCAROL"]);
  });

  it("an approval that came in while the others were judged is judged too before the count completes", async () => {
    const { service } = setup();
    const request = await service.create(newRequest());
    await service.act(request.id, { type: "approve", userId: "UA" }, YES);
    const members = new Set(["UB", "UC"]); // UA has left the group.
    const asked: string[][] = [];
    const judgeNow: JudgeApprovers = async (userIds) =>
      Object.fromEntries(userIds.map((u) => [u, { isApprover: members.has(u) }]));
    const judge: JudgeApprovers = async (userIds) => {
      asked.push([...userIds]);
      // While UC's click judges UA, UB's click lands: UA's approval lapses there and UB's counts.
      if (asked.length === 1) await service.act(request.id, { type: "approve", userId: "UB" }, YES, judgeNow);
      return judgeNow(userIds);
    };
    const result = await service.act(request.id, { type: "approve", userId: "UC" }, YES, judge);
    // UC's click found UB's approval it had not judged: judged, then approved with the two that qualify.
    expect(asked).toEqual([["UA"], ["UB"]]);
    expect(result).toMatchObject({ ok: true, request: { status: "approved" } });
    const stored = await service.get(request.id);
    expect(stored?.approvals.map((a) => a.userId)).toEqual(["UB", "UC"]);
    expect(stored?.lapsedApprovals?.map((l) => l.userId)).toEqual(["UA"]);
  });
});
