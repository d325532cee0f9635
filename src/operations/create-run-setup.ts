/**
 * What a run this replica drives is given: its reporter in the request's thread, the deps of `executeFlow`,
 * `resumeFlow` and `runWaves` (one job-poll schedule and one server board shared by all its runs), and the
 * flow spec of its request.
 * Apart from `create-executions.ts`, which claims, leases, drives and settles the runs, because this is wiring.
 */
import type { ChatPort, MessageRef } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { createJobPollGate } from "../cloud/create-job-poll-gate.js";
import { createServerBoard } from "../cloud/create-server-board.js";
import type { Logger } from "../log/create-logger.js";
import type { RunWavesDeps } from "../waves/run-waves.js";
import { parentOfWaveRun } from "../waves/wave-run-record.js";
import { copyFlowTarget } from "../workflow/copy-flow-target.js";
import { flowParametersOf, operationOfAction } from "../workflow/flow-parameters-of.js";
import { DEFAULT_RUN_RETENTION_MS } from "../workflow/run-record.js";
import type { ExecuteFlowDeps, ExecuteFlowSpec } from "../workflow/types.js";
import type { RunLease } from "./create-run-leases.js";
import { createThreadReporter, type ThreadReporter } from "./create-thread-reporter.js";
import { createWaveGate } from "./create-wave-gate.js";
import { POLICY_ACTOR } from "./describe-request.js";
import type { ExecutionsDeps } from "./executions-deps.js";

/** Operations whose summary says what the run left, from the preflight its approvers read. */
const SAYS_WHAT_IT_LEFT: ReadonlySet<string> = new Set(["detach", "delete"]);

/** Builds the parts of one run; made once per `createExecutions` by {@link createRunSetup}. */
export interface RunSetup {
  /**
   * The run's reporter, in the thread of `request` (none without one), continuing in the status message each
   * run recorded (the request's run in the request's details, a wave's run under its own run ID) and recording
   * the one it posts.
   */
  reporterFor(request: ApprovalRequest | undefined, runLogger: Logger): Promise<ThreadReporter>;
  /** The deps of `executeFlow` and `resumeFlow` for a run driven under `lease`, its events to `reporter`. */
  runDeps(reporter: ThreadReporter, lease: RunLease): ExecuteFlowDeps;
  /** `d` with what `runWaves` needs on top (the wave list's updates, the health gate, the pause poll). */
  wavesDeps(d: ExecuteFlowDeps): RunWavesDeps;
}

/**
 * Creates the schedule of job polls and the board of the followed jobs' servers that every run of these
 * executions shares, and the builders of a run's reporter and deps around them. Called once, by
 * `createExecutions`.
 */
