/**
 * The metrics port: what the bot counts and times, in its own words. The layers that record (the command
 * router, approvals, the executor, the cloud transport, the Slack client, the store, the watchers) depend on
 * this interface only; `createPrometheusMetrics` implements it with prom-client in the composition root, and
 * {@link noopMetrics} stands in where nobody scrapes (most tests, the CLI).
 */
import type { ExecutionOutcome } from "../approvals/approval-statuses.js";

export interface Metrics {
  /**
   * A slash command was handled, or turned away unread because the state store is unavailable
   * (`store_unavailable`): `verb` is the intent type (`ecs.stop`) or `unparsed`.
   */
  command(verb: string, outcome: CommandOutcome): void;
  /** The policy decided a mutation: when asked (`request`) or again just before it runs (`before_execution`). */
  policyDecision(decision: "allow" | "needs_approval" | "deny", stage: "request" | "before_execution"): void;
  /** An approval request reached a decision, `latencyMs` after it was created. */
  approvalDecided(outcome: ApprovalOutcome, latencyMs: number): void;
  /** An execution finished, `durationMs` after it was claimed. */
  executionFinished(outcome: ExecutionOutcome, durationMs: number): void;
  /** One attempt of a cloud call: `status` is the HTTP status or what happened instead (`timeout`, `network`…). */
  cloudRequest(operation: string, status: string, durationMs: number): void;
  /** A cloud call is sent again (`reason`: `throttled`, `server_error`, `timeout`, `network`…). */
  cloudRetry(operation: string, reason: string): void;
  /** A mutation whose outcome is unknown: it may or may not have taken effect, and is never resent blindly. */
  outcomeUnknown(operation: string): void;
  /** A cloud job the executor followed ended (`status`: `SUCCESS`, `FAIL`, `timeout`…). */
  jobFinished(status: string, durationMs: number): void;
  /**
   * A job poll went `waitedMs` after it was due because the replica's poll budget (`JOB_POLLS_PER_SECOND`)
   * was taken (0 when it went on time): a high share of long waits says the budget is too small for the jobs.
   */
  jobPollWaited(waitedMs: number): void;
  /**
   * A job the executor followed was seen finished `afterEndMs` after the end the cloud recorded (`end_time`;
   * 0 when the clocks disagree), `under` a minute long or `over`: what the thread shows late.
   */
  jobSeen(length: "under_1m" | "over_1m", afterEndMs: number): void;
  /** A watcher ran (`outcome`: `ok`, `failed`, `skipped`). */
  watcherRun(kind: string, outcome: string): void;
  /**
   * The heap a burst of requests grew was collected once the burst was over (`bot/give-back-memory.ts`): the
   * bytes of heap committed before and after, and how long the collection held the bot's thread.
   */
  memoryGivenBack(committedBefore: number, committedAfter: number, durationMs: number): void;
  /** One Slack Web API call (`outcome`: `ok` or Slack's error code). */
  slackCall(method: string, outcome: string, durationMs: number): void;
  /** Slack rate-limited a call and the client waits `waitMs` before sending it again. */
  slackRateLimited(method: string, waitMs: number): void;
  /** Socket Mode: the connection to Slack opened (`true`) or is not open (`false`); never called in HTTP mode. */
  slackSocketConnected(connected: boolean): void;
  /** Socket Mode: an attempt to reconnect after a lost connection ended (`failed`: it is tried again later). */
  slackSocketReconnect(outcome: "succeeded" | "failed"): void;
  /** One store operation (`outcome`: `ok` or `error`). */
  storeOperation(operation: string, outcome: "ok" | "error", durationMs: number): void;
  /**
   * The last comparison with the other replicas: this replica's clock minus the shared store's (undefined
   * without one), the live replicas seen (this one included) and how many of them run other files.
   */
  replicaPresence(report: { skewMs: number | undefined; replicas: number; withOtherFiles: number }): void;
  /**
   * This replica let go of a run it drove: at a safe point, `stopping` (SIGTERM) or `lost` (its lease was
   * refused or expired: the store was unreachable, or another replica took the run); or `interrupted`, when a
   * write of the run's progress failed (the store went away mid-write) and the run is left to the adoption pass.
   */
  runHandedOver(why: RunHandOver): void;
  /** This replica took over an unfinished run from the store (another replica's, or its own before a restart). */
  runAdopted(): void;
  /** A job left unknown at its run's deadline is followed from now on (once per job, whichever replica). */
  jobFollowUpStarted(): void;
  /**
   * A followed job's follow-up ended (once per job): the cloud `finished` it, it was `gone`, or the bot
   * `gave_up` after following it for its time.
   */
  jobFollowUpEnded(ending: "finished" | "gone" | "gave_up"): void;
  /** The store answered (`true`) or not `/readyz`'s store check, as run for a scrape of `/metrics`. */
  storeReady(up: boolean): void;
  /**
   * Whether the Redis store keeps the bot's state across a restart and never evicts it, as read at start
   * (`CONFIG GET appendonly`, `save`, `maxmemory-policy`); never called when it could not be read.
   */
  storeDurable(durable: boolean): void;
}

/** Why a replica let go of a run it drove (`runs_handed_over_total`'s `why`). */
export type RunHandOver = "lost" | "stopping" | "interrupted";

export type CommandOutcome = "handled" | "not_understood" | "failed" | "store_unavailable";
export type ApprovalOutcome = "approved" | "rejected" | "cancelled" | "expired";
/**
 * How an execution ended: the approval record's closed set, so the metrics count what the record says (a run
 * aborted by its re-check, or a run in waves stopped on purpose, is `failed` there and here, never `succeeded`).
 */
export type { ExecutionOutcome };

/** The scrape side of a metrics implementation: the `/metrics` body and its content type. */
export interface MetricsExposition {
  readonly contentType: string;
  render(): Promise<string>;
}

/** Records nothing: for code paths and tests that nobody scrapes. */
export const noopMetrics: Metrics = {
  command() {},
  policyDecision() {},
  approvalDecided() {},
  executionFinished() {},
  cloudRequest() {},
  cloudRetry() {},
  outcomeUnknown() {},
  jobFinished() {},
  jobPollWaited() {},
  jobSeen() {},
  watcherRun() {},
  memoryGivenBack() {},
  slackCall() {},
  slackRateLimited() {},
  slackSocketConnected() {},
  slackSocketReconnect() {},
  storeOperation() {},
  replicaPresence() {},
  runHandedOver() {},
  runAdopted() {},
  jobFollowUpStarted() {},
  jobFollowUpEnded() {},
  storeReady() {},
  storeDurable() {},
};
