/**
 * How a claimed execution ends: the result of its run recorded and the approval finished (`settleExecution`),
 * or, for an action without a flow, its activator run and the approval finished with what it answered
 * (`activateRequest`). Apart from `create-executions.ts`, which decides when a run ends, not how it is recorded.
 */

import type { ApprovalRequest } from "../approvals/approval-request.js";
import { approvalOutcomeOf, isIn, TERMINAL_RUN_STATUSES } from "../workflow/flow-statuses.js";
import { describeAbort, describeCounts, notRunCodeOf } from "../workflow/flow-summary-message.js";
import type { NotRunCode } from "../workflow/not-run-cause-of.js";
import type { FlowOutcome } from "../workflow/summarize-run.js";
import type { Activator, ExecutionsDeps } from "./executions-deps.js";

/**
 * Records the result of a claimed request's run: in its details (for the card), then the approval's final
 * status with its audit record (`failed` without a terminal outcome; `error`, if given, is the failure).
 * Never throws: what cannot be recorded is logged.
 */
export async function settleExecution(
  deps: Pick<ExecutionsDeps, "approvals" | "details" | "logger">,
  request: ApprovalRequest,
  runId: string,
  outcome: FlowOutcome | undefined,
  error?: string,
): Promise<void> {
  const { approvals, logger } = deps;
  const status = outcome?.status;
  try {
    await deps.details.update(request.id, (d) => ({
      ...d,
      runId,
      ...(outcome && status !== undefined && isIn(TERMINAL_RUN_STATUSES, status)
        ? {
            result: {
              status,
              // An aborted run's summary says why (changed, or could not be read) and that nothing was sent.
              // A run in waves stopped on purpose is aborted too, but its card says the stop and the counts.
              summary:
                status === "aborted" && outcome.stop === undefined
                  ? describeAbort(outcome)
                  : describeCounts(outcome),
              ...(status === "aborted" && notRunOf(outcome)),
              ...(outcome.durationMs !== undefined && { durationMs: outcome.durationMs }),
              ...finalStatesOf(outcome),
              // Who or what stopped a run in waves on purpose: the card says it rather than a bare result.
              ...(outcome.stop !== undefined && { stop: outcome.stop }),
            },
          }
        : {}),
      ...(error !== undefined && { executionError: error }),
    }));
  } catch (err) {
    logger.warn({ err, approval: request.id }, "could not record the result for the card");
  }
  const final =
    status !== undefined && isIn(TERMINAL_RUN_STATUSES, status)
      ? approvalOutcomeOf(status)
      : ("failed" as const);
  const failure =
    error ??
    (status === "aborted" && outcome
      ? describeAbort(outcome)
      : outcome && final !== "succeeded"
        ? describeCounts(outcome)
        : undefined);
  try {
    const finished = await approvals.finishExecution(request.id, runId, final, failure);
    if (!finished.ok)
      logger.warn({ code: finished.code, approval: request.id }, "could not finish the execution");
  } catch (err) {
    logger.error({ err, approval: request.id }, "could not record the end of the execution");
  }
}

/** The servers' states read at the end of the run, for the card; none when the run could not read them. */
function finalStatesOf(outcome: FlowOutcome): {
  servers?: { id: string; status?: string; flavor?: string }[];
} {
  const read = outcome.servers.filter((s) => s.finalStatus !== undefined || s.finalFlavor !== undefined);
  if (read.length === 0) return {};
  return {
    servers: read.map((server) => ({
      id: server.id,
      ...(server.finalStatus !== undefined && { status: server.finalStatus }),
      ...(server.finalFlavor !== undefined && { flavor: server.finalFlavor }),
    })),
  };
}

/**
 * Ends a claimed request whose action has an activator (no flow): activates it, finishes the approval with
 * the activator's answer (failed with its error), and refreshes the card. A throwing activator leaves the
 * request executing, to be resumed by the next adoption pass (activators are idempotent).
 */
export async function activateRequest(
  deps: Pick<ExecutionsDeps, "approvals" | "logger" | "refreshCard">,
  request: ApprovalRequest,
  runId: string,
  activator: Activator,
): Promise<void> {
  const { approvals, logger } = deps;
  const log = logger.child({ approval: request.id, run: runId });
  let result: Awaited<ReturnType<Activator>>;
  try {
    result = await activator(request);
  } catch (error) {
    // Left executing: the next adoption pass resumes it (activators are idempotent).
    log.error({ err: error }, "could not activate the request");
    return;
  }
  try {
    const finished = await approvals.finishExecution(
      request.id,
      runId,
      result.ok ? "succeeded" : "failed",
      result.ok ? undefined : result.error,
    );
    if (!finished.ok) log.warn({ code: finished.code }, "could not finish the activation");
  } catch (error) {
    log.error({ err: error }, "could not record the end of the activation");
  }
  await deps.refreshCard(request.id);
}

/** `{ notRun }` for an aborted run refused before it sent anything (its card says why); `{}` otherwise. */
function notRunOf(outcome: Parameters<typeof notRunCodeOf>[0]): { notRun?: NotRunCode } {
  const notRun = notRunCodeOf(outcome);
  return notRun === undefined ? {} : { notRun };
}