export function createRunSetup(deps: ExecutionsDeps): RunSetup {
  // Before each wave after the first: the window still open, the policy decided again as of then.
  const beforeWave = createWaveGate(deps);
  // One schedule for every job this replica follows: 500 concurrent jobs share one poll budget (the job
  // follow-ups' too, when the replica's gate is given).
  const pollGate =
    deps.pollGate ??
    createJobPollGate({
      ...deps.jobPolls,
      ...(deps.metrics !== undefined && { metrics: deps.metrics }),
      now: () => deps.clock.now(),
      ...(deps.sleep !== undefined && { sleep: deps.sleep }),
    });
  // The servers of those jobs, read together once the budget cannot poll them all at their pace: a job is
  // then polled ahead of its turn when its servers settle.
  const serverBoard = createServerBoard({
    ecs: deps.cloud.ecs,
    minFollowers: pollGate.jobsAtPace,
    onError: (err) => deps.logger.debug({ err }, "could not read the servers of the followed jobs"),
    ...(deps.sleep !== undefined && { sleep: deps.sleep }),
  });

  async function reporterFor(
    request: ApprovalRequest | undefined,
    runLogger: Logger,
  ): Promise<ThreadReporter> {
    // The request's run has its status message in the request's details; a run in waves has one per wave's
    // run, under that run's ID (a replica adopting the run updates the same messages), kept as long as the
    // run records are.
    const waveStatusKey = (runId: string) => `runstatusmsg:${runId}`;
    const waveStatusTtlMs = deps.runRetentionMs ?? DEFAULT_RUN_RETENTION_MS;
    // What its approvers read, for the summary's word on what the run left (a detach's disk, a delete's kept
    // disks and EIPs): best effort, never in the run's way, and read only for those (a stop needs none).
    const leaves = request !== undefined && SAYS_WHAT_IT_LEFT.has(operationOfAction(request.action) ?? "");
    const preflight =
      request === undefined || !leaves
        ? undefined
        : await deps.details.get(request.id).then(
            (d) => d?.preflight,
            (err: unknown) => {
              runLogger.warn({ err }, "could not read the request's preflight for the summary");
              return undefined;
            },
          );
    return createThreadReporter({
      chat: skippingUnchangedUpdates(deps.chat()),
      root: request?.message,
      ...(request !== undefined && { requesterId: request.requester.userId }),
      ...(preflight !== undefined && { preflight }),
      clock: deps.clock,
      logger: runLogger,
      ...(request !== undefined && {
        findStatusMessage: async (runId: string) =>
          parentOfWaveRun(runId) === undefined
            ? (await deps.details.get(request.id))?.statusMessage
            : (await deps.store.get<MessageRef>(waveStatusKey(runId)))?.value,
        onStatusPosted: async (ref: MessageRef, runId: string) => {
          if (parentOfWaveRun(runId) === undefined)
            await deps.details.update(request.id, (d) => ({ ...d, statusMessage: ref }));
          else await deps.store.createIfAbsent(waveStatusKey(runId), ref, { ttlMs: waveStatusTtlMs });
        },
      }),
      ...(deps.statusIntervalMs !== undefined && { intervalMs: deps.statusIntervalMs }),
      ...(deps.statusSettleMs !== undefined && { settleMs: deps.statusSettleMs }),
      // The reporter's periodic redraw, at most once a minute: the status message says since when the run
      // runs, not for how long, so a redraw only repeats it (and then costs no Slack call, see above).
      tickMs: STATUS_REDRAW_MS,
      ...(deps.timers !== undefined && { timers: deps.timers }),
    });
  }

  function runDeps(reporter: ThreadReporter, lease: RunLease): ExecuteFlowDeps {
    return {
      cloud: deps.cloud,
      flows: deps.flows,
      store: deps.store,
      audit: deps.audit,
      clock: deps.clock,
      onEvent: (event) => reporter.onEvent(event),
      fence: lease.fence,
      signal: lease.signal,
      pollGate,
      serverBoard,
      ...(deps.polling !== undefined && { polling: deps.polling }),
      ...(deps.sleep !== undefined && { sleep: deps.sleep }),
      ...(deps.onBeforeMutation !== undefined && { onBeforeMutation: deps.onBeforeMutation }),
      ...(deps.faultPoint !== undefined && { faultPoint: deps.faultPoint }),
      ...(deps.runRetentionMs !== undefined && { runRetentionMs: deps.runRetentionMs }),
      ...(deps.metrics !== undefined && { metrics: deps.metrics }),
    };
  }

  function wavesDeps(d: ExecuteFlowDeps): RunWavesDeps {
    return {
      ...d,
      cloud: deps.cloud,
      ...(deps.onWaves !== undefined && { onWaves: deps.onWaves }),
      ...(deps.waves?.gate !== undefined && { gate: deps.waves.gate }),
      ...(deps.waves?.holdPollMs !== undefined && { holdPollMs: deps.waves.holdPollMs }),
      beforeWave,
      logger: deps.logger,
    };
  }

  return { reporterFor, runDeps, wavesDeps };
}

/**
 * How often the status message of a run going on may be drawn again without news, at most: Slack's chat.update
 * is rate-limited.
 */
const STATUS_REDRAW_MS = 60_000;

/**
 * `chat` leaving out an update that would show a message exactly as this reporter last posted or updated it.
 * The status message of a run going on does not depend on the time ("running since 21:52"): the reporter's
 * periodic redraw while a job sends no news then costs no chat.update (Slack's rate limit is per workspace,
 * shared by every run). A failed update is not remembered: the next one is sent.
 */
function skippingUnchangedUpdates(chat: ChatPort | undefined): ChatPort | undefined {
  if (chat === undefined) return undefined;
  const shown = new Map<string, string>();
  const keyOf = (ref: MessageRef) => `${ref.channel}\u0000${ref.ts}`;
  const own: Pick<ChatPort, "postMessage" | "updateMessage"> = {
    async postMessage(channel, message, options) {
      const ref = await chat.postMessage(channel, message, options);
      shown.set(keyOf(ref), JSON.stringify(message));
      return ref;
    },
    async updateMessage(ref, message) {
      const drawn = JSON.stringify(message);
      if (shown.get(keyOf(ref)) === drawn) return;
      await chat.updateMessage(ref, message);
      shown.set(keyOf(ref), drawn);
    },
  };
  // Everything else is the chat's own (the reporter posts and updates only).
  return Object.assign(Object.create(chat) as ChatPort, own);
}

/** Who started the execution: the approver whose approval completed it, or the requester if allowed. */
function actorOf(request: ApprovalRequest): string {
  const last = request.approvals.at(-1)?.userId;
  return last === undefined || last === POLICY_ACTOR ? request.requester.userId : last;
}

/**
 * The flow spec of the run `runId` of a claimed request: its operation, its targets as approved (copied), its
 * parameters and the actor who started it. Throws when the request's action runs no flow.
 */
export function flowSpecOf(request: ApprovalRequest, runId: string): ExecuteFlowSpec {
  const operation = operationOfAction(request.action);
  if (operation === undefined) throw new Error(`no flow for ${request.action}`);
  return {
    runId,
    requestId: request.id,
    operation,
    targets: request.targets.map(copyFlowTarget),
    parameters: flowParametersOf(request.parameters),
    actorId: actorOf(request),
    requesterId: request.requester.userId,
    ...(request.breakGlass !== undefined && { breakGlass: true }),
  };
}
