import { randomUUID } from "node:crypto";
import type { ChatPort } from "../app/ports.js";
import { createApprovalService } from "../approvals/approval-service.js";
import { createAuditLog } from "../audit/create-audit-log.js";
import { createJobPollGate } from "../cloud/create-job-poll-gate.js";
import { createOutageLog } from "../log/create-outage-log.js";
import {
  createRecurringSchedules,
  isScheduleRequest,
  type RecurringSchedules,
} from "../recurring/create-recurring-schedules.js";
import { SCHEDULE_CREATE_ACTION } from "../recurring/schedule-deps.js";
import { createPeriodicPass } from "../schedule/create-periodic-pass.js";
import { systemClock } from "../store/store.js";
import { adoptUnfinishedWork } from "./adopt-unfinished-work.js";
import { AUDIT_PAGE_ACTION } from "./build-audit-view.js";
import { buildRequestCard } from "./build-request-card.js";
import { createCancellersOf } from "./cancel-approvers-of.js";
import { createApprovalInteractions } from "./create-approval-interactions.js";
import { createAuditPageHandler } from "./create-audit-page-handler.js";
import { createBreakGlass } from "./create-break-glass.js";
import { createDecisionAnnouncer } from "./create-decision-announcer.js";
import { createExecutions } from "./create-executions.js";
import { createExpirySweeper } from "./create-expiry-sweeper.js";
import { createGroupDirectory } from "./create-group-directory.js";
import { createHomePublisher } from "./create-home-publisher.js";
import { createJobFollowUps } from "./create-job-follow-ups.js";
import { createLatestRunner } from "./create-latest-runner.js";
import { createActionOffer, createDescribePolicy, createReadPolicy } from "./create-policy-gates.js";
import { createRunLeases } from "./create-run-leases.js";
import { createShownCards } from "./create-shown-cards.js";
import { createStartNowCards } from "./create-start-now-cards.js";
import { createWaveMessages } from "./create-wave-messages.js";
import { guardStoreUnavailable } from "./guard-store-unavailable.js";
import { createMutationRequestHandler } from "./handle-mutation-request.js";
import { createOpsCommandHandler } from "./handle-ops-command.js";
import { createApproverMessages } from "./notify-approvers.js";
import type { Operations, OperationsOptions } from "./operations.js";
import { createRequestDetailsStore } from "./request-details.js";
import { systemTimers } from "./timers.js";

export type { Operations, OperationsOptions } from "./operations.js";

