import { randomBytes } from "node:crypto";
import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { CloudClient } from "../cloud/types.js";
import type { Logger } from "../log/create-logger.js";
import { md } from "../render/message-model.js";
import type { Clock, Store } from "../store/store.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { RunOwnershipLostError } from "../workflow/drive-run.js";
import { type ExecuteFlowResult, executeFlow } from "../workflow/execute-flow.js";
import { approvalOutcomeOf, isIn, TERMINAL_RUN_STATUSES } from "../workflow/flow-statuses.js";
import { describeCounts } from "../workflow/flow-summary-message.js";
import { type ResumeFlowResult, resumeFlow } from "../workflow/resume-flow.js";
import { runKey } from "../workflow/run-record.js";
import type { FlowOutcome } from "../workflow/summarize-run.js";
import type { ExecuteFlowDeps, FlowSet } from "../workflow/types.js";
import { createThreadReporter, type ThreadReporter } from "./create-thread-reporter.js";
import { POLICY_ACTOR } from "./describe-request.js";
import type { RequestDetailsStore } from "./request-details.js";
import type { Timers } from "./timers.js";
import { flowParametersOf, operationOfAction } from "./to-operation-request.js";

export interface ExecutionsDeps {
  approvals: ApprovalService;
  details: RequestDetailsStore;
  flows: FlowSet;
  store: Store;
  audit: AuditLog;
  cloud: CloudClient;
  clock: Clock;
  logger: Logger;
  chat: () => ChatPort | undefined;
  /** Re-renders a request's card from the store. */
  refreshCard: (requestId: string) => Promise<void>;
  statusIntervalMs?: number;
  polling?: ExecuteFlowDeps["polling"];
  sleep?: ExecuteFlowDeps["sleep"];
  timers?: Timers;
}

/**
 * Runs approved requests, exactly once each: `claimExecution` (one winner across double clicks, redeliveries,
 * concurrent approvers and replicas), then the flow with `executeFlow`, reported in the request's thread, then
 * `finishExecution` and the final card. Work runs in the background and is tracked for shutdown.
 */
export interface Executions {
  /** Claims and runs an approved request (no-op if someone else claimed it). Never throws. */
  runApproved(requestId: string): Promise<void>;
  /** Continues a claimed request whose run was interrupted (or never created). Never throws. */
  resumeClaimed(request: ApprovalRequest): Promise<void>;
  /** Continues an open run whose request record is gone or not executing (report only in the log). */
  resumeOrphanRun(runId: string): Promise<void>;
  /** Runs `work` in the background, tracked. */
  track(work: Promise<unknown>): void;
  /** Settles when every tracked task has (or after `timeoutMs`; true = all done). */
  drain(timeoutMs?: number): Promise<boolean>;
  /** Request IDs being executed by this process. */
  isRunning(requestId: string): boolean;
}

