import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { JobPollGate, JobPollGateOptions } from "../cloud/create-job-poll-gate.js";
import type { CloudClient } from "../cloud/types.js";
import type { Logger } from "../log/create-logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Policy } from "../policy/types.js";
import type { Clock, Store } from "../store/store.js";
import type { RunWavesDeps } from "../waves/run-waves.js";
import type { FlowOutcome } from "../workflow/summarize-run.js";
import type { ExecuteFlowDeps, FlowSet } from "../workflow/types.js";
import type { RunLeases } from "./create-run-leases.js";
import type { ShownCards } from "./create-shown-cards.js";
import type { RequestDetailsStore } from "./request-details.js";
import type { Timers } from "./timers.js";

export interface ExecutionsDeps {
  /** The live policy: decided again on every approved request just before it is claimed. */
  policy: () => Policy;
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
  /** What `refreshCard` remembers of each card: told when a card is edited without it. */
  shownCards?: Pick<ShownCards, "forget">;
  /** Run ownership: a run is driven only under its lease, and every write to its record is fenced by it. */
  leases: RunLeases;
  /** Test hook (`HWC_FAULT_POINT`), inert unless given. */
  faultPoint?: ExecuteFlowDeps["faultPoint"];
  statusIntervalMs?: number;
  statusSettleMs?: number;
  polling?: ExecuteFlowDeps["polling"];
  /** The schedule of job polls shared by every run of this replica (intervals, polls per second). */
  jobPolls?: Omit<JobPollGateOptions, "now" | "sleep">;
  /** The replica's job-poll gate, shared beyond the runs (the job follow-ups); default one from `jobPolls`. */
  pollGate?: JobPollGate;
  /**
   * A run of `request` ended (its summary posted, before the request is settled): e.g. follow its jobs that had
   * not finished by the deadline. Must not throw.
   */
  onRunFinished?: (request: ApprovalRequest, outcome: FlowOutcome) => Promise<unknown>;
  sleep?: ExecuteFlowDeps["sleep"];
  onBeforeMutation?: ExecuteFlowDeps["onBeforeMutation"];
  timers?: Timers;
  runRetentionMs?: ExecuteFlowDeps["runRetentionMs"];
  /** Runs in waves: every change of a wave record (the thread's wave list). */
  onWaves?: RunWavesDeps["onWaves"];
  /** Runs in waves: the health gate's timeout and poll, and how often a pause looks again. */
  waves?: Pick<RunWavesDeps, "gate" | "holdPollMs">;
  /** Policy re-decisions and the durations of the cloud jobs the flows follow; default none recorded. */
  metrics?: Pick<
    Metrics,
    "policyDecision" | "jobFinished" | "jobPollWaited" | "jobSeen" | "runHandedOver" | "runAdopted"
  >;
  /**
   * Approved requests whose action runs no flow (`ops:schedule:create`): after the claim, the activator is
   * called instead of a flow (idempotent: a claimed request may be resumed), and the request finishes with
   * its result (failed with its error).
   */
  activators?: Readonly<Record<string, Activator>>;
}

/** What the execution of a request without a flow does (e.g. make a schedule active). */
export type Activator = (request: ApprovalRequest) => Promise<{ ok: true } | { ok: false; error: string }>;
