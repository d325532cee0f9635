/**
 * `readRunningJobs` on a memory store with the shipped flows: a run at its re-check is worded as its status
 * message words it, "since it was asked" when nobody approved it (the policy allowed it) and "since approval"
 * when people did. `readScheduledJobs`: the approved changes waiting for their time, soonest first, bounded,
 * each judged as the execution gate will judge it at its time on the calendars and the policy as they are now
 * (`scheduledOutlookOf`). `recentJobOf`: a finished run's outcome read as its card reads it.
 */
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import type { ApprovalService } from "../../src/approvals/approval-service.js";
import type { AuditRecord } from "../../src/audit/audit-entry.js";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import { POLICY_ACTOR } from "../../src/operations/describe-request.js";
import {
  readRunningJobs,
  readScheduledJobs,
  recentJobOf,
  scheduledOutlookOf,
} from "../../src/operations/read-running-jobs.js";
import type { RequestDetails } from "../../src/operations/request-details.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { newRunRecord } from "../../src/workflow/execute-flow.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import { OPEN_RUNS_SET, runKey } from "../../src/workflow/run-record.js";
import type { ExecuteFlowSpec } from "../../src/workflow/types.js";
import { T0 as FIXTURE_T0, makeRequest } from "./fixtures.js";

const noRequests: Pick<ApprovalService, "get" | "listByStatus"> = {
  get: async () => undefined,
  listByStatus: async () => [],
};

it.each([
  [
    "allowed by the policy (runs as its requester)",
    "U_ALICE",
    "check that nothing changed since it was asked",
  ],
  ["approved by someone else", "U_BOB", "check that nothing changed since approval"],
] as const)("a run at its re-check, %s, says what it checks against", async (_, actorId, words) => {
  const loaded = await loadFlows("flows");
  if (!loaded.ok) throw new Error("shipped flows invalid");
  const store = createMemoryStore();
  const spec: ExecuteFlowSpec = {
    runId: "run_1",
    requestId: "apr_1",
    operation: "reboot",
    targets: [{ id: "srv-1", name: "web-01", status: "ACTIVE", flavor: "s6.small.1" }],
    parameters: {},
    actorId,
    requesterId: "U_ALICE",
  };
  const record = newRunRecord(spec, loaded.flows.reboot, 1_000);
  record.currentStep = record.steps[0]!.id;
  expect(record.steps[0]!.kind).toBe("recheck");
  await store.createIfAbsent(runKey(spec.runId), record, {
    addToSets: [{ setKey: OPEN_RUNS_SET, member: spec.runId }],
  });
  const [job] = await readRunningJobs(store, noRequests);
  expect(job?.currentStep).toBe(words);
});

describe("readScheduledJobs", () => {
  const T0 = Date.UTC(2025, 0, 1, 12, 0);
  const at = (id: string, runAt: number, overrides: Partial<ApprovalRequest> = {}) =>
    makeRequest({
      id,
      status: "approved",
      action: "ecs:cloudServers:reboot",
      parameters: { hard: true },
      approvals: [{ userId: "U_BOB", at: T0 }],
      schedule: { runAt, startBy: runAt + 60_000 },
      ...overrides,
    });

  it("the approved changes with a schedule, soonest first, the first `limit` listed and all counted", async () => {
    const approved = [
      at("apr_C0000000000000000000", T0 + 30_000),
      at("apr_A0000000000000000000", T0 + 10_000, {
        schedule: { runAt: T0 + 10_000, startBy: T0 + 99_000, window: "maint" },
      }),
      // Approved now, not scheduled: it starts at once, it is not waiting for a time.
      makeRequest({ id: "apr_N0000000000000000000", status: "approved" }),
      at("apr_B0000000000000000000", T0 + 20_000),
      at("apr_D0000000000000000000", T0 + 40_000),
    ];
    const listed: string[] = [];
    const approvals: Pick<ApprovalService, "listByStatus"> = {
      listByStatus: async (status) => {
        listed.push(status);
        return status === "approved" ? approved : [];
      },
    };
    const { jobs, total, requests } = await readScheduledJobs(approvals, undefined, 2);
    // One index read (the approved requests), nothing else.
    expect(listed).toEqual(["approved"]);
    expect(total).toBe(4);
    expect(jobs.map((j) => j.requestId)).toEqual(["apr_A0000000000000000000", "apr_B0000000000000000000"]);
    expect(requests.map((r) => r.id)).toEqual(["apr_A0000000000000000000", "apr_B0000000000000000000"]);
    expect(jobs[0]).toEqual({
      requestId: "apr_A0000000000000000000",
      operation: "reboot",
      targetNames: ["web-03", "web-04"],
      requesterId: "U_ALICE",
      approverIds: ["U_BOB"],
      allowedByPolicy: false,
      action: "ecs:cloudServers:reboot",
      parameters: { hard: true },
      runAt: T0 + 10_000,
      window: "maint",
    });
  });

  it("a change the policy allowed names no approver: the policy did", async () => {
    const allowed = at("apr_P0000000000000000000", T0 + 10_000, {
      approvals: [{ userId: POLICY_ACTOR, at: T0 }],
      requirement: {
        approvers: { users: [POLICY_ACTOR], groups: [] },
        minApprovals: 1,
        allowSelfApproval: true,
        expiresInMs: 60_000,
        reasonRequired: false,
      },
    });
    const { jobs } = await readScheduledJobs({ listByStatus: async () => [allowed] });
    expect(jobs[0]).toMatchObject({ approverIds: [], allowedByPolicy: true });
  });
});

