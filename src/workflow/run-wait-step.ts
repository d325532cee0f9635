import type { AuditEntryInput } from "../audit/audit-entry.js";
import { defaultSleep } from "../cloud/create-transport.js";
import type { EcsApi, Job, Server } from "../cloud/types.js";
import { type JobProgress, waitForJob } from "../cloud/wait-for-job.js";
import type { ProgressCounts } from "./flow-events.js";
import type { StepStatus } from "./flow-statuses.js";
import type { Expectation } from "./flow-vocabulary.js";
import { reconcileFromServers } from "./reconcile-from-servers.js";
import { countsOfJobServers, expectedOutcome, resultsOfJob } from "./results-of-job.js";
import { auditBase, emit, now, type RunContext, stepOf } from "./run-context.js";
import type { MutationRecord, ServerStepResult } from "./run-record.js";
import { finishStep, skipStep, startStep } from "./run-step-lifecycle.js";
import { emptyCounts } from "./summarize-run.js";
import type { WaitStep } from "./types.js";

/** The `wait` step: the cloud's jobs of the call followed to their end, or the servers read when an answer was lost. */

/**
 * How long the servers of a call whose outcome is unknown are watched before the thread is told that they
 * still show nothing of it (see `outcome_unknown_unchanged`): soon enough that nobody waits in silence for the
 * wait's whole timeout, late enough that a job the cloud took has touched its servers.
 */
export const UNKNOWN_OUTCOME_NOTICE_MS = 2 * 60_000;

export async function runWait(ctx: RunContext, def: WaitStep): Promise<void> {
  const callRec = stepOf(ctx.record, def.after);
  if (callRec.status === "skipped") {
    await skipStep(ctx, def.id, def.kind, callRec.skipReason ?? "no_targets");
    return;
  }
  // A wait found running was interrupted: the interruption does not eat into its time, it gets the full timeout again.
  const resumed = stepOf(ctx.record, def.id).status === "running";
  await startStep(ctx, def);
  const rec = stepOf(ctx.record, def.id);
  const deadline = (resumed ? now(ctx) : (rec.startedAt ?? now(ctx))) + def.timeoutMs;
  const { results, jobs, audit } = await settleMutations(ctx, {
    stepId: def.id,
    expect: def.expect,
    deadline,
    mutations: callRec.mutations,
    serverIds: callRec.serverIds,
  });
  const counts = emptyCounts();
  for (const r of results) counts[r.result]++;
  const status: StepStatus =
    counts.failed > 0 || counts.not_started > 0
      ? "failed"
      : counts.unknown > 0
        ? "outcome_unknown"
        : "succeeded";
  await finishStep(ctx, def, status, counts, {
    change: (s) => {
      s.results = results;
      s.jobs = jobs;
    },
    audit,
  });
}

/** What a wait follows: the mutations of one call, the state they should bring, until when. */
export interface SettleSpec {
  /** The step the progress and audit are of. */
  stepId: string;
  expect: Expectation;
  deadline: number;
  mutations: readonly MutationRecord[];
  /** The servers, in the order the results are given. */
  serverIds: readonly string[];
}

/**
 * Settles the outcome of each mutation: its job followed to its end, or its servers read (a call without a job,
 * or whose answer was lost), or its refusal. Returns each server's result, the jobs' end status and the audit
 * entries of what was read from the servers; writes nothing.
 */
