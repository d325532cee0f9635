import { type AuditEntryInput, EXECUTOR_ACTOR } from "../audit/audit-entry.js";
import { defaultSleep } from "../cloud/create-transport.js";
import { readHssHostsById } from "../cloud/read-hss-hosts-by-id.js";
import type { CloudClient } from "../cloud/types.js";
import type { Logger } from "../log/create-logger.js";
import { type LogAppend, writeUpdate } from "../store/store.js";
import { StoreUnavailableError } from "../store/store-unavailable-error.js";
import { approvedByPeople } from "../workflow/flow-events.js";
import { RunOwnershipLostError, RunSuspendedError } from "../workflow/run-context.js";
import type { FlowOutcome } from "../workflow/summarize-run.js";
import type { ExecuteFlowDeps, ExecuteFlowSpec } from "../workflow/types.js";
import { checkWaveHealth, expectedStatusOf } from "./check-wave-health.js";
import { combineWaveOutcomes } from "./combine-wave-outcomes.js";
import type { WavePlan } from "./plan-waves.js";
import { inWave, redrawFinishedWaves, runWaveFlow, succeededServers, waveOutcomes } from "./run-wave-flow.js";
import {
  failuresOf,
  type WaveRecord,
  type WaveRunRecord,
  WaveRunRecordSchema,
  waveFlowRunId,
  waveRunKey,
} from "./wave-run-record.js";

/** What the check before a wave says (see {@link RunWavesDeps.beforeWave}). */
export type WaveCheck =
  | { kind: "go" }
  /** Not now: the wave waits, and the check is asked again after `holdPollMs` (e.g. the policy is undecided). */
  | { kind: "hold"; why: string }
  /**
   * Never: the run stops before this wave, which and the later ones are not run. `why` (plain text) is
   * audited; `announce` says it in the thread, once the run's record says it stopped.
   */
  | { kind: "stop"; why: string; announce: () => Promise<void> };

export interface RunWavesDeps extends ExecuteFlowDeps {
  cloud: Pick<CloudClient, "ecs" | "hss">;
  /** Called after every change of the wave record (the thread's wave list). Never awaited by the run. */
  onWaves?: (record: WaveRunRecord) => void;
  /** Health gate: how long servers may take to be healthy after a wave (default 10 min), how often to look. */
  gate?: { timeoutMs?: number; pollMs?: number };
  /** How often a pause (timed, or by an operator) looks at the clock and the record again. Default 1 s. */
  holdPollMs?: number;
  /**
   * Asked before each wave starts, after its pause, except the first wave of a new run (the policy was just
   * decided again for the claim): e.g. the maintenance window still open and the policy decided again as of
   * now. Absent: every wave starts. Should not throw (a throw holds the wave, like `hold`).
   */
  beforeWave?: (requestId: string, index: number) => Promise<WaveCheck>;
  /** Where a stop the audit log could not record is reported (at error). */
  logger?: Pick<Logger, "error">;
}

export type RunWavesResult =
  | { ok: true; outcome: FlowOutcome }
  | { ok: false; error: "invalid_spec"; message: string };

const DEFAULT_GATE_TIMEOUT_MS = 10 * 60_000;
/** How long a wave record is kept after its last write: as long as the run records. */
const WAVE_RECORD_TTL_MS = 90 * 24 * 60 * 60_000;

/**
 * Runs an approved request in its planned waves (`runId`'s record `waverun:<runId>`; created on the first
 * call, continued by every later one, so a restart or another replica resumes where the run was). For each
 * wave: the flow on the wave's servers as a run of its own (`<runId>.w<n>`, re-checked against the approved
 * pre-state like any run), then the health gate (the expected state; for start/reboot the HSS agent back
 * online where it was before), then the pause. The run stops, sending nothing more, once the failed servers
 * reach the threshold, or when an operator aborted it (after the running wave). Throws `RunSuspendedError`
 * at a safe point when `deps.signal` aborts, and `RunOwnershipLostError` when its writes are refused.
 */