describe("scheduledOutlookOf: as the gate will judge it at its time, on the calendars and the policy now", () => {
  const MINUTE = 60_000;
  const m = (minutes: number) => FIXTURE_T0 + minutes * MINUTE;
  const iso = (minutes: number) => new Date(m(minutes)).toISOString();
  /** A hard reboot needs one approval; the freeze `change-freeze` denies reboots; the window `maint`. */
  const policyWith = (calendars: { freeze?: [number, number]; window?: [number, number] }) => {
    const event = ([a, b]: [number, number]) => `      - { start: "${iso(a)}", end: "${iso(b)}" }`;
    const loaded = parsePolicy(`version: 1
defaults:
  approvers: { groups: [ops-approvers] }
calendars:
  change-freeze:
    kind: freeze
    description: A freeze.
    events:
${event(calendars.freeze ?? [5000, 5010])}
${
  calendars.window === undefined
    ? ""
    : `  maint:
    kind: window
    description: The window.
    events:
${event(calendars.window)}
`
}rules:
  - id: hard-reboot
    description: A hard reboot needs an approval.
    actions: [ecs:cloudServers:reboot]
    match: { flags: { hard: true } }
    effect: { require_approval: { min_approvals: 1 } }
  - id: freeze-denies-power
    description: No power changes during the freeze.
    actions: [ecs:cloudServers:reboot]
    match: { during: [change-freeze] }
    effect: { deny: "Changes are frozen." }
`);
    if (!loaded.ok) expect.fail(formatConfigErrors(loaded.errors));
    return loaded.policy;
  };
  /** Approved by Bob at +5 for the window opening at +60 (it may start until +120). */
  const approved = (
    schedule: ApprovalRequest["schedule"] = { runAt: m(60), startBy: m(120), window: "maint" },
  ) =>
    makeRequest({
      status: "approved",
      action: "ecs:cloudServers:reboot",
      parameters: { hard: true },
      ruleIds: ["hard-reboot"],
      requirement: {
        approvers: { users: [], groups: ["ops-approvers"] },
        minApprovals: 1,
        allowSelfApproval: false,
        expiresInMs: 30 * MINUTE,
        reasonRequired: false,
      },
      terms: { effect: "needs_approval", minApprovals: 1, approvalRuleIds: ["hard-reboot"] },
      approvals: [{ userId: "U_BOB", at: m(5) }],
      schedule,
    });
  const redecide = {
    groupsOf: (u: string) => (u === "U_BOB" ? ["ops-approvers"] : []),
    channelName: "ops",
  };
  const judge = (request: ApprovalRequest, calendars: Parameters<typeof policyWith>[0], now = m(10)) =>
    scheduledOutlookOf(request, policyWith(calendars), now, { redecide });

  it("as approved: it runs at its time", () => {
    expect(judge(approved(), { window: [60, 120] })).toEqual({ kind: "runs", at: m(60) });
  });

  it("its window moved within the approved span: it runs at the new opening", () => {
    expect(judge(approved(), { window: [70, 130] })).toEqual({ kind: "runs", at: m(70) });
  });

  it("its window moved out of the approved span, or was removed: it will not run", () => {
    const moved = { kind: "never", check: { kind: "window_moved", window: "maint" } };
    expect(judge(approved(), { window: [300, 360] })).toEqual(moved);
    expect(judge(approved(), {})).toEqual(moved);
  });

  it("a freeze declared over its time: not as things are, frozen by it until its end", () => {
    expect(judge(approved(), { window: [60, 120], freeze: [30, 90] })).toEqual({
      kind: "stricter",
      at: m(60),
      freeze: { name: "change-freeze", until: m(90) },
    });
    // At the moved window's opening, the freeze is over: it runs then.
    expect(judge(approved(), { window: [95, 130], freeze: [30, 90] })).toEqual({ kind: "runs", at: m(95) });
    // An `--at` change, too.
    expect(judge(approved({ runAt: m(60), startBy: m(75) }), { freeze: [59, 61] })).toMatchObject({
      kind: "stricter",
      freeze: { name: "change-freeze", until: m(61) },
    });
  });

  it("stricter for another reason than a freeze: said without one", () => {
    // Bob left the approvers' group since.
    const outlook = scheduledOutlookOf(approved(), policyWith({ window: [60, 120] }), m(10), {
      redecide: { ...redecide, groupsOf: () => [] },
    });
    expect(outlook).toEqual({ kind: "stricter", at: m(60), cause: "an approver's groups changed" });
  });

  it("the groups unread: the time and the window are judged, the policy is not", () => {
    const policy = policyWith({ window: [60, 120], freeze: [30, 90] });
    expect(scheduledOutlookOf(approved(), policy, m(10))).toEqual({ kind: "runs", at: m(60) });
  });

  it("approval complete after the start, or its time passed: it will not run", () => {
    const late = { ...approved(), approvals: [{ userId: "U_BOB", at: m(61) }] };
    expect(judge(late, { window: [60, 120] })).toMatchObject({
      kind: "never",
      check: { kind: "approved_late" },
    });
    expect(judge(approved(), { window: [60, 120] }, m(121))).toEqual({
      kind: "never",
      check: { kind: "missed", startBy: m(120) },
    });
  });

  it("readScheduledJobs judges each listed change with the channel it was asked in", async () => {
    const asked: string[] = [];
    const { jobs } = await readScheduledJobs(
      { listByStatus: async () => [approved()] },
      {
        policy: policyWith({ window: [60, 120], freeze: [30, 90] }),
        now: m(10),
        groupsOf: redecide.groupsOf,
        channelNameOf: async (id) => {
          asked.push(id);
          return "ops";
        },
      },
    );
    expect(asked).toEqual([approved().id]);
    expect(jobs[0]?.outlook).toMatchObject({ kind: "stricter", freeze: { name: "change-freeze" } });
  });

  it("a break-glass change is listed as such", async () => {
    const glass = { ...approved(), breakGlass: { reason: "web tier down, INC-4711" } };
    const { jobs } = await readScheduledJobs({ listByStatus: async () => [glass] });
    expect(jobs[0]).toMatchObject({ breakGlass: true });
  });
});

