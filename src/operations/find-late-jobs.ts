/**
 * Which of a run's jobs the job follow-ups take on: the ones a wait gave up on at its deadline (not gone, not
 * unreadable), with their servers whose outcome the run ended with as unknown.
 */
import type { Store } from "../store/store.js";
import { WaveRunRecordSchema, waveFlowRunId, waveRunKey } from "../waves/wave-run-record.js";
import { type RunRecord, RunRecordSchema, runKey } from "../workflow/run-record.js";

/** A late job of a run: its servers whose outcome stayed unknown, and its status when the run gave up. */
export interface LateJob {
  jobId: string;
  servers: { id: string; name: string }[];
  lastStatus?: string;
}

/**
 * The jobs of the run `runId` (a run in waves: of its waves' runs) that had not finished by their wait's
 * deadline, with their servers whose final outcome is unknown (`unknown`).
 */
export async function findLateJobs(
  store: Store,
  runId: string,
  unknown: ReadonlySet<string>,
): Promise<LateJob[]> {
  const runIds = [runId];
  const waves = await store.get(waveRunKey(runId));
  const parsedWaves = waves === undefined ? undefined : WaveRunRecordSchema.safeParse(waves.value);
  if (parsedWaves?.success) runIds.push(...parsedWaves.data.waves.map((_, i) => waveFlowRunId(runId, i)));
  const byJob = new Map<string, LateJob>();
  for (const id of runIds) {
    const stored = await store.get(runKey(id));
    const parsed = stored === undefined ? undefined : RunRecordSchema.safeParse(stored.value);
    if (!parsed?.success) continue;
    collectLateJobs(parsed.data, unknown, byJob);
  }
  return [...byJob.values()];
}

function collectLateJobs(record: RunRecord, unknown: ReadonlySet<string>, into: Map<string, LateJob>): void {
  const names = new Map(record.targets.map((t) => [t.id, t.name]));
  for (const step of record.steps) {
    if (step.kind !== "wait") continue;
    for (const r of step.results) {
      const jobId = r.jobId;
      // Only a job still going at the deadline: one gone or unreadable has nothing more to tell. (A result
      // recorded before `unknownBecause` existed is not followed: at most the runs ending across an upgrade.)
      if (r.result !== "unknown" || r.unknownBecause !== "deadline" || jobId === undefined) continue;
      if (!unknown.has(r.serverId)) continue;
      let job = into.get(jobId);
      if (job === undefined) {
        const status = step.jobs.find((j) => j.jobId === jobId)?.status;
        job = {
          jobId,
          servers: [],
          ...(status !== undefined && status !== "UNKNOWN" && { lastStatus: status }),
        };
        into.set(jobId, job);
      }
      if (!job.servers.some((s) => s.id === r.serverId))
        job.servers.push({ id: r.serverId, name: names.get(r.serverId) ?? r.serverId });
    }
  }
}