export async function runWaves(
  spec: ExecuteFlowSpec,
  plan: WavePlan,
  deps: RunWavesDeps,
): Promise<RunWavesResult> {
  const ids = new Set(spec.targets.map((t) => t.id));
  const planned = plan.waves.flat();
  if (planned.length !== ids.size || !planned.every((id) => ids.has(id)))
    return {
      ok: false,
      error: "invalid_spec",
      message: "the waves do not cover the approved servers exactly",
    };
  const rawSleep = deps.sleep ?? defaultSleep;
  // A wait cut short by the signal is the run's safe point: it stops as suspended, to be resumed.
  const sleep = async (ms: number, signal?: AbortSignal) => {
    try {
      await rawSleep(ms, signal);
    } catch (error) {
      if (signal?.aborted) throw new RunSuspendedError(spec.runId);
      throw error;
    }
  };
  const holdPollMs = deps.holdPollMs ?? 1_000;
  const key = waveRunKey(spec.runId);

  const write = async (
    change: (r: WaveRunRecord) => WaveRunRecord,
    append?: readonly LogAppend[],
  ): Promise<WaveRunRecord> => {
    const result = await deps.store.update<WaveRunRecord>(
      key,
      (current) => {
        const base = current === undefined ? initial() : WaveRunRecordSchema.parse(current.value);
        return writeUpdate(WaveRunRecordSchema.parse(change(structuredClone(base))), {
          ttlMs: WAVE_RECORD_TTL_MS,
          ...(deps.fence !== undefined && { fence: deps.fence }),
          ...(append !== undefined && { append }),
        });
      },
      { retries: 10 },
    );
    if (!result.ok || !result.changed) throw new RunOwnershipLostError(spec.runId);
    deps.onWaves?.(result.value);
    return result.value;
  };
  const read = async (): Promise<WaveRunRecord | undefined> => {
    const stored = await deps.store.get<unknown>(key);
    return stored === undefined ? undefined : WaveRunRecordSchema.parse(stored.value);
  };
  const initial = (): WaveRunRecord => ({
    schema: 1,
    runId: spec.runId,
    requestId: spec.requestId,
    pauseMs: plan.pauseMs,
    maxFailures: plan.maxFailures,
    maxFailuresText: plan.maxFailuresText,
    waves: plan.waves.map(
      (serverIds): WaveRecord => ({ serverIds, status: "pending", succeeded: 0, failed: 0, unhealthy: [] }),
    ),
    status: "running",
    control: "run",
    startedAt: deps.clock.now(),
    ...(!approvedByPeople(spec) && { approved: false as const }),
  });
  const safePoint = () => {
    if (deps.signal?.aborted) throw new RunSuspendedError(spec.runId);
  };
  /**
   * The check before wave `index` stopped the run: this wave and the later ones are not run. Recorded as an
   * abort without an operator (the thread says why), its audit record riding on the write like any
   * transition's. Stopping is the safe direction: when the audit log cannot take the record, the run stops
   * anyway, the record is tried once more on its own and, still refused, logged at error.
   */
  const stopBefore = async (
    index: number,
    why: string,
    waves: readonly WaveRecord[],
  ): Promise<WaveRunRecord> => {
    const stop = (r: WaveRunRecord): WaveRunRecord => {
      const { controlBy: _by, controlAt: _at, ...rest } = r;
      return {
        ...rest,
        status: "aborted",
        finishedAt: deps.clock.now(),
        stop: { kind: "check", beforeWave: index + 1, why },
      };
    };
    const entry: AuditEntryInput = {
      type: "execution.step",
      at: deps.clock.now(),
      actorId: EXECUTOR_ACTOR,
      requestId: spec.requestId,
      executionId: spec.runId,
      serverIds: waves.slice(index).flatMap((w) => w.serverIds),
      message: `wave ${index + 1} not started, nor the later ones: ${why}`,
      detail: { phase: "waves_check", wave: index + 1 },
    };
    if (deps.audit.store === deps.store) {
      try {
        const prepared = deps.audit.prepare(entry);
        const stopped = await write(stop, [prepared.append]);
        prepared.publish();
        return stopped;
      } catch (error) {
        // Not the audit log's doing (the run changed hands, the store is down): the caller's to handle.
        if (error instanceof RunOwnershipLostError || error instanceof StoreUnavailableError) throw error;
        deps.logger?.error(
          { err: error, run: spec.runId },
          "could not audit the check that stopped the waves",
        );
      }
    }
    const stopped = await write(stop);
    try {
      await deps.audit.record(entry);
    } catch (error) {
      deps.logger?.error(
        { err: error, run: spec.runId, unaudited: entry.message },
        "the waves stopped before a wave, but the audit log does not say so",
      );
    }
    return stopped;
  };

  const found = await read();
  let record = found ?? (await write((r) => r));
  deps.onWaves?.(record);
  if (found?.status === "running") {
    // Adopted (another replica's run, or this one's before a restart): the run changed hands, whatever wave
    // it was at, and the summary says it was resumed.
    record = await write((r) => ({ ...r, resumes: (r.resumes ?? 0) + 1 }));
    await redrawFinishedWaves(deps, record);
  }
  for (;;) {
    safePoint();
    if (record.status !== "running") break;
    const index = record.waves.findIndex((w) => w.status !== "done" && w.status !== "failed");
    if (index < 0) {
      record = await write((r) => ({ ...r, status: "succeeded", finishedAt: deps.clock.now() }));
      break;
    }
    const wave = record.waves[index]!;
    if (wave.status === "pending") {
      // Between waves: an abort stops here; a pause (an operator's, or the timed one) holds here.
      if (record.control === "aborting") {
        // Kept with the record: the card and the summary say who stopped it and after which wave.
        record = await write((r) => ({
          ...r,
          status: "aborted",
          finishedAt: deps.clock.now(),
          stop: { kind: "abort", afterWave: index, ...(r.controlBy !== undefined && { by: r.controlBy }) },
        }));
        break;
      }
      const waitUntil = record.nextWaveAt ?? 0;
      if (record.control === "paused" || deps.clock.now() < waitUntil) {
        const left = record.control === "paused" ? holdPollMs : waitUntil - deps.clock.now();
        await sleep(Math.max(1, Math.min(holdPollMs, left)), deps.signal);
        safePoint();
        record = (await read()) ?? record;
        continue;
      }
      // Checked again before the wave: the first of a resumed run too, its claim's decision may be old.
      if (deps.beforeWave !== undefined && (index > 0 || found !== undefined)) {
        const check = await deps
          .beforeWave(spec.requestId, index)
          .catch((error: unknown): WaveCheck => ({ kind: "hold", why: String(error) }));
        safePoint();
        if (check.kind === "hold") {
          await sleep(holdPollMs, deps.signal);
          safePoint();
          record = (await read()) ?? record;
          continue;
        }
        if (check.kind === "stop") {
          record = await stopBefore(index, check.why, record.waves);
          await check.announce();
          break;
        }
      }
      const agentOnline = needsAgent(spec.operation) ? await onlineAgents(deps, wave.serverIds) : undefined;
      record = await write((r) => {
        const w = r.waves[index]!;
        w.status = "running";
        w.startedAt = deps.clock.now();
        if (agentOnline !== undefined) w.agentOnline = agentOnline;
        return r;
      });
      continue;
    }
    if (wave.status === "running") {
      const outcome = await runWaveFlow(spec, wave.serverIds, waveFlowRunId(spec.runId, index), {
        ...deps,
        ...(deps.onEvent !== undefined && { onEvent: inWave(deps.onEvent, index, record.waves.length) }),
      });
      const failed = outcome.counts.failed + outcome.counts.unknown + outcome.counts.incomplete;
      const drift = outcome.status === "aborted";
      const timeoutMs = deps.gate?.timeoutMs ?? DEFAULT_GATE_TIMEOUT_MS;
      record = await write((r) => {
        const w = r.waves[index]!;
        w.failed = failed;
        w.succeeded = outcome.counts.succeeded;
        // Left out (nothing to do): neither ok nor failed, as the card and the run's summary say.
        w.skipped = outcome.counts.skipped;
        if (drift) {
          // The servers changed since approval (or since asked): nothing of this wave ran, nor will anything more.
          w.status = "failed";
          w.finishedAt = deps.clock.now();
          r.status = "stopped_drift";
          r.finishedAt = deps.clock.now();
        } else {
          w.status = "gate";
          w.gateUntil = deps.clock.now() + timeoutMs;
        }
        return r;
      });
      continue;
    }
    // The health gate: the servers this wave changed, in the expected state (and their agents back) in time.
    const okIds = await succeededServers(deps, waveFlowRunId(spec.runId, index));
    const health = await checkWaveHealth(
      deps,
      okIds,
      expectedStatusOf(spec.operation, spec.targets),
      wave.agentOnline ?? [],
      { until: wave.gateUntil ?? deps.clock.now(), pollMs: deps.gate?.pollMs ?? 5_000, sleep },
    );
    safePoint();
    record = await write((r) => {
      const w = r.waves[index]!;
      w.unhealthy = health.unhealthy;
      w.failed += health.unhealthy.length;
      w.succeeded = Math.max(0, w.succeeded - health.unhealthy.length);
      w.status = w.failed > 0 ? "failed" : "done";
      w.finishedAt = deps.clock.now();
      const last = index === r.waves.length - 1;
      if (failuresOf(r) >= r.maxFailures && !last) {
        r.status = "stopped_failures";
        r.finishedAt = deps.clock.now();
      } else if (!last) r.nextWaveAt = deps.clock.now() + r.pauseMs;
      return r;
    });
  }
  return {
    ok: true,
    outcome: combineWaveOutcomes(spec, record, await waveOutcomes(deps, spec.runId, record)),
  };
}

/** Start and reboot bring the OS (and its HSS agent) back: the gate waits for the agent too. */
function needsAgent(operation: string): boolean {
  return operation === "start" || operation === "reboot";
}

/** The servers whose HSS agent is online now (HSS unreadable: none, so the gate does not wait for it). */
async function onlineAgents(deps: RunWavesDeps, ids: readonly string[]): Promise<string[]> {
  const hosts = await readHssHostsById(deps.cloud.hss, ids, deps.signal);
  if (!(hosts instanceof Map)) return [];
  return ids.filter((id) => hosts.get(id)?.agentStatus === "online");
}
