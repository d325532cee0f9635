import { abortReasonOf } from "../workflow/detect-drift.js";
import type { RunStatus } from "../workflow/flow-statuses.js";
import {
  emptyCounts,
  type FlowOutcome,
  groupByReason,
  type RunStop,
  type ServerOutcome,
} from "../workflow/summarize-run.js";
import type { ExecuteFlowSpec } from "../workflow/types.js";
import type { WaveRunRecord } from "./wave-run-record.js";

/**
 * The outcome of a run in waves as one run's (what the thread's summary, the card and the approval record
 * show): every wave's servers, the servers of waves never run as `not_started`, a server that failed the
 * health gate as failed; resumed as often as the wave run or its waves' runs changed hands. A run stopped on
 * purpose (an Abort, the check before a wave, or a later wave's re-check: nothing of that wave was sent) is
 * `aborted` when nothing failed (failed or unknown when the servers that ran say so), with `stop` saying who
 * or why, and the servers of the waves not run say why they were not. A first wave's re-check stops a run
 * that did nothing: `aborted` without a stop, as a run without waves. Pure.
 */
export function combineWaveOutcomes(
  spec: Pick<ExecuteFlowSpec, "runId" | "requestId" | "operation" | "targets">,
  record: WaveRunRecord,
  outcomes: readonly (FlowOutcome | undefined)[],
): FlowOutcome {
  const byId = new Map(spec.targets.map((t) => [t.id, t]));
  const stop = stopOf(record, outcomes);
  const notRun = notRunReason(record, stop);
  const servers: ServerOutcome[] = [];
  record.waves.forEach((wave, i) => {
    const outcome = outcomes[i];
    const found = new Map((outcome?.servers ?? []).map((s) => [s.id, s]));
    for (const id of wave.serverIds) {
      const s: ServerOutcome = found.get(id) ?? {
        id,
        name: byId.get(id)?.name ?? id,
        result: "not_started",
        // A wave never run: the summary says why its servers were not touched.
        ...(wave.status === "pending" && notRun !== undefined && { reason: notRun }),
      };
      servers.push(
        wave.unhealthy.includes(id)
          ? {
              ...s,
              result: "failed",
              reason: "not healthy after the wave (health gate)",
              code: "health_gate",
            }
          : s,
      );
    }
  });
  const counts = emptyCounts();
  for (const s of servers) counts[s.result]++;
  const ran = outcomes.filter((o): o is FlowOutcome => o !== undefined);
  const first = ran[0];
  const status: RunStatus =
    record.status === "stopped_drift" && stop === undefined
      ? "aborted"
      : counts.failed > 0 ||
          counts.incomplete > 0 ||
          // Stopped on purpose (an Abort, the check before a wave, a later wave's re-check) is not a failure:
          // the waves that ran say how it went. Stopped by failures is.
          (record.status !== "succeeded" && stop === undefined)
        ? "failed"
        : counts.unknown > 0
          ? "outcome_unknown"
          : // Stopped on purpose with nothing failed did not do all it was asked: aborted, as a run whose
            // re-check stopped it (the approval record, the audit and the metrics say so), never succeeded.
            stop !== undefined
            ? "aborted"
            : "succeeded";
  // A request nobody approved (the policy allowed it): its words say "since it was asked", not "since approval".
  const outcome: FlowOutcome = {
    runId: spec.runId,
    requestId: spec.requestId,
    operation: spec.operation,
    status,
    verb: first?.verb ?? spec.operation,
    include: first?.include ?? ["per_server_results", "failures_by_reason"],
    startedAt: record.startedAt,
    servers,
    counts,
    failuresByReason: groupByReason(servers.filter((s) => s.result === "failed")),
    unknownByReason: groupByReason(servers.filter((s) => s.result === "unknown")),
    jobs: ran.flatMap((o) => o.jobs),
    drift: ran.flatMap((o) => o.drift),
    // Every wave's run resumed was resumed by an adoption of the wave run, so the adoptions count the
    // handovers; the larger count covers records from before adoptions were counted.
    resumes: Math.max(
      record.resumes ?? 0,
      ran.reduce((n, o) => n + o.resumes, 0),
    ),
    ...(record.approved === false && { approved: false as const }),
  };
  if (stop !== undefined) outcome.stop = stop;
  if (record.finishedAt !== undefined) {
    outcome.finishedAt = record.finishedAt;
    outcome.durationMs = record.finishedAt - record.startedAt;
  }
  return outcome;
}

/**
 * Why an aborted run stopped, from its record; for a record written before the reason was kept, who clicked
 * Abort if anyone did (otherwise the check before a wave stopped it, its reason unknown here).
 */
function stopOf(record: WaveRunRecord, outcomes: readonly (FlowOutcome | undefined)[]): RunStop | undefined {
  if (record.status === "stopped_drift") return recheckStopOf(record, outcomes);
  if (record.status !== "aborted") return undefined;
  const of = record.waves.length;
  if (record.stop !== undefined) return { ...record.stop, of };
  const ran = record.waves.filter((w) => w.status !== "pending").length;
  return record.controlBy !== undefined
    ? { kind: "abort", by: record.controlBy, afterWave: ran, of }
    : { kind: "check", beforeWave: ran + 1, of, why: "the check before the wave stopped the run" };
}

/**
 * The re-check of a wave after the first stopped the run (`stopped_drift`): nothing of that wave was sent, so
 * it is said as the check before that wave, with why in words (the servers themselves are listed once, by the
 * summary's drift lines); undefined when it was the first wave's, which stopped a run that did nothing.
 */
function recheckStopOf(
  record: WaveRunRecord,
  outcomes: readonly (FlowOutcome | undefined)[],
): RunStop | undefined {
  const index = record.waves.findLastIndex((w) => w.status !== "pending");
  if (index < 1) return undefined;
  const since = record.approved === false ? "since it was asked" : "since approval";
  const why =
    abortReasonOf(outcomes[index]?.drift ?? []) === "unreadable"
      ? "its re-check could not read its servers, so nothing was sent to them"
      : `its re-check found its servers changed ${since}, so nothing was sent to them`;
  return { kind: "check", beforeWave: index + 1, of: record.waves.length, why };
}

/**
 * Why the servers of the waves never run were not touched (plain text: a person is named in the summary's
 * headline as a mention, never in data), or undefined while the run may still run them.
 */
function notRunReason(record: WaveRunRecord, stop: RunStop | undefined): string | undefined {
  const of = record.waves.length;
  if (stop?.kind === "abort")
    return stop.afterWave === 0
      ? "the run was aborted by a person before its first wave"
      : `the run was aborted by a person after wave ${stop.afterWave} of ${of}`;
  // A server's reason is shown as untrusted text: the code marks of the stored reason would show as look-alikes.
  if (stop?.kind === "check")
    return `stopped before wave ${stop.beforeWave} of ${of}: ${stop.why.replaceAll("`", "")}`;
  switch (record.status) {
    case "stopped_failures":
      // Unknown outcomes count against the limit: said as the wave list says it.
      return `the failed or unknown servers reached the limit of ${record.maxFailures}`;
    case "stopped_drift":
      return "the re-check of an earlier wave stopped the run";
    case "running":
    case "succeeded":
    case "aborted":
      return undefined;
  }
}