export function createExecutions(deps: ExecutionsDeps): Executions {
  const { approvals, logger } = deps;
  const tasks = new Set<Promise<unknown>>();
  const running = new Set<string>();

  function track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, "background operation failed"),
    );
    tasks.add(settled);
    void settled.then(() => tasks.delete(settled));
  }

  function reporterFor(request: ApprovalRequest | undefined, runLogger: Logger): ThreadReporter {
    return createThreadReporter({
      chat: deps.chat(),
      root: request?.message,
      clock: deps.clock,
      logger: runLogger,
      ...(deps.statusIntervalMs !== undefined && { intervalMs: deps.statusIntervalMs }),
      ...(deps.timers !== undefined && { timers: deps.timers }),
    });
  }

  function runDeps(reporter: ThreadReporter): ExecuteFlowDeps {
    return {
      cloud: deps.cloud,
      flows: deps.flows,
      store: deps.store,
      audit: deps.audit,
      clock: deps.clock,
      onEvent: (event) => reporter.onEvent(event),
      ...(deps.polling !== undefined && { polling: deps.polling }),
      ...(deps.sleep !== undefined && { sleep: deps.sleep }),
    };
  }

  /** Who started the execution: the approver whose approval completed it, or the requester if allowed. */
  function actorOf(request: ApprovalRequest): string {
    const last = request.approvals.at(-1)?.userId;
    return last === undefined || last === POLICY_ACTOR ? request.requester.userId : last;
  }

  /** Runs (or resumes) the flow of a claimed request and settles everything after it. */
  async function drive(
    request: ApprovalRequest,
    runId: string,
    run: (d: ExecuteFlowDeps) => Promise<ExecuteFlowResult | ResumeFlowResult>,
  ): Promise<void> {
    const runLogger = logger.child({ approval: request.id, run: runId });
    const reporter = reporterFor(request, runLogger);
    let result: ExecuteFlowResult | ResumeFlowResult;
    try {
      result = await run(runDeps(reporter));
    } catch (error) {
      if (error instanceof RunOwnershipLostError) {
        runLogger.warn("another executor took over this run; stopping here");
        await reporter.abandon(
          buildNoticeView(":arrows_counterclockwise:", md`Another instance of the bot continues this run.`),
        );
        return;
      }
      // The run record stays open: the next start() resumes it without resending anything.
      runLogger.error({ err: error }, "execution interrupted");
      await reporter.abandon(
        buildNoticeView(
          ":warning:",
          md`The execution was interrupted (the bot could not save its progress). It will be resumed from its record; nothing is sent twice.`,
        ),
      );
      return;
    }
    if (!result.ok && result.error === "run_exists") {
      // Another executor created the run between our check and our start: it is theirs to drive.
      runLogger.info("the run exists already: another executor drives it");
      return;
    }
    if (!result.ok) {
      runLogger.error({ error: result.error, message: result.message }, "execution could not run");
      await settle(request, runId, undefined, result.message);
      await reporter.abandon(buildNoticeView(":x:", md`The execution could not run: ${result.message}`));
      await deps.refreshCard(request.id);
      return;
    }
    await reporter.finish(result.outcome);
    await settle(request, runId, result.outcome);
    await deps.refreshCard(request.id);
  }

  /** Records the result (details, then the approval's final status with its audit record). */
  async function settle(
    request: ApprovalRequest,
    runId: string,
    outcome: FlowOutcome | undefined,
    error?: string,
  ) {
    const status = outcome?.status;
    try {
      await deps.details.update(request.id, (d) => ({
        ...d,
        runId,
        ...(outcome && status !== undefined && isIn(TERMINAL_RUN_STATUSES, status)
          ? {
              result: {
                status,
                summary: status === "aborted" ? "aborted, nothing changed" : describeCounts(outcome),
                ...(outcome.durationMs !== undefined && { durationMs: outcome.durationMs }),
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
      (status === "aborted"
        ? "aborted: the servers changed since approval"
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

  async function runApproved(requestId: string): Promise<void> {
    if (running.has(requestId)) return;
    running.add(requestId);
    try {
      const runId = `run_${randomBytes(12).toString("base64url")}`;
      let claimed: ApprovalRequest;
      try {
        const claim = await approvals.claimExecution(requestId, runId);
        if (!claim.ok) {
          logger.info({ approval: requestId, code: claim.code }, "not claimed: another execution has it");
          return;
        }
        claimed = claim.request;
      } catch (error) {
        // A throw is "not claimed": never execute without the claim and its audit record.
        logger.error({ err: error, approval: requestId }, "could not claim the execution");
        return;
      }
      try {
        await deps.details.update(requestId, (d) => ({ ...d, runId }));
      } catch (error) {
        logger.warn({ err: error, approval: requestId }, "could not record the run ID for the card");
      }
      void deps.refreshCard(requestId);
      await drive(claimed, runId, (d) => executeFlow(specOf(claimed, runId), d));
    } finally {
      running.delete(requestId);
    }
  }

  async function resumeClaimed(request: ApprovalRequest): Promise<void> {
    const runId = request.execution?.executionId;
    if (runId === undefined || running.has(request.id)) return;
    running.add(request.id);
    try {
      const exists = (await deps.store.get(runKey(runId))) !== undefined;
      // Claimed but the run never created: nothing was sent yet, so it is started now.
      await drive(request, runId, (d) =>
        exists ? resumeFlow(runId, d) : executeFlow(specOf(request, runId), d),
      );
    } finally {
      running.delete(request.id);
    }
  }

  async function resumeOrphanRun(runId: string): Promise<void> {
    const reporter = reporterFor(undefined, logger.child({ run: runId }));
    try {
      const result = await resumeFlow(runId, runDeps(reporter));
      logger.info({ run: runId, ok: result.ok }, "resumed a run without an executing request");
    } catch (error) {
      logger.error({ err: error, run: runId }, "could not resume the run");
    }
  }

  function specOf(request: ApprovalRequest, runId: string) {
    const operation = operationOfAction(request.action);
    if (operation === undefined) throw new Error(`no flow for ${request.action}`);
    return {
      runId,
      requestId: request.id,
      operation,
      targets: request.targets.map((t) => ({ id: t.id, name: t.name, status: t.status, flavor: t.flavor })),
      parameters: flowParametersOf(request.parameters),
      actorId: actorOf(request),
    };
  }

  return {
    runApproved(requestId) {
      const work = runApproved(requestId);
      track(work);
      return work.catch(() => undefined);
    },
    resumeClaimed(request) {
      const work = resumeClaimed(request);
      track(work);
      return work.catch(() => undefined);
    },
    resumeOrphanRun(runId) {
      const work = resumeOrphanRun(runId);
      track(work);
      return work;
    },
    track,
    async drain(timeoutMs = Number.POSITIVE_INFINITY) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        if (Number.isFinite(timeoutMs)) {
          timer = setTimeout(() => resolve(false), timeoutMs);
          timer.unref();
        }
      });
      const all = (async () => {
        while (tasks.size > 0) await Promise.all([...tasks]);
        return true as const;
      })();
      try {
        return await Promise.race([all, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    isRunning: (requestId) => running.has(requestId),
  };
}
