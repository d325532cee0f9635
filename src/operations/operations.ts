/**
 * The contract of `createOperations`: the options it is composed from (policy, flows, store, cloud, tuning
 * of its periodic passes) and the handle it returns (the router's handlers, start, stop and one-off passes).
 * Apart from `create-operations.ts`, which wires the parts together, so the wiring reads on its own.
 */
import type { ChatPort } from "../app/ports.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { CloudClient } from "../cloud/types.js";
import type { ActionHandler, CommandHandlers, RequestMeta, ViewHandler } from "../commands/types.js";
import type { Logger } from "../log/create-logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Policy } from "../policy/types.js";
import type { Message } from "../render/message-model.js";
import type { Clock, Store } from "../store/store.js";
import type { ExecuteFlowDeps, FlowSet } from "../workflow/types.js";
import type { ExecutionsDeps } from "./executions-deps.js";
import type { JobFollowUpSettings } from "./job-follow-up-record.js";
import type { Timers } from "./timers.js";

/** What `createOperations` is composed from (`policy`, `flows`, `store`, `cloud` and `logger` required). */
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
  /**
   * How long a change of a thread's status message waits for those that follow it at once (one edit for the
   * burst; see `ThreadReporterOptions.settleMs`). Default 250 ms.
   */
  statusSettleMs?: number;
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
  /**
   * Jobs still running when their run ended (servers left "outcome unknown"): how often and how long they are
   * followed, and how often due ones are looked for (defaults `JOB_FOLLOW_UP_SETTINGS`: every 2 minutes backing
   * off to 10, for 24 hours).
   */
  jobFollowUps?: Partial<JobFollowUpSettings>;
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

/** What `createOperations` returns: the router's handlers, and the life cycle of its background work. */
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
  /** One pass of the job follow-ups now (what the timer does); resolves with the replies this replica posted. */
  followUpJobs(): Promise<number>;
  /** Resolves when background work (executions, card updates) started so far has settled. */
  idle(): Promise<void>;
}
