import { executeFlow } from "../workflow/execute-flow.js";
import { isIn, TERMINAL_RUN_STATUSES } from "../workflow/flow-statuses.js";
import { resumeFlow, runStartedOf } from "../workflow/resume-flow.js";
import { type RunRecord, RunRecordSchema, runKey } from "../workflow/run-record.js";
import { type FlowOutcome, summarizeRun } from "../workflow/summarize-run.js";
import type { ExecuteFlowSpec } from "../workflow/types.js";
import type { RunWavesDeps } from "./run-waves.js";
import { type WaveRunRecord, waveFlowRunId } from "./wave-run-record.js";

/**
 * Shows again, from their records, how the waves that finished before an adoption ended. Their status
 * messages may have been left mid-run: the replica that drove them may have died (kill -9) before its last,
 * coalesced edit went out, and it gets no chance to send it. Sends nothing to the cloud. Awaited before the
 * run goes on, so these events never interleave with the running wave's. Best effort: a wave whose record
 * cannot be read keeps its message as it is.
 */
export async function redrawFinishedWaves(deps: RunWavesDeps, record: WaveRunRecord): Promise<void> {
  const onEvent = deps.onEvent;
  if (onEvent === undefined) return;
  const now = deps.clock.now();
  // In order: each wave's start retires the previous wave's message, whose last state is then delivered.
  for (const [index, wave] of record.waves.entries()) {
    if (wave.status === "pending" || wave.status === "running") continue;
    const run = await finishedRun(deps, waveFlowRunId(record.runId, index));
    if (run === undefined) continue;
    const emit = inWave(onEvent, index, record.waves.length);
    emit(runStartedOf(run, run.resumes > 0, now));
    emit({ type: "run_finished", runId: run.runId, outcome: summarizeRun(run), at: run.finishedAt ?? now });
  }
}

/** The record of a wave's run if it has finished; undefined when it has not, is absent or unreadable. */
async function finishedRun(deps: RunWavesDeps, runId: string): Promise<RunRecord | undefined> {
  try {
    const stored = await deps.store.get<unknown>(runKey(runId));
    const parsed = stored === undefined ? undefined : RunRecordSchema.safeParse(stored.value);
    return parsed?.success === true && isIn(TERMINAL_RUN_STATUSES, parsed.data.status)
      ? parsed.data
      : undefined;
  } catch {
    return undefined;
  }
}

/** Runs (or continues) one wave's flow: its run is created once; found, it is resumed, never sent again. */
export async function runWaveFlow(
  spec: ExecuteFlowSpec,
  serverIds: readonly string[],
  runId: string,
  deps: RunWavesDeps,
): Promise<FlowOutcome> {
  const mine = new Set(serverIds);
  if ((await deps.store.get(runKey(runId))) === undefined) {
    const started = await executeFlow(
      { ...spec, runId, targets: spec.targets.filter((t) => mine.has(t.id)) },
      deps,
    );
    if (started.ok) return started.outcome;
    if (started.error === "invalid_spec") throw new Error(started.message);
  }
  const resumed = await resumeFlow(runId, deps);
  if (!resumed.ok) throw new Error(resumed.message);
  return resumed.outcome;
}

/** The events of wave `index`'s run, its start saying which wave it is (its status message says so). */
export function inWave(
  onEvent: NonNullable<RunWavesDeps["onEvent"]>,
  index: number,
  of: number,
): typeof onEvent {
  return (event) =>
    onEvent(event.type === "run_started" ? { ...event, wave: { number: index + 1, of } } : event);
}

/**
 * The wave's servers the flow changed successfully: what the gate looks at. A skipped server (nothing to do,
 * e.g. a stopped one a reboot leaves out) is not expected to change, so the gate does not wait for it.
 */
export async function succeededServers(deps: RunWavesDeps, runId: string): Promise<string[]> {
  const stored = await deps.store.get<unknown>(runKey(runId));
  if (stored === undefined) return [];
  const outcome = summarizeRun(RunRecordSchema.parse(stored.value));
  return outcome.servers.filter((s) => s.result === "succeeded").map((s) => s.id);
}

/** The outcome of every wave that has a flow run, in order (undefined for waves not run). */
export async function waveOutcomes(
  deps: RunWavesDeps,
  runId: string,
  record: WaveRunRecord,
): Promise<(FlowOutcome | undefined)[]> {
  return Promise.all(
    record.waves.map(async (_, i) => {
      const stored = await deps.store.get<unknown>(runKey(waveFlowRunId(runId, i)));
      return stored === undefined ? undefined : summarizeRun(RunRecordSchema.parse(stored.value));
    }),
  );
}
