/**
 * Types of compiled flows and of the executor's inputs. The on-disk shape is `flow-file-schema.ts`;
 * `load-flows.ts` turns it into these.
 */

import type { AuditLog } from "../audit/create-audit-log.js";
import type { JobPollGate } from "../cloud/create-job-poll-gate.js";
import type { ServerBoard } from "../cloud/create-server-board.js";
import type { CloudClient } from "../cloud/types.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Clock, Store, WriteFence } from "../store/store.js";
import type { ServerReadMemo } from "./create-server-read-memo.js";
import type { FaultPoint } from "./fault-points.js";
import type { FlowEvent } from "./flow-events.js";
import type {
  ApprovalDecider,
  CallName,
  Condition,
  Expectation,
  OnFailure,
  Operation,
  PreflightCheck,
  ReportItem,
  WaitKind,
} from "./flow-vocabulary.js";

/** Parameters of an operation, as approved (bound by the approval's hash). */
export interface FlowParameters {
  /** stop/reboot: HARD instead of SOFT (resize: the stop before the resize is HARD). */
  hard?: boolean;
  /** resize: the new flavor ID. */
  flavorRef?: string;
  /** delete: also delete the data disks. */
  deleteVolume?: boolean;
  /** delete: also release the EIPs. */
  deleteEip?: boolean;
  /** tag: the tags written (a key overwrites the server's value). */
  addTags?: { key: string; value: string }[];
  /** untag: the tags removed, by key (and value, when given). */
  removeTags?: { key: string; value?: string }[];
  /**
   * reinstall / change-os: the key pair the new system disk gets: the one named, else the server's own as
   * the preflight read it (bound by the approval like any parameter). Never a password.
   */
  keyName?: string;
  /** change-os: the new image. */
  imageId?: string;
  /** attach / detach: the disk. */
  volumeId?: string;
  /** attach: the device name (absent: the next free one); detach: the device the disk was on, as the preflight read it (shown, never sent). */
  device?: string;
  /** migrate: the dedicated host (absent: back to the public pool). */
  dedicatedHostId?: string;
}

/** A target with its expected pre-state (the approval's `targets[]`): the run aborts if the server differs. */
export interface FlowTarget {
  id: string;
  name: string;
  /** ECS status when approved. */
  status: string;
  /** Flavor ID when approved. */
  flavor: string;
  /**
   * Tags when approved (key → value), bound like the status: any change is drift. Absent for targets
   * approved before tags were bound (then tags are not compared).
   */
  tags?: Record<string, string>;
  /** The command's tag selectors (`key=value`) that chose this target: losing one is drift. */
  selectedBy?: string[];
  /** Locked when approved (absent for targets approved before the lock was bound): a change is drift. */
  locked?: boolean;
}

interface StepBase {
  /** Unique within the flow; names the step in the run record, events and messages. */
  id: string;
  description: string;
  onFailure: OnFailure;
}

/** Re-reads every target and aborts on any difference from the approved pre-state. */
export interface RecheckStep extends StepBase {
  kind: "recheck";
}

/** One cloud call (split into API-sized calls), for the targets matching `when`. */
export interface CallStep extends StepBase {
  kind: "call";
  call: CallName;
  when: Condition;
}

/** Follows the jobs of the call step `after` until they end (or the timeout: then the outcome is unknown). */
export interface WaitStep extends StepBase {
  kind: "wait";
  wait: WaitKind;
  after: string;
  expect: Expectation;
  timeoutMs: number;
}

export type FlowStep = RecheckStep | CallStep | WaitStep;

/** A validated flow. */
export interface FlowDefinition {
  operation: Operation;
  /** IAM-style action authorised by the policy for this operation. */
  action: string;
  description: string;
  /** `flows/stop.yml`, for messages. */
  source: string;
  preflight: { description: string; checks: { check: PreflightCheck; description: string }[] };
  /** Declarative marker: approval is decided before execution by the policy layer. */
  approval: { description: string; decidedBy: ApprovalDecider };
  steps: FlowStep[];
  report: { description: string; verb: string; include: ReportItem[] };
}

