import type { ApprovalRequest } from "../approvals/approval-request.js";
import { createTaskTracker } from "../bot/create-task-tracker.js";
import type { Logger } from "../log/create-logger.js";
import { randomText } from "../random/random-text.js";
import { md } from "../render/message-model.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { wavePlanOf } from "../waves/plan-waves.js";
import { type RunWavesResult, runWaves } from "../waves/run-waves.js";
import { waveRunKey } from "../waves/wave-run-record.js";
import { type ExecuteFlowResult, executeFlow } from "../workflow/execute-flow.js";
import { type ResumeFlowResult, resumeFlow } from "../workflow/resume-flow.js";
import { RunOwnershipLostError, RunSuspendedError } from "../workflow/run-context.js";
import { type RunRecord, runKey } from "../workflow/run-record.js";
import type { ExecuteFlowDeps } from "../workflow/types.js";
import { createExecutionGate } from "./create-execution-gate.js";
import type { RunLease } from "./create-run-leases.js";
import { createRunSetup, flowSpecOf } from "./create-run-setup.js";
import type { ThreadReporter } from "./create-thread-reporter.js";
import type { ExecutionsDeps } from "./executions-deps.js";
import { reportLostRecord } from "./report-lost-record.js";
import { activateRequest, settleExecution } from "./settle-execution.js";
import { trackSentCalls } from "./track-sent-calls.js";

/**
 * Runs approved requests, exactly once each: `claimExecution` (one winner across double clicks, redeliveries,
 * concurrent approvers and replicas), then the run's lease (`run:<runId>`, held and renewed while this replica
 * drives it; every write to the run record is fenced by it), then the flow with `executeFlow`, reported in the
 * request's thread, then the single final summary (claimed in the store before it is posted), `finishExecution`
 * and the final card. Work runs in the background and is tracked for shutdown.
 */
export interface Executions {
  /**
   * Claims and runs an approved request (no-op if someone else claimed it). Never throws. With `cardStale`,
   * the request's card has not been shown since it was approved: the run's start shows it, and if the run
   * does not start here, the card is refreshed anyway.
   */
  runApproved(requestId: string, options?: { cardStale?: boolean }): Promise<void>;
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
  /** Stops taking new work (SIGTERM): later calls do nothing; runs in progress stop at their next safe point. */
  suspend(): void;
}

/** How long the claim on a run's final summary lasts: far longer than any request stays executing. */
const FINAL_CLAIM_TTL_MS = 30 * 24 * 60 * 60_000;
export const finalSummaryClaim = (runId: string) => `runfinal:${runId}`;

