/**
 * The interval after `interval` in a backoff growing by `factor` up to `cap`, in whole milliseconds: a clock
 * advanced by the sleeps stays an integer (1 s ×1.5 would reach 5,062.5).
 */
export function nextPollInterval(interval: number, factor: number, cap: number): number {
  return Math.min(cap, Math.round(interval * factor));
}
