import { randomUUID } from "node:crypto";
import type { ChatPort } from "../app/ports.js";
import { type ApprovalService, createApprovalService } from "../approvals/approval-service.js";
import { type AuditLog, createAuditLog } from "../audit/create-audit-log.js";
import type { CloudClient } from "../cloud/types.js";
import type { ActionHandler, CommandHandlers, RequestMeta, ViewHandler } from "../commands/types.js";
import type { Logger } from "../log/create-logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Policy } from "../policy/types.js";
import {
  createRecurringSchedules,
  isScheduleRequest,
  type RecurringSchedules,
} from "../recurring/create-recurring-schedules.js";
import { SCHEDULE_CREATE_ACTION } from "../recurring/schedule-deps.js";
import type { Message } from "../render/message-model.js";
import { createPeriodicPass } from "../schedule/create-periodic-pass.js";
import { type Clock, type Store, systemClock } from "../store/store.js";
import type { ExecuteFlowDeps, FlowSet } from "../workflow/types.js";
import { adoptUnfinishedWork } from "./adopt-unfinished-work.js";
import { buildRequestCard } from "./build-request-card.js";
import { createApprovalInteractions } from "./create-approval-interactions.js";
import { createBreakGlass } from "./create-break-glass.js";
import { createDecisionAnnouncer } from "./create-decision-announcer.js";
import { createExecutions, type ExecutionsDeps } from "./create-executions.js";
import { createExpirySweeper } from "./create-expiry-sweeper.js";
import { createGroupDirectory } from "./create-group-directory.js";
import { createHomePublisher } from "./create-home-publisher.js";
import { createLatestRunner } from "./create-latest-runner.js";
import { createActionOffer, createDescribePolicy, createReadPolicy } from "./create-policy-gates.js";
import { createRunLeases } from "./create-run-leases.js";
import { createWaveMessages } from "./create-wave-messages.js";
import { guardStoreUnavailable } from "./guard-store-unavailable.js";
import { createMutationRequestHandler } from "./handle-mutation-request.js";
import { createOpsCommandHandler } from "./handle-ops-command.js";
import { createRequestDetailsStore } from "./request-details.js";
import { systemTimers, type Timers } from "./timers.js";

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
  /** How often due break-glass reminders are looked for. Default 30 s. */
  breakGlassIntervalMs?: number;
  /** How often scheduled changes whose time has come are looked for (`--at`, `--window`). Default 5 s. */
  scheduleIntervalMs?: number;
  /** Job polling of the executor (default `waitForJob`'s: 1 s ×1.5 up to 10 s). */
  polling?: ExecuteFlowDeps["polling"];
  /** The replica's shared job poll schedule (default: 2 s under a minute, 5 s after, 20 polls/s in all). */
  jobPolls?: ExecutionsDeps["jobPolls"];
  sleep?: ExecuteFlowDeps["sleep"];
  /**
   * Called before the executor sends each start/stop/reboot/resize/delete call (see `ExecuteFlowDeps`);
   * the composition tells the channel notifications which transitions to expect.
   */
  onBeforeMutation?: ExecuteFlowDeps["onBeforeMutation"];
  timers?: Timers;
  /** This process among the replicas sharing `store` (owner of run leases). Default: a random ID. */
  replicaId?: string;
  /**
   * Time to live of a run's lease (renewed every third of it by the replica driving the run): how long the runs
   * of a replica that died wait before another replica adopts them. Default 30 s.
   */
  runLeaseTtlMs?: number;
  /** How often unfinished work nobody drives is looked for and adopted. Default half the run lease TTL. */
  adoptIntervalMs?: number;
  /** Test hook (`HWC_FAULT_POINT`), inert unless given: see `src/workflow/fault-points.ts`. */
  faultPoint?: ExecuteFlowDeps["faultPoint"];
  /**
   * How long finished approval requests (with their card details) and finished run records are kept after
   * their last change. Default 90 days each. Ignored for `approvals` given ready-made.
   */
  retention?: { finishedRequestsMs?: number; runsMs?: number };
  /** Runs in waves: the health gate's timeout and poll interval, how often a pause looks again. */
  waves?: ExecutionsDeps["waves"];
  /**
   * Recurring schedules (`/ops schedule`): how often due slots are looked for (default 30 s) and how late the
   * latest missed slot may still run (default 10 minutes).
   */
  schedules?: { intervalMs?: number; graceMs?: number };
  /**
   * Policy decisions, approval latency, executions by outcome with their duration, job durations; default none
   * recorded. Ignored by `approvals` given ready-made (give it the metrics instead).
   */
  metrics?: Metrics;
}

