import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Metrics, MetricsExposition } from "./metrics.js";

/** Metric names start with this, so the bot's series are easy to find next to the process metrics. */
export const METRICS_PREFIX = "hwc_chatops_";

/** Latency buckets (seconds) for calls: a store or API call is milliseconds to seconds. */
const CALL_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Buckets (seconds) for human and cloud waits: an approval or a job takes seconds to hours. */
const WAIT_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];

const seconds = (ms: number) => Math.max(0, ms) / 1000;

export type PrometheusMetrics = Metrics & MetricsExposition & { readonly registry: Registry };

/**
 * The {@link Metrics} port over prom-client, with its own registry (never the global one), so several bots in
 * one process (tests, the playground) keep separate counts. Includes prom-client's default process metrics.
 */
export function createPrometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: `${METRICS_PREFIX}${name}`, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) =>
    new Histogram<L>({ name: `${METRICS_PREFIX}${name}`, help, labelNames, buckets, registers: [registry] });

  const commands = counter(
    "commands_total",
    "Slash commands handled (or turned away: store_unavailable), by verb and outcome.",
    ["verb", "outcome"],
  );
  const policy = counter("policy_decisions_total", "Policy decisions on mutations, by decision and stage.", [
    "decision",
    "stage",
  ]);
  const approvalLatency = histogram(
    "approval_latency_seconds",
    "Time from an approval request to its decision, by outcome.",
    ["outcome"],
    WAIT_BUCKETS,
  );
  const executions = counter("executions_total", "Executions finished, by outcome.", ["outcome"]);
  const executionLatency = histogram(
    "execution_duration_seconds",
    "Time from an execution's claim to its end, by outcome.",
    ["outcome"],
    WAIT_BUCKETS,
  );
  const cloudRequests = counter(
    "cloud_requests_total",
    "Huawei Cloud API attempts, by operation and status.",
    ["operation", "status"],
  );
  const cloudLatency = histogram(
    "cloud_request_duration_seconds",
    "Huawei Cloud API attempt latency, by operation.",
    ["operation"],
    CALL_BUCKETS,
  );
  const cloudRetries = counter(
    "cloud_retries_total",
    "Huawei Cloud API calls sent again, by operation and reason.",
    ["operation", "reason"],
  );
  const giveBacks = counter(
    "memory_give_backs_total",
    "Full collections run once a burst of requests was over, to give the heap it grew back to the system.",
    [],
  );
  const givenBack = counter(
    "memory_given_back_bytes_total",
    "Heap given back by those collections: committed before less committed after.",
    [],
  );
  const outcomeUnknown = counter(
    "cloud_outcome_unknown_total",
    "Mutations whose outcome is unknown (never resent blindly; check the servers), by operation.",
    ["operation"],
  );
  const jobs = histogram(
    "job_duration_seconds",
    "Cloud jobs followed to their end, by final status.",
    ["status"],
    WAIT_BUCKETS,
  );
  const jobPollWaits = histogram(
    "job_poll_budget_wait_seconds",
    "How long each cloud job poll waited past its due time for the replica's poll budget (JOB_POLLS_PER_SECOND).",
    [],
    [0.001, 1, 2, 5, 10, 30, 60, 300],
  );
  const jobsSeen = histogram(
    "job_seen_after_end_seconds",
    "How long after its end (the cloud's end_time) each followed job was seen finished, by the job's length (under_1m, over_1m).",
    ["length"],
    [0.5, 1, 2, 3, 5, 10, 30, 60],
  );
  const watcherRuns = counter("watcher_runs_total", "Watcher runs, by kind and outcome.", [
    "kind",
    "outcome",
  ]);
  const watcherFailures = counter("watcher_failures_total", "Watcher runs that failed, by kind.", ["kind"]);
  const slackCalls = counter("slack_api_calls_total", "Slack Web API calls, by method and outcome.", [
    "method",
    "outcome",
  ]);
  const slackLatency = histogram(
    "slack_api_call_duration_seconds",
    "Slack Web API call latency (each attempt; rate-limit waits between attempts not included), by method.",
    ["method"],
    CALL_BUCKETS,
  );
  const slackRateLimits = counter(
    "slack_rate_limited_total",
    "Slack rate limits (429s) answered, by method.",
    ["method"],
  );
  const slackRateLimitWait = counter(
    "slack_rate_limit_wait_seconds_total",
    "Time Slack asked the bot to wait before sending again, by method.",
    ["method"],
  );
  const socketReconnects = counter(
    "slack_socket_reconnects_total",
    "Socket Mode: attempts to reconnect after a lost connection, by outcome (succeeded, failed: tried again with backoff).",
    ["outcome"],
  );
  const storeLatency = histogram(
    "store_operation_duration_seconds",
    "Store operation latency, by operation and outcome.",
    ["operation", "outcome"],
    CALL_BUCKETS,
  );

  const handedOver = counter(
    "runs_handed_over_total",
    "Runs this replica let go of, by why: stopping (SIGTERM), lost (lease refused or expired) or interrupted (a progress write failed).",
    ["why"],
  );
  const adopted = counter(
    "runs_adopted_total",
    "Unfinished runs this replica took over from the store (another replica's, or its own before a restart).",
    [],
  );

  const followUpsStarted = counter(
    "job_follow_ups_started_total",
    "Jobs left unknown at their run's deadline that the bot started following.",
    [],
  );
  const followUpsEnded = counter(
    "job_follow_ups_ended_total",
    "Follow-ups of late jobs that ended, by ending: finished (by the cloud), gone, or gave_up (followed for their time).",
    ["ending"],
  );

  const gauge = (name: string, help: string) =>
    new Gauge({ name: `${METRICS_PREFIX}${name}`, help, registers: [registry] });
  const clockSkew = gauge(
    "clock_skew_seconds",
    "This replica's clock minus the shared store's (Redis), at the last comparison; leases assume it is near 0.",
  );
  const replicasSeen = gauge(
    "replicas",
    "Live replicas sharing the store, this one included, at the last comparison.",
  );
  const otherFiles = gauge(
    "replicas_with_other_files",
    "Live replicas running another policy, flows or notifications file than this one: they decide differently.",
  );
  const storeUp = gauge(
    "store_up",
    "1 when the store answered /readyz's store check, run at each scrape of /metrics; 0 when it did not.",
  );
  // Labelled so that it is absent until set: SQLite, the memory store and a Redis refusing CONFIG never set it.
  const storeDurable = new Gauge({
    name: `${METRICS_PREFIX}store_durable`,
    help: "1 when Redis keeps the bot's state (persistence on, maxmemory-policy noeviction), as read at start; 0 when not.",
    labelNames: ["backend"],
    registers: [registry],
  });

  // Made at its first value, so that it is absent in HTTP mode (no socket) instead of a 0 that would alert.
  let socketConnected: Gauge | undefined;

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    command: (verb, outcome) => commands.inc({ verb, outcome }),
    policyDecision: (decision, stage) => policy.inc({ decision, stage }),
    approvalDecided: (outcome, latencyMs) => approvalLatency.observe({ outcome }, seconds(latencyMs)),
    executionFinished(outcome, durationMs) {
      executions.inc({ outcome });
      executionLatency.observe({ outcome }, seconds(durationMs));
    },
    cloudRequest(operation, status, durationMs) {
      cloudRequests.inc({ operation, status });
      cloudLatency.observe({ operation }, seconds(durationMs));
    },
    cloudRetry: (operation, reason) => cloudRetries.inc({ operation, reason }),
    outcomeUnknown: (operation) => outcomeUnknown.inc({ operation }),
    jobFinished: (status, durationMs) => jobs.observe({ status }, seconds(durationMs)),
    jobPollWaited: (waitedMs) => jobPollWaits.observe(seconds(waitedMs)),
    jobSeen: (length, afterEndMs) => jobsSeen.observe({ length }, seconds(afterEndMs)),
    memoryGivenBack(committedBefore, committedAfter) {
      giveBacks.inc();
      givenBack.inc(Math.max(0, committedBefore - committedAfter));
    },
    watcherRun(kind, outcome) {
      watcherRuns.inc({ kind, outcome });
      if (outcome === "failed") watcherFailures.inc({ kind });
    },
    slackCall(method, outcome, durationMs) {
      slackCalls.inc({ method, outcome });
      slackLatency.observe({ method }, seconds(durationMs));
    },
    slackRateLimited(method, waitMs) {
      slackRateLimits.inc({ method });
      slackRateLimitWait.inc({ method }, seconds(waitMs));
    },
    slackSocketConnected(connected) {
      socketConnected ??= gauge(
        "slack_socket_connected",
        "Socket Mode: 1 while the connection to Slack is open, 0 while it is not (starting, reconnecting, stopping); absent in HTTP mode.",
      );
      socketConnected.set(connected ? 1 : 0);
    },
    slackSocketReconnect: (outcome) => socketReconnects.inc({ outcome }),
    storeOperation: (operation, outcome, durationMs) =>
      storeLatency.observe({ operation, outcome }, seconds(durationMs)),
    replicaPresence({ skewMs, replicas, withOtherFiles }) {
      if (skewMs !== undefined) clockSkew.set(skewMs / 1000);
      replicasSeen.set(replicas);
      otherFiles.set(withOtherFiles);
    },
    runHandedOver: (why) => handedOver.inc({ why }),
    runAdopted: () => adopted.inc(),
    jobFollowUpStarted: () => followUpsStarted.inc(),
    jobFollowUpEnded: (ending) => followUpsEnded.inc({ ending }),
    storeReady: (up) => storeUp.set(up ? 1 : 0),
    storeDurable: (durable) => storeDurable.set({ backend: "redis" }, durable ? 1 : 0),
  };
}
