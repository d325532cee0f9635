import { SERVER_RESULTS, type ServerResult, type StepStatus } from "./flow-statuses.js";
import { emptyCounts } from "./summarize-run.js";

/**
 * How the start again of `on_failure: start_stopped_then_stop_flow` ended, from each server's result: its counts,
 * and its status by {@link putBackStatusOf}. The one source of its line in the status message, live (its
 * `step_finished`, `start-stopped-again.ts`) and resumed (`resume-flow.ts`): a server whose start failed counts
 * as failed whatever state the run's end finds it in (SHUTOFF or ERROR alike).
 */
export function putBackEndOf(results: readonly { result: ServerResult }[]): {
  status: StepStatus;
  counts: Record<ServerResult, number>;
} {
  const counts = emptyCounts();
  for (const r of results) counts[r.result]++;
  return { status: putBackStatusOf(counts), counts };
}

/**
 * The start again's status from its counts: failed if any start failed, else succeeded only if every server is
 * known to have started; anything else (an unknown outcome, nothing said of any server) is not known to have
 * worked.
 */
export function putBackStatusOf(counts: Readonly<Record<ServerResult, number>>): StepStatus {
  const total = SERVER_RESULTS.reduce((n, r) => n + counts[r], 0);
  if (counts.failed > 0) return "failed";
  return total > 0 && counts.succeeded === total ? "succeeded" : "outcome_unknown";
}
