/**
 * `readRunningJobs` on a memory store with the shipped flows: a run at its re-check is worded as its status
 * message words it, "since it was asked" when nobody approved it (the policy allowed it) and "since approval"
 * when people did. `readScheduledJobs`: the approved changes waiting for their time, soonest first, bounded.
 */
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import type { ApprovalService } from "../../src/approvals/approval-service.js";
import { POLICY_ACTOR } from "../../src/operations/describe-request.js";
import { readRunningJobs, readScheduledJobs } from "../../src/operations/read-running-jobs.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { newRunRecord } from "../../src/workflow/execute-flow.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import { OPEN_RUNS_SET, runKey } from "../../src/workflow/run-record.js";
import type { ExecuteFlowSpec } from "../../src/workflow/types.js";
import { makeRequest } from "./fixtures.js";

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
    const { jobs, total, requests } = await readScheduledJobs(approvals, 2);
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
