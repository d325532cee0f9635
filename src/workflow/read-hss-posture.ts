import type { HssHost } from "../cloud/types.js";
import type { HssPosture } from "./preflight-types.js";

/** The preflight's view of a target's HSS host. */
export function posture(h: HssHost): HssPosture {
  const p: HssPosture = { state: "known" };
  if (h.agentStatus !== undefined) p.agentStatus = h.agentStatus;
  if (h.protectStatus !== undefined) p.protectStatus = h.protectStatus;
  if (h.detectResult !== undefined) p.detectResult = h.detectResult;
  if (h.version !== undefined) p.version = h.version;
  if (h.vulnerability !== undefined) p.vulnerability = h.vulnerability;
  if (h.baseline !== undefined) p.baseline = h.baseline;
  if (h.intrusion !== undefined) p.intrusion = h.intrusion;
  return p;
}