export interface Operations {
  /** Pass to `createBot({ handlers })`. */
  handlers: Required<
    Pick<
      CommandHandlers,
      "mutation" | "ops" | "readPolicy" | "describePolicy" | "home" | "auditTrail" | "offerActions"
    >
  >;
  /**
   * Action handlers by ID prefix: `ops.approval` (Approve / Reject / Cancel, on the card, in `/ops approvals` and
   * on the Home tab, whose clicks publish the tab again with the answer on top).
   */
  actionHandlers: Readonly<Record<string, ActionHandler>>;
  /** View handlers by exact callback ID: `ops.approval.reject` (the rejection reason modal). */
  viewHandlers: Readonly<Record<string, ViewHandler>>;
  /** Registers the action and view handlers (`bot` or the router). */
  register(target: {
    registerAction(prefix: string, handler: ActionHandler): void;
    registerView(callbackId: string, handler: ViewHandler): void;
  }): void;
  /**
   * Recovers and arms: adopts unfinished runs nobody drives (under their lease; never resending a call), runs
   * approved requests that were not claimed, settles claimed ones; then repeats that adoption pass every
   * `adoptIntervalMs` (runs of a replica that died are taken over once their lease expires) and sweeps expired
   * requests now and on an interval. Idempotent; the work runs in the background (see `idle`).
   */
  start(options?: { chat?: ChatPort }): Promise<void>;
  /**
   * SIGTERM: takes no new work, stops the sweeper and the adoption pass, asks running flows to stop at their
   * next safe point (a job wait is one; a call is never left without its job ID saved), waits up to `graceMs`
   * (default 10 s) for them, then releases every run lease so another replica adopts the runs at once.
   * Idempotent.
   */
  stop(graceMs?: number): Promise<void>;
  /** One expiry pass now; resolves with the number of requests it expired. */
  sweepExpired(): Promise<number>;
  /** One break-glass reminder pass now; resolves with the number of reminders this replica posted. */
  remindBreakGlass(): Promise<number>;
  /**
   * One pass of the scheduled changes now: those whose time has come are handed to the executor (one replica's
   * claim wins each); resolves with how many were due.
   */
  runScheduled(): Promise<number>;
  /** One pass over the recurring schedules now (what the timer does); resolves with the slots handled here. */
  runSchedules(): Promise<number>;
  /** Resolves when background work (executions, card updates) started so far has settled. */
  idle(): Promise<void>;
}

/**
 * Policy, approvals and execution, as the command router's extension points: the mutation and `/ops`
 * handlers, the approval card's buttons and the rejection modal, the expiry sweeper and the startup recovery.
 * See `src/operations/README.md`.
 */
/** How many audit entries about a server `/ecs actions` looks at (the newest). */
const AUDIT_TRAIL_ENTRIES = 500;

