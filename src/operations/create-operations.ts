import type { ChatPort } from "../app/ports.js";
import { type ApprovalService, createApprovalService } from "../approvals/approval-service.js";
import { type AuditLog, createAuditLog } from "../audit/create-audit-log.js";
import type { CloudClient } from "../cloud/types.js";
import type { ActionHandler, CommandHandlers, RequestMeta, ViewHandler } from "../commands/types.js";
import type { Logger } from "../log/create-logger.js";
import type { Policy } from "../policy/types.js";
import type { Message } from "../render/message-model.js";
import { type Clock, type Store, systemClock } from "../store/store.js";
import { OPEN_RUNS_SET } from "../workflow/run-record.js";
import type { ExecuteFlowDeps, FlowSet } from "../workflow/types.js";
import { APPROVAL_ACTION_PREFIX, APPROVAL_VIEW_PREFIX } from "./approval-action-ids.js";
import { buildRequestCard } from "./build-request-card.js";
import { createExecutions } from "./create-executions.js";
import { createExpirySweeper } from "./create-expiry-sweeper.js";
import { createLatestRunner } from "./create-latest-runner.js";
import { createDescribePolicy, createReadPolicy } from "./create-policy-gates.js";
import { createApprovalClickHandler, createRejectViewHandler } from "./handle-approval-click.js";
import { createMutationRequestHandler } from "./handle-mutation-request.js";
import { createOpsCommandHandler } from "./handle-ops-command.js";
import { createRequestDetailsStore } from "./request-details.js";
import type { Timers } from "./timers.js";

export interface OperationsOptions {
  /** The policy, or a function returning the live one (read on every request and click). */
  policy: Policy | (() => Policy);
  /** The validated flows (`loadFlows("flows")`). */
  flows: FlowSet;
  /** Approvals, audit, run records and request details live here (shared by every replica). */
  store: Store;
  cloud: CloudClient;
  logger: Logger;
  /** Default: the wall clock. Expiry, audit times and status coalescing use it. */
  clock?: Clock;
  /** Default: `createAuditLog({ store, logger, clock })`. Must write to `store`. */
  audit?: AuditLog;
  /** Default: `createApprovalService({ store, clock, audit })`. */
  approvals?: ApprovalService;
  /**
   * The chat port for work that no request carries (expiry sweeps, resumed runs). Optional: handlers learn it
   * from the first request; give it here or to `start()` to have it from the start.
   */
  chat?: ChatPort;
  /** `/ops watch list` (notifications); absent: answered as not enabled. */
  watchList?: (request: Pick<RequestMeta, "actor" | "channelId" | "channelName">) => Promise<Message>;
  /** Minimum time between two updates of a thread's status message. Default 1000 ms. */
  statusIntervalMs?: number;
  /** How often due approval requests are expired. Default 15 s. */
  sweepIntervalMs?: number;
  /** Job polling of the executor (default `waitForJob`'s: 1 s ×1.5 up to 10 s). */
  polling?: ExecuteFlowDeps["polling"];
  sleep?: ExecuteFlowDeps["sleep"];
  timers?: Timers;
}

export interface Operations {
  /** Pass to `createBot({ handlers })`. */
  handlers: Required<Pick<CommandHandlers, "mutation" | "ops" | "readPolicy" | "describePolicy">>;
  /** Action handlers by ID prefix: `ops.approval` (Approve / Reject / Cancel). */
  actionHandlers: Readonly<Record<string, ActionHandler>>;
  /** View handlers by callback-ID prefix: `ops.approval` (the rejection reason modal). */
  viewHandlers: Readonly<Record<string, ViewHandler>>;
  /** Registers the action and view handlers (`bot` or the router). */
  register(target: {
    registerAction(prefix: string, handler: ActionHandler): void;
    registerView(prefix: string, handler: ViewHandler): void;
  }): void;
  /**
   * Recovers and arms: resumes unfinished runs (never resending a call), runs approved requests that were not
   * claimed, settles claimed ones, then sweeps expired requests now and on an interval. Idempotent; the
   * recovery runs in the background (see `idle`).
   */
  start(options?: { chat?: ChatPort }): Promise<void>;
  /** Stops the sweeper and waits up to `graceMs` (default 10 s) for executions in progress. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** One expiry pass now; resolves with the number of requests it expired. */
  sweepExpired(): Promise<number>;
  /** Resolves when background work (executions, card updates) started so far has settled. */
  idle(): Promise<void>;
}

/**
 * Policy, approvals and execution, as the command router's extension points: the mutation and `/ops`
 * handlers, the approval card's buttons and the rejection modal, the expiry sweeper and the startup recovery.
 * See `src/operations/README.md`.
 */