/** How many audit entries about a server `/ecs actions` looks at (the newest). */
const AUDIT_TRAIL_ENTRIES = 500;

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
  const approverMessages = createApproverMessages({
    store,
    logger,
    readRequest: (requestId) => approvals.get(requestId),
    readDetails: (requestId) => details.get(requestId),
    ...(requestRetentionMs !== undefined && { retentionMs: requestRetentionMs }),
  });
  const announce = createDecisionAnnouncer({
    chat,
    logger,
    groupIds: () => groups.ids(),
    approverMessages,
    readRequest: (requestId) => approvals.get(requestId),
  });
  // What each card shows, as this replica drew it: an edit that would change nothing is not sent.
  const shownCards = createShownCards({ now: () => clock.now() });
  const cards = createLatestRunner(
    async (requestId) => {
      const c = knownChat;
      const request = await approvals.get(requestId);
      if (c === undefined || request?.message === undefined) return;
      // The approvers' direct messages follow the card once the request no longer waits (once per outcome).
      await approverMessages.settled(request, c);
      // Approvers told only by direct message (or not at all) are named, not mentioned, on the card.
      const groupIds = (request.requirement.notify ?? ["mention"]).includes("mention")
        ? await groups.ids()
        : {};
      const card = isScheduleRequest(request)
        ? await schedules.card(request, groupIds)
        : buildRequestCard({ request, details: await details.get(requestId), groupIds });
      const message = request.message;
      if (shownCards.shows(message, card)) return;
      try {
        await c.updateMessage(message, card);
      } catch (error) {
        // It may or may not have been applied: the next edit is sent whatever it shows.
        shownCards.forget(message);
        throw error;
      }
      shownCards.remember(message, card);
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
  // One schedule of job polls for the replica: its runs' and the follow-ups of jobs their runs left running.
  const pollGate = createJobPollGate({
    ...options.jobPolls,
    ...(options.metrics !== undefined && { metrics: options.metrics }),
    now: () => clock.now(),
    ...(options.sleep !== undefined && { sleep: options.sleep }),
  });
  const jobFollowUps = createJobFollowUps({
    store,
    audit,
    ecs: cloud.ecs,
    gate: pollGate,
    chat,
    clock,
    logger,
    ...(options.metrics !== undefined && { metrics: options.metrics }),
    ...(options.timers !== undefined && { timers: options.timers }),
    ...(options.jobFollowUps !== undefined && { settings: options.jobFollowUps }),
  });
  const executions = createExecutions({
    pollGate,
    onRunFinished: (request, outcome) => jobFollowUps.afterRun(request, outcome),
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
    shownCards,
    ...(options.statusIntervalMs !== undefined && { statusIntervalMs: options.statusIntervalMs }),
    ...(options.statusSettleMs !== undefined && { statusSettleMs: options.statusSettleMs }),
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
    approverMessages,
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
    groupIds: () => groups.ids(),
    ...(options.breakGlassIntervalMs !== undefined && { intervalMs: options.breakGlassIntervalMs }),
    ...(options.timers !== undefined && { timers: options.timers }),
  });
  const scheduled = createPeriodicPass({
    approvals,
    executions,
    clock,
    logger,
    policy,
    cards: createStartNowCards({ details, refreshCard, logger }),
    ...(options.scheduleIntervalMs !== undefined && { intervalMs: options.scheduleIntervalMs }),
    ...(options.timers !== undefined && { timers: options.timers }),
  });

  const home = createHomePublisher({
    approvals,
    store,
    clock,
    logger,
    policy,
    cancellersOf: (chat) => createCancellersOf(policy, details, chat),
  });
  const interactions = createApprovalInteractions({
    approvals,
    policy,
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
  // Reads, help, `/ops` and the audit's page clicks. A console log may show secrets: each read of one is
  // audited, allowed or denied.
  const readPolicy = createReadPolicy({
    policy,
    chat,
    clock,
    recordAudit: (entry) => audit.record(entry),
    logger,
  });
  // The audit view's Older/Newest buttons answer as the command does, with the clicker as the requester, who
  // the read policy decides about as about the command.
  const actionHandlers = {
    ...interactions.actionHandlers,
    [AUDIT_PAGE_ACTION]: createAuditPageHandler({ audit, learnChat, readPolicy }),
  };
  const viewHandlers = interactions.viewHandlers;
  const adopt = () => adoptUnfinishedWork({ approvals, executions, store });
  const adoptionOutage = createOutageLog(logger.child({ component: "adoption" }), clock);

  let started = false;
  let stopping: Promise<void> | undefined;
  let adoptTimer: unknown;
  let adopting = false;

  function adoptPeriodically(): void {
    if (adopting || stopping !== undefined) return;
    adopting = true;
    const pass = adopt().then(
      () => adoptionOutage.succeeded(),
      (error: unknown) => {
        if (!adoptionOutage.failed(error, "no unfinished work is adopted"))
          logger.warn({ err: error }, "could not look for unfinished work to adopt");
      },
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
    shownCards,
    learnChat,
    breakGlass,
    approverMessages,
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
      readPolicy,
      offerActions: createActionOffer({ policy, clock }),
      describePolicy: createDescribePolicy({ policy, chat, clock }),
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
      jobFollowUps.start();
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
        await jobFollowUps.stop();
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
    followUpJobs: () => jobFollowUps.runDue(),
    async idle() {
      await executions.drain();
      await cards.idle();
      await home.idle();
      await waveMessages.idle();
    },
  };
}
