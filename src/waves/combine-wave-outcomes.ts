import type { RunStatus } from "../workflow/flow-statuses.js";
import {
  emptyCounts,
  type FlowOutcome,
  groupByReason,
  type ServerOutcome,
} from "../workflow/summarize-run.js";
import type { ExecuteFlowSpec } from "../workflow/types.js";
import type { WaveRunRecord } from "./wave-run-record.js";

/**
 * The outcome of a run in waves as one run's (what the thread's summary, the card and the approval record
 * show): every wave's servers, the servers of waves never run as `not_started`, a server that failed the
 * health gate as failed; resumed as often as the wave run or its waves' runs changed hands. Pure.
 */
export function combineWaveOutcomes(
  spec: Pick<ExecuteFlowSpec, "runId" | "requestId" | "operation" | "targets">,
  record: WaveRunRecord,
  outcomes: readonly (FlowOutcome | undefined)[],
): FlowOutcome {
  const byId = new Map(spec.targets.map((t) => [t.id, t]));
  const servers: ServerOutcome[] = [];
  record.waves.forEach((wave, i) => {
    const outcome = outcomes[i];
    const found = new Map((outcome?.servers ?? []).map((s) => [s.id, s]));
    for (const id of wave.serverIds) {
      const s = found.get(id) ?? { id, name: byId.get(id)?.name ?? id, result: "not_started" as const };
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
    record.status === "stopped_drift" && counts.succeeded === 0
      ? "aborted"
      : counts.failed > 0 || record.status !== "succeeded"
        ? "failed"
        : counts.unknown > 0
          ? "outcome_unknown"
          : "succeeded";
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
  };
  if (record.finishedAt !== undefined) {
    outcome.finishedAt = record.finishedAt;
    outcome.durationMs = record.finishedAt - record.startedAt;
  }
  return outcome;
}