export async function settleMutations(
  ctx: RunContext,
  spec: SettleSpec,
): Promise<{
  results: ServerStepResult[];
  jobs: { jobId: string; status: string }[];
  audit: Omit<AuditEntryInput, "actorId">[];
}> {
  const { deps } = ctx;
  const deadline = spec.deadline;
  const sleep = deps.sleep ?? defaultSleep;
  const parameters = ctx.record.parameters;
  const runId = ctx.record.runId;
  const progress = (
    jobId: string | null,
    source: "job" | "servers",
    status: string,
    counts: ProgressCounts,
    until?: number,
  ) =>
    emit(deps, {
      type: "job_progress",
      runId,
      stepId: spec.stepId,
      jobId,
      source,
      status,
      counts,
      ...(until !== undefined && { until }),
      at: now(ctx),
    });
  const base = auditBase(ctx.record);
  // A reinstall retried after a failed one is sent to a server in ERROR: there ERROR is not yet its outcome.
  const startedInError = ctx.record.targets.filter((t) => t.status === "ERROR").map((t) => t.id);
  const reconciledAudit: Omit<AuditEntryInput, "actorId">[] = [];

  const perMutation = await Promise.all(
    spec.mutations.map(
      async (m): Promise<{ results: ServerStepResult[]; job?: { jobId: string; status: string } }> => {
        /** Reads the servers until they show the call's effect: a call without a job, or of unknown outcome. */
        const fromServers = async (why: "confirmed" | "reconciled") => {
          const watch =
            why === "reconciled"
              ? watchUnchanged(ctx, spec.stepId, m, deadline)
              : { ecs: deps.cloud.ecs, sleep };
          const results = await reconcileFromServers({
            ecs: watch.ecs,
            serverIds: m.serverIds,
            expect: spec.expect,
            parameters,
            ...(startedInError.length > 0 && { startedInError }),
            deadline,
            now: () => deps.clock.now(),
            sleep: watch.sleep,
            ...deps.polling,
            ...(deps.signal && { signal: deps.signal }),
            // An unknown outcome's status message says until when the servers are watched.
            onProgress: (counts) =>
              why === "confirmed"
                ? progress(null, "servers", "CONFIRMING", counts)
                : progress(null, "servers", "RECONCILING", counts, deadline),
          });
          const settled = results.filter((x) => x.result !== "unknown").length;
          reconciledAudit.push({
            ...base,
            type: "execution.step",
            serverIds: m.serverIds,
            message:
              why === "confirmed"
                ? `${m.call} (no job) confirmed from the servers' state: ${settled} of ${m.serverIds.length} settled`
                : `${m.call} (outcome unknown) reconciled from the servers' state: ${settled} of ${m.serverIds.length} settled`,
            detail: {
              phase: why,
              stepId: spec.stepId,
              call: m.call,
              index: m.index,
              results: results.map((x) => ({ serverId: x.serverId, result: x.result })),
            },
          });
          return { results };
        };
        switch (m.state) {
          case "accepted": {
            if (m.jobId === undefined) return fromServers("confirmed");
            const jobId = m.jobId;
            const expected = expectedOutcome(spec.expect, m.serverIds, parameters);
            const expect = expected && startedInError.length > 0 ? { ...expected, startedInError } : expected;
            const waitStarted = deps.clock.now();
            const r = await waitForJob({
              ecs: deps.cloud.ecs,
              jobId,
              ...(expect && { expect }),
              timeoutMs: Math.max(0, deadline - now(ctx)),
              now: () => deps.clock.now(),
              sleep,
              ...deps.polling,
              ...(deps.pollGate && { gate: deps.pollGate }),
              ...(deps.serverBoard && { hints: { board: deps.serverBoard, serverIds: m.serverIds } }),
              ...(deps.signal && { signal: deps.signal }),
              onProgress: (p: JobProgress) => {
                if (p.kind === "job")
                  progress(jobId, "job", p.to, countsOfJobServers(m.serverIds.length, p.servers));
                else if (p.kind === "servers") {
                  const succeeded = p.servers.filter((s) => s.reached).length;
                  const failed = p.servers.filter((s) => !s.reached && s.status === "ERROR").length;
                  progress(jobId, "servers", "RECONCILING", {
                    total: p.servers.length,
                    succeeded,
                    failed,
                    running: p.servers.length - succeeded - failed,
                  });
                }
              },
            });
            const { results, jobStatus } = resultsOfJob(m, jobId, r);
            deps.metrics?.jobFinished(jobStatus, deps.clock.now() - waitStarted);
            if (r.outcome !== "UNKNOWN" && r.source === "job") recordJobSeen(deps, r.job);
            return { results, job: { jobId, status: jobStatus } };
          }
          case "intent":
          case "outcome_unknown":
            return fromServers("reconciled");
          case "rejected":
            return {
              results: m.serverIds.map((serverId) => ({
                serverId,
                result: "failed",
                source: "call",
                reason: m.error?.message ?? "the call was rejected",
                ...(m.error && { code: m.error.code }),
              })),
            };
          case "planned":
            return {
              results: m.serverIds.map((serverId) => ({
                serverId,
                result: "not_started",
                source: "call",
                reason: "the call was not sent",
              })),
            };
        }
      },
    ),
  );
  const byServer = new Map(perMutation.flatMap((p) => p.results).map((r) => [r.serverId, r]));
  const results = spec.serverIds.flatMap((id) => {
    const r = byServer.get(id);
    return r ? [r] : [];
  });
  const jobs = perMutation.flatMap((p) => (p.job ? [p.job] : []));
  return { results, jobs, audit: reconciledAudit };
}