export function createExecutions(deps: ExecutionsDeps): Executions {
  const { approvals, logger } = deps;
  const tasks = createTaskTracker();
  const gate = createExecutionGate(deps);
  const { reporterFor, runDeps, wavesDeps } = createRunSetup(deps);
  /** Request IDs (and IDs of runs without a request) this process is driving. */
  const running = new Set<string>();
  let stopping = false;

  function track(work: Promise<unknown>): void {
    void tasks.track(
      work.then(
        () => undefined,
        (error: unknown) => logger.error({ err: error }, "background operation failed"),
      ),
    );
  }

  /** Claims the run's single final summary; false if it was claimed before (or cannot be claimed now). */
  async function claimFinalSummary(runId: string, runLogger: Logger): Promise<boolean> {
    try {
      return await deps.store.claimOnce(finalSummaryClaim(runId), FINAL_CLAIM_TTL_MS);
    } catch (error) {
      // Not posted now; the request stays executing and the run is adopted again later, which claims it then.
      runLogger.warn({ err: error }, "could not claim the final summary");
      return false;
    }
  }

  /** Runs (or resumes) the flow of a claimed request under its lease and settles everything after it. */
  async function drive(
    request: ApprovalRequest,
    runId: string,
    lease: RunLease,
    run: (d: ExecuteFlowDeps) => Promise<ExecuteFlowResult | ResumeFlowResult | RunWavesResult>,
  ): Promise<void> {
    const runLogger = logger.child({ approval: request.id, run: runId });
    const reporter = await reporterFor(request, runLogger);
    // What the run sent, should its record be lost (a store that came back empty).
    const sent = trackSentCalls();
    const observed: ThreadReporter = {
      ...reporter,
      onEvent(event) {
        sent.observe(event);
        reporter.onEvent(event);
      },
    };
    let result: ExecuteFlowResult | ResumeFlowResult;
    try {
      result = await run(runDeps(observed, lease));
    } catch (error) {
      if (
        lease.ended !== undefined ||
        error instanceof RunSuspendedError ||
        error instanceof RunOwnershipLostError
      ) {
        // Quiet: whoever continues the run (another replica, or this one after a restart) reports in the same
        // status message and posts the one summary.
        const why = lease.ended ?? (error instanceof RunSuspendedError ? "stopping" : "lost");
        runLogger.warn({ why }, "run handed over at a safe point");
        deps.metrics?.runHandedOver(why);
        await reporter.suspend();
        // Unless nobody can: a store that lost the run's record lets no replica continue it.
        if (why === "lost" && sent.started) await reportLostRecord(deps, request, runId, sent, runLogger);
        return;
      }
      // The run record stays open: the next adoption pass resumes it without resending anything.
      runLogger.error({ err: error }, "execution interrupted");
      deps.metrics?.runHandedOver("interrupted");
      await reporter.abandon(
        buildNoticeView(
          ":warning:",
          md`The execution was interrupted (the bot could not save its progress). It will be resumed from its record; nothing is sent twice.`,
        ),
      );
      track(reporter.shown());
      return;
    }
    if (!result.ok && result.error === "run_exists") {
      // Another executor created the run between our check and our start: it is theirs to drive.
      runLogger.info("the run exists already: another executor drives it");
      return;
    }
    if (!result.ok) {
      runLogger.error({ error: result.error, message: result.message }, "execution could not run");
      await settleExecution(deps, request, runId, undefined, result.message);
      await gate.giveBackServers(request, runId);
      if (await claimFinalSummary(runId, runLogger)) {
        await reporter.abandon(buildNoticeView(":x:", md`The execution could not run: ${result.message}`));
        track(reporter.shown());
      } else await reporter.suspend();
      await deps.refreshCard(request.id);
      return;
    }
    await reporter.finish(result.outcome, { summary: await claimFinalSummary(runId, runLogger) });
    // The status message's last edit may still wait out a Slack rate limit: the outcome is recorded and the
    // card finished meanwhile, and idle() and stop() wait for it like any work.
    track(reporter.shown());
    await deps.onRunFinished?.(request, result.outcome);
    await settleExecution(deps, request, runId, result.outcome);
    await gate.giveBackServers(request, runId);
    await deps.refreshCard(request.id);
  }

  /** Takes the run's lease; undefined when another replica (or a task of this one) drives it. */
  async function leaseOf(runId: string, log: Logger): Promise<RunLease | undefined> {
    try {
      const lease = await deps.leases.acquire(runId);
      if (lease === undefined) log.debug("the run is driven elsewhere (its lease is held)");
      return lease;
    } catch (error) {
      // Left as it is: the next adoption pass tries again.
      log.warn({ err: error }, "could not take the run lease");
      return undefined;
    }
  }

  async function runApproved(requestId: string, options: { cardStale?: boolean } = {}): Promise<void> {
    let cardShown = false;
    try {
      await claimAndRun(requestId, () => {
        cardShown = true;
      });
    } finally {
      if (options.cardStale === true && !cardShown) await deps.refreshCard(requestId);
    }
  }

  /** `cardShown` is called once the card was refreshed for the claimed request (its run or activation). */
  async function claimAndRun(requestId: string, cardShown: () => void): Promise<void> {
    if (stopping || running.has(requestId)) return;
    running.add(requestId);
    try {
      const answer = await gate.mayRun(requestId);
      if (answer === false) return;
      const runId = `run_${randomText(12, "base64url")}`;
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
      const activator = deps.activators?.[claimed.action];
      if (activator !== undefined) {
        cardShown();
        await activateRequest(deps, claimed, runId, activator);
        return;
      }
      // Nothing is sent before the servers are this run's: of two changes approved at once, one takes them.
      if (!(await gate.takeServers(claimed, runId))) return;
      const log = logger.child({ approval: requestId, run: runId });
      const lease = await leaseOf(runId, log);
      if (lease === undefined) return;
      try {
        try {
          await deps.details.update(requestId, (d) => ({ ...d, runId }));
        } catch (error) {
          log.warn({ err: error }, "could not record the run ID for the card");
        }
        cardShown();
        void deps.refreshCard(requestId);
        await drive(claimed, runId, lease, (d) => {
          const plan = wavePlanOf(claimed.parameters);
          // Waves read their servers again per wave; a single run starts from the re-decision's fresh reads.
          return plan !== undefined
            ? runWaves(flowSpecOf(claimed, runId), plan, wavesDeps(d))
            : executeFlow(flowSpecOf(claimed, runId), {
                ...d,
                ...(answer.reads !== undefined && { primedReads: answer.reads }),
              });
        });
      } finally {
        await lease.release();
      }
    } finally {
      running.delete(requestId);
    }
  }

  async function resumeClaimed(request: ApprovalRequest): Promise<void> {
    const runId = request.execution?.executionId;
    if (stopping || runId === undefined || running.has(request.id)) return;
    running.add(request.id);
    try {
      const activator = deps.activators?.[request.action];
      if (activator !== undefined) {
        await activateRequest(deps, request, runId, activator);
        return;
      }
      const log = logger.child({ approval: request.id, run: runId });
      const lease = await leaseOf(runId, log);
      if (lease === undefined) return;
      try {
        // Read again under the lease: the previous holder may have settled it since it was listed.
        const current = await approvals.get(request.id);
        if (current?.status !== "executing" || current.execution?.executionId !== runId) return;
        const plan = wavePlanOf(current.parameters);
        const exists =
          (await deps.store.get(plan !== undefined ? waveRunKey(runId) : runKey(runId))) !== undefined;
        const result = exists ? undefined : (await deps.details.get(current.id))?.result;
        if (result?.status === "aborted") {
          // Refused before anything was sent (another change held its servers) and interrupted before it was
          // finished: it is finished now, never started.
          const reason = result.summary;
          const finished = await approvals.finishExecution(current.id, runId, "failed", reason);
          log.info(
            { code: finished.ok ? undefined : finished.code },
            "finished a claimed run the gate refused",
          );
          await deps.refreshCard(current.id);
          return;
        }
        // A run never created sends nothing before its servers are its own (held: ended, and said); one that
        // was created keeps going, and takes back what it can (a run begun by a version without holds).
        if (!exists && !(await gate.takeServers(current, runId))) return;
        if (exists) await gate.retakeServers(current, runId);
        if (plan !== undefined) {
          // The wave record says where the run is; each wave's own run is resumed, never re-sent.
          log.info({ exists }, "adopting a run in waves");
          deps.metrics?.runAdopted();
          await drive(current, runId, lease, (d) => runWaves(flowSpecOf(current, runId), plan, wavesDeps(d)));
          return;
        }
        log.info({ exists }, exists ? "adopting an unfinished run" : "starting a claimed run never created");
        if (exists) deps.metrics?.runAdopted();
        // Claimed but the run never created: nothing was sent yet, so it is started now.
        await drive(current, runId, lease, (d) =>
          exists ? resumeFlow(runId, d) : executeFlow(flowSpecOf(current, runId), d),
        );
      } finally {
        await lease.release();
      }
    } catch (error) {
      logger.error({ err: error, approval: request.id }, "could not resume the execution");
    } finally {
      running.delete(request.id);
    }
  }

  async function resumeOrphanRun(runId: string): Promise<void> {
    if (stopping || running.has(runId)) return;
    running.add(runId);
    const log = logger.child({ run: runId });
    try {
      const lease = await leaseOf(runId, log);
      if (lease === undefined) return;
      try {
        const stored = await deps.store.get<RunRecord>(runKey(runId));
        if (stored === undefined || stored.value.status !== "running") return;
        const reporter = await reporterFor(undefined, log);
        deps.metrics?.runAdopted();
        const result = await resumeFlow(runId, runDeps(reporter, lease));
        log.info({ ok: result.ok }, "resumed a run without an executing request");
      } finally {
        await lease.release();
      }
    } catch (error) {
      if (error instanceof RunSuspendedError || error instanceof RunOwnershipLostError) {
        const why = error instanceof RunSuspendedError ? "stopping" : "lost";
        log.warn({ why }, "run handed over at a safe point");
        deps.metrics?.runHandedOver(why);
      } else log.error({ err: error }, "could not resume the run");
    } finally {
      running.delete(runId);
    }
  }

  return {
    runApproved(requestId, options) {
      const work = runApproved(requestId, options);
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
    drain: (timeoutMs = Number.POSITIVE_INFINITY) => tasks.drain(timeoutMs),
    isRunning: (requestId) => running.has(requestId),
    suspend() {
      stopping = true;
    },
  };
}