export function createOperations(options: OperationsOptions): Operations {
  const { store, cloud, flows } = options;
  const logger = options.logger.child({ component: "operations" });
  const clock = options.clock ?? systemClock;
  const audit = options.audit ?? createAuditLog({ store, logger: options.logger, clock });
  const requestRetentionMs = options.retention?.finishedRequestsMs;
  const approvals =
    options.approvals ??
    createApprovalService({
      store,
      clock,
      audit,
      ...(requestRetentionMs !== undefined && { finishedRetentionMs: requestRetentionMs }),
      ...(options.metrics !== undefined && { metrics: options.metrics }),
    });
  const policyOption = options.policy;
  const policy = typeof policyOption === "function" ? policyOption : () => policyOption;
  const details = createRequestDetailsStore(store, requestRetentionMs);

  let knownChat = options.chat;
  const chat = () => knownChat;
  const learnChat = (c: ChatPort) => {
    knownChat ??= c;
  };

  const groups = createGroupDirectory({ chat, clock, logger });
  const announce = createDecisionAnnouncer({ chat, logger });
  const cards = createLatestRunner(
    async (requestId) => {
      const c = knownChat;
      const request = await approvals.get(requestId);
      if (c === undefined || request?.message === undefined) return;
      // Approvers told only by direct message (or not at all) are named, not mentioned, on the card.
      const groupIds = (request.requirement.notify ?? ["mention"]).includes("mention")
        ? await groups.ids()
        : {};
      const card = isScheduleRequest(request)
        ? await schedules.card(request, groupIds)
        : buildRequestCard({ request, details: await details.get(requestId), groupIds });
      await c.updateMessage(request.message, card);
    },
    (error, requestId) =>
      logger.warn({ err: error, approval: requestId }, "could not update the request card"),
  );
  const refreshCard = (requestId: string) => cards.run(requestId);

  const replicaId = options.replicaId ?? randomUUID();
  const runLeaseTtlMs = options.runLeaseTtlMs ?? 30_000;
  const timers = options.timers ?? systemTimers;
  const leases = createRunLeases({
    store,
    replicaId,
    ttlMs: runLeaseTtlMs,
    clock,
    logger,
    ...(options.timers !== undefined && { timers: options.timers }),
  });

  const waveMessages = createWaveMessages({ store, approvals, chat, clock, logger });
  const executions = createExecutions({
    policy,
    onWaves: (record) => waveMessages.show(record),
    ...(options.waves !== undefined && { waves: options.waves }),
    leases,
    ...(options.faultPoint !== undefined && { faultPoint: options.faultPoint }),
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
    ...(options.jobPolls !== undefined && { jobPolls: options.jobPolls }),
    ...(options.sleep !== undefined && { sleep: options.sleep }),
    ...(options.onBeforeMutation !== undefined && { onBeforeMutation: options.onBeforeMutation }),
    ...(options.timers !== undefined && { timers: options.timers }),
    ...(options.retention?.runsMs !== undefined && { runRetentionMs: options.retention.runsMs }),
    ...(options.metrics !== undefined && { metrics: options.metrics }),
    // A schedule's creation request runs no flow: once approved and claimed, the schedule becomes active.
    activators: { [SCHEDULE_CREATE_ACTION]: (request) => schedules.activate(request) },
  });
  const schedules: RecurringSchedules = createRecurringSchedules({
    policy,
    flows,
    store,
    audit,
    approvals,
    details,
    cloud,
    clock,
    logger,
    chat,
    runApproved: (requestId) => executions.runApproved(requestId),
    refreshCard,
    replicaId,
    timers,
    ...(options.schedules?.intervalMs !== undefined && { intervalMs: options.schedules.intervalMs }),
    ...(options.schedules?.graceMs !== undefined && { graceMs: options.schedules.graceMs }),
  });

  const sweeper = createExpirySweeper({
    approvals,
    clock,
    logger,
    ...(options.sweepIntervalMs !== undefined && { intervalMs: options.sweepIntervalMs }),
    ...(options.timers !== undefined && { timers: options.timers }),
    onExpired: async (expired) => {
      await Promise.all(
        expired.map(async (r) => {
          await refreshCard(r.id);
          await announce(r, [{ type: "expired", at: r.expiredAt ?? clock.now() }]);
        }),
      );
    },
  });

  const breakGlass = createBreakGlass({
    store,
    clock,
    audit,
    logger,
    chat,
    ...(options.breakGlassIntervalMs !== undefined && { intervalMs: options.breakGlassIntervalMs }),
    ...(options.timers !== undefined && { timers: options.timers }),
  });
  const scheduled = createPeriodicPass({
    approvals,
    executions,
    clock,
    logger,
    ...(options.scheduleIntervalMs !== undefined && { intervalMs: options.scheduleIntervalMs }),
    ...(options.timers !== undefined && { timers: options.timers }),
  });

  const home = createHomePublisher({ approvals, store, clock, logger });
  const { actionHandlers, viewHandlers } = createApprovalInteractions({
    approvals,
    clock,
    executions,
    refreshCard,
    learnChat,
    announce,
    details,
    groups,
    store,
    audit,
    breakGlass,
    home,
    showWaves: (record) => waveMessages.show(record),
  });
  const adopt = () => adoptUnfinishedWork({ approvals, executions, store });

  let started = false;
  let stopping: Promise<void> | undefined;
  let adoptTimer: unknown;
  let adopting = false;

  function adoptPeriodically(): void {
    if (adopting || stopping !== undefined) return;
    adopting = true;
    const pass = adopt().then(
      () => undefined,
      (error: unknown) => logger.warn({ err: error }, "could not look for unfinished work to adopt"),
    );
    void pass.finally(() => {
      adopting = false;
    });
  }

  const mutationHandler = createMutationRequestHandler({
    ...(options.metrics !== undefined && { metrics: options.metrics }),
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
    breakGlass,
  });
  const opsHandler = createOpsCommandHandler({
    policy,
    store,
    audit,
    approvals,
    details,
    clock,
    learnChat,
    breakGlassUses: () => breakGlass.list(),
    ...(options.watchList !== undefined && { watchList: options.watchList }),
    schedules: (intent, ctx) => schedules.handle(intent, ctx),
  });

  return {
    handlers: {
      // An unreachable store fails closed (nothing recorded, nothing executed): the user is told so plainly.
      mutation: (intent, ctx) =>
        guardStoreUnavailable(
          () => mutationHandler(intent, ctx),
          (m) => ctx.responder.respond(m, ctx.origin === "pick" ? { replaceOriginal: true } : undefined),
          ctx.logger,
        ),
      ops: (intent, ctx) =>
        guardStoreUnavailable(
          () => opsHandler(intent, ctx),
          (m) => ctx.responder.respond(m),
          ctx.logger,
        ),
      readPolicy: createReadPolicy({ policy, chat }),
      offerActions: createActionOffer({ policy }),
      describePolicy: createDescribePolicy({ policy, chat }),
      home: async (viewer, ctx) => {
        learnChat(ctx.chat);
        await home.publish(viewer, ctx.chat);
      },
      // Bounded: `/ecs actions` shows the recent history, and the audit stream is read from its end.
      auditTrail: (serverId) => audit.query({ serverId, limit: AUDIT_TRAIL_ENTRIES }),
    },
    actionHandlers,
    viewHandlers,
    register(target) {
      for (const [prefix, handler] of Object.entries(actionHandlers)) target.registerAction(prefix, handler);
      for (const [callbackId, handler] of Object.entries(viewHandlers))
        target.registerView(callbackId, handler);
    },
    async start(startOptions = {}) {
      if (startOptions.chat !== undefined) knownChat = startOptions.chat;
      if (started || stopping !== undefined) return;
      started = true;
      // The recovery is tracked like any execution, so stop() and idle() wait for it.
      const recovery = adopt();
      executions.track(recovery);
      const candidates = await recovery;
      logger.info({ replicaId, candidates }, "recovery started");
      adoptTimer = timers.setInterval(adoptPeriodically, options.adoptIntervalMs ?? runLeaseTtlMs / 2);
      sweeper.start();
      breakGlass.start();
      scheduled.start();
      schedules.start();
    },
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        if (adoptTimer !== undefined) timers.clearInterval(adoptTimer);
        await schedules.stop();
        executions.suspend();
        leases.stopAll();
        await sweeper.stop();
        await breakGlass.stop();
        await scheduled.stop();
        const drained = await executions.drain(graceMs);
        if (!drained)
          logger.warn("stopped with executions still in progress; another replica or a restart resumes them");
        await leases.close();
      })();
      return stopping;
    },
    sweepExpired: () => sweeper.sweep(),
    remindBreakGlass: () => breakGlass.remindDue(),
    runScheduled: () => scheduled.run(),
    runSchedules: () => schedules.runDue(),
    async idle() {
      await executions.drain();
      await cards.idle();
      await home.idle();
      await waveMessages.idle();
    },
  };
}
