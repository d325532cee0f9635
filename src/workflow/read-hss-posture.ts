import { CloudError } from "../cloud/errors.js";
import type { CloudClient, HssHost } from "../cloud/types.js";
import type { HssPosture } from "./preflight-types.js";

/** Above this many targets HSS is read with one listing rather than one filtered query each. */
const HSS_PER_TARGET_LIMIT = 20;
const CONCURRENCY = 4;

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

/** HSS hosts by host ID (= ECS server ID), or the error that made HSS unreadable. */
export async function readHssHosts(
  hss: CloudClient["hss"],
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, HssHost> | CloudError> {
  const out = new Map<string, HssHost>();
  const want = new Set(ids);
  try {
    if (ids.length > HSS_PER_TARGET_LIMIT) {
      for (const h of (await hss.listHosts({}, signal ? { signal } : {})).items)
        if (want.has(h.hostId)) out.set(h.hostId, h);
      return out;
    }
    let failure: CloudError | undefined;
    await forEachLimited(ids, async (id) => {
      if (failure) return;
      try {
        const page = await hss.listHosts({ hostId: id }, signal ? { signal } : {});
        const h = page.items.find((x) => x.hostId === id);
        if (h) out.set(id, h);
      } catch (err) {
        if (!(err instanceof CloudError)) throw err;
        failure = err;
      }
    });
    return failure ?? out;
  } catch (err) {
    if (err instanceof CloudError) return err;
    throw err;
  }
}

async function forEachLimited<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}