export function createOperations(options: OperationsOptions): Operations {
  const { store, cloud, flows } = options;
  const logger = options.logger.child({ component: "operations" });
  const clock = options.clock ?? systemClock;
  const audit = options.audit ?? createAuditLog({ store, logger: options.logger, clock });
  const approvals = options.approvals ?? createApprovalService({ store, clock, audit });
  const policyOption = options.policy;
  const policy = typeof policyOption === "function" ? policyOption : () => policyOption;
  const details = createRequestDetailsStore(store);

  let knownChat = options.chat;
  const chat = () => knownChat;
  const learnChat = (c: ChatPort) => {
    knownChat ??= c;
  };

  const cards = createLatestRunner(
    async (requestId) => {
      const c = knownChat;
      const request = await approvals.get(requestId);
      if (c === undefined || request?.message === undefined) return;
      const card = buildRequestCard({ request, details: await details.get(requestId) });
      await c.updateMessage(request.message, card);
    },
    (error, requestId) =>
      logger.warn({ err: error, approval: requestId }, "could not update the request card"),
  );
  const refreshCard = (requestId: string) => cards.run(requestId);

  const executions = createExecutions({
    approvals,
    details,
    flows,
    store,
    audit,
    cloud,
    clock,
    logger,
    chat,
    refreshCard,
    ...(options.statusIntervalMs !== undefined && { statusIntervalMs: options.statusIntervalMs }),
    ...(options.polling !== undefined && { polling: options.polling }),
    ...(options.sleep !== undefined && { sleep: options.sleep }),
    ...(options.timers !== undefined && { timers: options.timers }),
  });

  const sweeper = createExpirySweeper({
    approvals,
    clock,
    logger,
    ...(options.sweepIntervalMs !== undefined && { intervalMs: options.sweepIntervalMs }),
    ...(options.timers !== undefined && { timers: options.timers }),
    onExpired: async (expired) => {
      await Promise.all(expired.map((r) => refreshCard(r.id)));
    },
  });

  const clickDeps = { approvals, clock, executions, refreshCard, learnChat };
  const actionHandlers = { [APPROVAL_ACTION_PREFIX]: createApprovalClickHandler(clickDeps) };
  const viewHandlers = { [APPROVAL_VIEW_PREFIX]: createRejectViewHandler(clickDeps) };

  let started = false;
  let stopping: Promise<void> | undefined;

  async function recover(): Promise<void> {
    const claimed = await approvals.listByStatus("executing");
    const covered = new Set<string>();
    for (const request of claimed) {
      if (request.execution) covered.add(request.execution.executionId);
      if (!executions.isRunning(request.id)) void executions.resumeClaimed(request);
    }
    for (const request of await approvals.listByStatus("approved")) {
      if (!executions.isRunning(request.id)) void executions.runApproved(request.id);
    }
    for (const runId of await store.members(OPEN_RUNS_SET)) {
      if (!covered.has(runId)) void executions.resumeOrphanRun(runId);
    }
    logger.info({ claimed: claimed.length }, "recovery started");
  }

  return {
    handlers: {
      mutation: createMutationRequestHandler({
        policy,
        flows,
        store,
        audit,
        approvals,
        details,
        cloud,
        clock,
        executions,
        refreshCard,
        learnChat,
      }),
      ops: createOpsCommandHandler({
        policy,
        store,
        audit,
        approvals,
        details,
        clock,
        learnChat,
        ...(options.watchList !== undefined && { watchList: options.watchList }),
      }),
      readPolicy: createReadPolicy({ policy, chat }),
      describePolicy: createDescribePolicy({ policy, chat }),
    },
    actionHandlers,
    viewHandlers,
    register(target) {
      for (const [prefix, handler] of Object.entries(actionHandlers)) target.registerAction(prefix, handler);
      for (const [prefix, handler] of Object.entries(viewHandlers)) target.registerView(prefix, handler);
    },
    async start(startOptions = {}) {
      if (startOptions.chat !== undefined) knownChat = startOptions.chat;
      if (started) return;
      started = true;
      // The recovery is tracked like any execution, so stop() and idle() wait for it.
      const recovery = recover();
      executions.track(recovery);
      await recovery;
      sweeper.start();
    },
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        await sweeper.stop();
        const drained = await executions.drain(graceMs);
        if (!drained) logger.warn("stopped with executions still in progress; start() resumes them");
      })();
      return stopping;
    },
    sweepExpired: () => sweeper.sweep(),
    async idle() {
      await executions.drain();
      await cards.idle();
    },
  };
}
