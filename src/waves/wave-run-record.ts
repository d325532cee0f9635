/**
 * The durable record of a run in rolling waves, `waverun:<runId>`: the approved plan, each wave's state and
 * counts, the pause until the next wave, and the operators' control (pause, resume, abort). Each wave is a
 * flow run of its own, `<runId>.w<n>` (`flowrun:<runId>.w<n>`), so a wave inherits the executor's
 * exactly-once guarantees: its calls are recorded as intents before they are sent and never re-sent blindly.
 * Validated on every read.
 */
import * as z from "zod";

/** Store key of a wave run (the request's execution ID). */
export const waveRunKey = (runId: string) => `waverun:${runId}`;
/** The flow run of wave `index` (0-based; named from 1, as operators count). */
export const waveFlowRunId = (runId: string, index: number) => `${runId}.w${index + 1}`;
/** The request run a wave's flow run belongs to, or undefined for a run that is not a wave. */
export function parentOfWaveRun(runId: string): string | undefined {
  const m = /^(.+)\.w\d{1,3}$/.exec(runId);
  return m?.[1];
}

export const WAVE_STATUSES = ["pending", "running", "gate", "done", "failed"] as const;
export type WaveStatus = (typeof WAVE_STATUSES)[number];

/** How operators steer the run: `paused` holds before the next wave; `aborting` lets the running wave finish and stops. */
export const WAVE_CONTROLS = ["run", "paused", "aborting"] as const;
export type WaveControl = (typeof WAVE_CONTROLS)[number];

export const WAVE_RUN_STATUSES = [
  "running",
  "succeeded",
  "stopped_failures",
  "aborted",
  "stopped_drift",
] as const;
export type WaveRunStatus = (typeof WAVE_RUN_STATUSES)[number];

const ts = z.number().int().nonnegative();

export const WaveRecordSchema = z.strictObject({
  serverIds: z.array(z.string()).min(1),
  status: z.enum(WAVE_STATUSES),
  startedAt: ts.optional(),
  finishedAt: ts.optional(),
  /** Servers the wave changed as asked (not the ones it left out). */
  succeeded: z.number().int().nonnegative(),
  /**
   * Servers the wave left out, having nothing to do (e.g. a stopped server in a reboot). Absent in records
   * written before it was counted (then they are in `succeeded`).
   */
  skipped: z.number().int().nonnegative().optional(),
  failed: z.number().int().nonnegative(),
  /** Servers that did what was asked but were not healthy in time (counted in `failed`). */
  unhealthy: z.array(z.string()),
  /** start/reboot: servers whose HSS agent was online before the wave (it must come back). */
  agentOnline: z.array(z.string()).optional(),
  /** The health gate's deadline (set when the gate starts, so a resumed gate keeps it). */
  gateUntil: ts.optional(),
});
export type WaveRecord = z.infer<typeof WaveRecordSchema>;

export const WaveRunRecordSchema = z.strictObject({
  schema: z.literal(1),
  runId: z.string(),
  requestId: z.string(),
  pauseMs: z.number().int().nonnegative(),
  maxFailures: z.number().int().min(1),
  maxFailuresText: z.string(),
  waves: z.array(WaveRecordSchema).min(1),
  status: z.enum(WAVE_RUN_STATUSES),
  control: z.enum(WAVE_CONTROLS),
  /** Who paused, resumed or aborted last, and when. */
  controlBy: z.string().optional(),
  controlAt: ts.optional(),
  /** No wave starts before this (the pause after the previous wave). */
  nextWaveAt: ts.optional(),
  /** The thread message listing the waves, with the Pause / Resume / Abort buttons. */
  message: z
    .strictObject({ channel: z.string(), ts: z.string(), threadTs: z.string().optional() })
    .optional(),
  startedAt: ts,
  finishedAt: ts.optional(),
  /**
   * How many times the run changed hands while running (adopted by another replica or after a restart): a
   * handover between waves resumes no wave's own run, so only this says the summary's run was resumed.
   * Absent in records written before it was counted.
   */
  resumes: z.number().int().nonnegative().optional(),
  /**
   * `false`: no one approved the request (the policy allowed it, or break-glass skipped approval), so the
   * wave list and the summary say the servers changed "since it was asked", not "since approval". Absent:
   * people approved it (and in records written before it was kept).
   */
  approved: z.literal(false).optional(),
  /**
   * Why an `aborted` run stopped, so the card and the summary can say it was stopped on purpose rather than
   * failed: a person's Abort (who, and after how many waves had run: 0 when none had), or the check before
   * wave `beforeWave` (1-based) with its reason (plain text). Absent in records written before it was kept.
   */
  stop: z
    .discriminatedUnion("kind", [
      z.strictObject({
        kind: z.literal("abort"),
        by: z.string().optional(),
        afterWave: z.number().int().nonnegative(),
      }),
      z.strictObject({ kind: z.literal("check"), beforeWave: z.number().int().min(1), why: z.string() }),
    ])
    .optional(),
});
export type WaveRunRecord = z.infer<typeof WaveRunRecordSchema>;
/** Why an aborted run in waves stopped (see `WaveRunRecord.stop`). */
export type WaveRunStop = NonNullable<WaveRunRecord["stop"]>;

/** Failed servers so far, over every wave. */
export function failuresOf(record: WaveRunRecord): number {
  return record.waves.reduce((sum, w) => sum + w.failed, 0);
}