/**
 * The reads and waits of a watch after a call whose outcome is unknown, which tell the thread once (an
 * `outcome_unknown_unchanged` event, on the run's clock) when, {@link UNKNOWN_OUTCOME_NOTICE_MS} after the watch
 * began, servers still read as they were before the call with no task in progress. The watch itself goes on to
 * the deadline: the ECS API shows a job only by the ID its call returned, and a delete taken but still queued
 * touches its servers later, so "not done" is never concluded early, and the call is never sent again.
 */
function watchUnchanged(
  ctx: RunContext,
  stepId: string,
  m: MutationRecord,
  deadline: number,
): {
  ecs: Pick<EcsApi, "getServer" | "listServersByIds">;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
} {
  const { deps } = ctx;
  const sleep = deps.sleep ?? defaultSleep;
  const began = now(ctx);
  const before = new Map(ctx.record.targets.map((t) => [t.id, t]));
  // The servers read since the last wait: the ones the watch still waits for.
  let lastRound = new Map<string, Server>();
  const seen = (servers: readonly Server[]) => {
    for (const server of servers) lastRound.set(server.id, server);
  };
  let told = false;
  return {
    ecs: {
      getServer: async (id, signal) => {
        const server = await deps.cloud.ecs.getServer(id, signal);
        seen([server]);
        return server;
      },
      listServersByIds: async (ids, signal) => {
        const servers = await deps.cloud.ecs.listServersByIds(ids, signal);
        seen(servers);
        return servers;
      },
    },
    sleep: (ms, signal) => {
      const round = lastRound;
      lastRound = new Map();
      const watchedMs = now(ctx) - began;
      if (!told && watchedMs >= UNKNOWN_OUTCOME_NOTICE_MS) {
        const unchanged = [...round.values()].filter((server) => {
          const target = before.get(server.id);
          return (
            target !== undefined &&
            server.status === target.status &&
            (server.taskState === undefined || server.taskState === null || server.taskState === "")
          );
        });
        if (unchanged.length > 0) {
          told = true;
          emit(deps, {
            type: "outcome_unknown_unchanged",
            runId: ctx.record.runId,
            stepId,
            call: m.call,
            servers: unchanged.map((s) => ({
              id: s.id,
              name: before.get(s.id)?.name ?? s.name,
              status: s.status,
            })),
            ...(m.error !== undefined && { answer: m.error.message }),
            watchedMs,
            until: deadline,
            at: now(ctx),
          });
        }
      }
      return sleep(ms, signal);
    },
  };
}

/** How late the thread learnt of the job's end, against the end the cloud recorded (when it recorded one). */
function recordJobSeen(deps: RunContext["deps"], job: Job): void {
  const begin = Date.parse(job.beginTime ?? "");
  const end = Date.parse(job.endTime ?? "");
  if (Number.isNaN(begin) || Number.isNaN(end)) return;
  deps.metrics?.jobSeen(end - begin < 60_000 ? "under_1m" : "over_1m", Math.max(0, deps.clock.now() - end));
}
