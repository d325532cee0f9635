/**
 * Buttons of a run in waves, in its thread (value: the approval request ID only; everything else is read
 * from the store at click time, and the clicker is authorized then).
 */
export const WAVE_ACTION_PREFIX = "ops.waves";
export const WAVE_ACTIONS = {
  pause: "ops.waves.pause",
  resume: "ops.waves.resume",
  abort: "ops.waves.abort",
} as const;
export type WaveVerb = keyof typeof WAVE_ACTIONS;

/** Which wave button an action ID is, or undefined. */
export function parseWaveActionId(actionId: string): WaveVerb | undefined {
  const m = /^ops\.waves\.(pause|resume|abort)$/.exec(actionId);
  return m ? (m[1] as WaveVerb) : undefined;
}
