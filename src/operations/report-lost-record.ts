import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { Logger } from "../log/create-logger.js";
import { wavePlanOf } from "../waves/plan-waves.js";
import { waveRunKey } from "../waves/wave-run-record.js";
import { runKey } from "../workflow/run-record.js";
import { buildRecordLostView, RECORD_LOST_RESULT } from "./build-record-lost-view.js";
import { buildRequestCard } from "./build-request-card.js";
import { verbOf } from "./describe-request.js";
import type { ExecutionsDeps } from "./executions-deps.js";
import type { SentCalls } from "./track-sent-calls.js";

/**
 * Called by the replica whose lease on a started run was lost: if the run's record is gone from the store (a
 * Redis that came back empty), no replica can adopt the run, so this one says so in the run's thread (what it
 * saw sent, what to check) and marks the card's outcome unknown. Otherwise nothing: whoever adopts the run
 * reports it. Best effort (failures are logged), and it sends nothing to the cloud.
 */
export async function reportLostRecord(
  deps: Pick<ExecutionsDeps, "store" | "chat" | "shownCards">,
  request: ApprovalRequest,
  runId: string,
  sent: SentCalls,
  logger: Logger,
): Promise<void> {
  // A run in waves is continued from its wave record; any other from its run record.
  const key = wavePlanOf(request.parameters) !== undefined ? waveRunKey(runId) : runKey(runId);
  try {
    if ((await deps.store.get(key)) !== undefined) return;
  } catch (error) {
    // Unreachable: the record is most likely still there, and the run is adopted once the store is back.
    logger.debug({ err: error }, "could not check whether the run's record still exists");
    return;
  }
  logger.error({ record: key }, "the store lost the run's record: no replica can continue it");
  const chat = deps.chat();
  const root = request.message;
  if (chat === undefined || root === undefined) return;
  const names = new Map(request.targets.map((t) => [t.id, t.name]));
  const what = sent.sent();
  try {
    await chat.postMessage(
      root.channel,
      buildRecordLostView({
        verb: verbOf(request.action),
        requesterId: request.requester.userId,
        targetNames: request.targets.map((t) => t.name),
        sent: what && { names: what.serverIds.map((id) => names.get(id) ?? id), jobIds: what.jobIds },
      }),
      { threadTs: root.threadTs ?? root.ts },
    );
  } catch (error) {
    logger.warn({ err: error }, "could not say in the thread that the run's record was lost");
  }
  // The card from the request as this replica holds it (its record is gone too): its outcome is unknown.
  const execution = request.execution ?? { executionId: runId, startedAt: request.createdAt };
  deps.shownCards?.forget(root);
  try {
    await chat.updateMessage(
      root,
      buildRequestCard({
        request: {
          ...request,
          status: "outcome_unknown",
          execution: { ...execution, error: RECORD_LOST_RESULT },
        },
        details: undefined,
      }),
    );
  } catch (error) {
    logger.warn({ err: error }, "could not show on the card that the run's record was lost");
  }
}