describe("recentJobOf: a finished run as its card reads it", () => {
  const entry = (outcome: "succeeded" | "failed"): AuditRecord & { requestId: string } =>
    ({
      seq: 1,
      at: FIXTURE_T0,
      type: "execution.finished",
      actorId: "system:executor",
      requestId: "apr_AAAAAAAAAAAAAAAAAAAAAA",
      action: "ecs:cloudServers:stop",
      serverIds: ["s1"],
      outcome,
    }) as AuditRecord & { requestId: string };
  const details = (result: NonNullable<RequestDetails["result"]>) => ({ result }) as RequestDetails;

  it("a run that sent nothing (another change held its servers) is aborted, never failed", () => {
    const request = makeRequest({ status: "failed" });
    const held = details({ status: "aborted", summary: "not run: `apr_X` holds `web-03`" });
    expect(recentJobOf(entry("failed"), request, held).outcome).toBe("aborted");
    // Its request gone since: the audit's outcome says it failed, the card's result that it was aborted.
    expect(recentJobOf(entry("failed"), undefined, held).outcome).toBe("aborted");
  });

  it("a run that failed is failed; a run in waves stopped on purpose is stopped", () => {
    const request = makeRequest({ status: "failed" });
    expect(
      recentJobOf(entry("failed"), request, details({ status: "failed", summary: "1 failed" })).outcome,
    ).toBe("failed");
    const stop = { kind: "abort", afterWave: 1, of: 3 } as const;
    expect(
      recentJobOf(
        entry("succeeded"),
        makeRequest({ status: "succeeded" }),
        details({ status: "aborted", summary: "stopped", stop } as NonNullable<RequestDetails["result"]>),
      ).outcome,
    ).toBe("stopped");
  });
});
