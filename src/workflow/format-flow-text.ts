/** Small plain-text formatters shared by the workflow views (no markup: callers decide how to escape). */
import { formatCount } from "../render/escape-mrkdwn.js";
import { formatRamMb } from "../views/format-values.js";
import type { FlavorInfo } from "./preflight-types.js";

/** `1m 12s`, `45s`, `2h 3m`, `0s`. */
export function formatElapsed(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  // `1h`, not `1h 0m`: a zero tail is noise to read.
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return s > 0 ? `${m}m ${s}s` : `${m}m`;
  return `${s}s`;
}

/** `s6.large.2 (2 vCPU, 4 GiB)`; just the ID when the size is unknown. */
export function formatFlavor(f: FlavorInfo): string {
  if (f.vcpus === undefined || f.ramMb === undefined) return f.id;
  return `${f.id} (${f.vcpus} vCPU, ${formatRamMb(f.ramMb)})`;
}

/** Up to `max` names, then `+N more`. */
export function nameList(names: readonly string[], max = 10): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} +${formatCount(names.length - max)} more`;
}

/** `text` with its first character in capitals. */
export function capitalize(text: string): string {
  return text.replace(/^./, (c) => c.toUpperCase());
}