/** One flow per operation. */
export type FlowSet = Readonly<Record<Operation, FlowDefinition>>;

/** What to execute: an approved request. */
export interface ExecuteFlowSpec {
  /** Unique per execution; the run record's key. The approval's `executionId` fits. */
  runId: string;
  /** The approval request it executes. */
  requestId: string;
  operation: Operation;
  /** The approved expected pre-state of every target. */
  targets: FlowTarget[];
  parameters: FlowParameters;
  /** Who approved/started it (Slack user ID or `system:…`), in the run's `run_created` audit entry. */
  actorId: string;
  /** The request's requester, named on every audit entry of the run. */
  requesterId?: string;
  /** The request skipped approval by break-glass: every audit entry of the run says so. */
  breakGlass?: boolean;
}

/** A cloud mutation about to be sent, as {@link ExecuteFlowDeps.onBeforeMutation} sees it. */
export interface MutationNotice {
  call: CallName;
  serverIds: readonly string[];
  /** Timeout of the wait step that follows the call (how long the flow waits for its jobs); absent if none. */
  waitTimeoutMs?: number;
}

/** I/O of the executor, passed in. */
export interface ExecuteFlowDeps {
  cloud: Pick<CloudClient, "ecs">;
  /** The validated flows (`loadFlows`). */
  flows: FlowSet;
  /** Holds the run records. */
  store: Store;
  /** Step, job and outcome records; when it writes to `store`, they commit atomically with the run record. */
  audit: AuditLog;
  clock: Clock;
  /** Waits between polls; default a timer. Tests pass one that advances a simulated clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Called before each mutation is sent (before its intent is saved), e.g. so that channel notifications do
   * not announce the transitions the bot itself causes. Awaited; a failure is ignored: it must not stop an
   * execution. Not called for a mutation found interrupted (it is never resent).
   */
  onBeforeMutation?: (mutation: MutationNotice) => Promise<void> | void;
  /** Progress for the thread. Called synchronously, never awaited; its failures are ignored. */
  onEvent?: (event: FlowEvent) => void | Promise<void>;
  /**
   * Reads of the targets made immediately before this run started (the pre-execution re-decision's): its
   * first re-check uses them when no call has been made yet, instead of reading the same servers again.
   */
  primedReads?: ServerReadMemo;
  /** The replica's shared job poll schedule (see `createJobPollGate`); absent: each wait backs off alone. */
  pollGate?: JobPollGate;
  /** The servers of the replica's followed jobs, read together (see `createServerBoard`); used with `pollGate`. */
  serverBoard?: ServerBoard;
  /** Poll intervals of job waits (defaults of `waitForJob`: 1 s growing ×1.5 to 10 s). */
  polling?: { initialIntervalMs?: number; maxIntervalMs?: number; backoffFactor?: number };
  /**
   * Aborts the run's reads and waits; the run then stops at its next safe point (before a step, before a
   * call's intent: never between a call and the saving of its job ID) with `RunSuspendedError`, its record
   * consistent for `resumeFlow`. Used when the replica stops or loses the run's lease.
   */
  signal?: AbortSignal;
  /**
   * The run's lease (`run:<runId>`): every run-record write is fenced by it, so an executor that lost the lease
   * (another replica took the run over) writes nothing more and, the intent being written before each call,
   * sends nothing more either. Absent: writes are guarded by the record's revision only.
   */
  fence?: WriteFence;
  /** Test hook, inert unless given: called at the named points of every mutation (see `fault-points.ts`). */
  faultPoint?: (point: FaultPoint) => void;
  /** How long a finished run's record is kept after its last write. Default 90 days. */
  runRetentionMs?: number;
  /** Durations of the cloud jobs followed to their end; default none recorded. */
  metrics?: Pick<Metrics, "jobFinished" | "jobSeen">;
}
