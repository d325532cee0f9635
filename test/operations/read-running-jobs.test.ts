/**
 * `readRunningJobs` on a memory store with the shipped flows: a run at its re-check is worded as its status
 * message words it, "since it was asked" when nobody approved it (the policy allowed it) and "since approval"
 * when people did.
 */
import { expect, it } from "vitest";
import type { ApprovalService } from "../../src/approvals/approval-service.js";
import { readRunningJobs } from "../../src/operations/read-running-jobs.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { newRunRecord } from "../../src/workflow/execute-flow.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import { OPEN_RUNS_SET, runKey } from "../../src/workflow/run-record.js";
import type { ExecuteFlowSpec } from "../../src/workflow/types.js";

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
