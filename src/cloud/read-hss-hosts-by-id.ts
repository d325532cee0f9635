import { CloudError } from "./errors.js";
import { forEachLimited } from "./for-each-limited.js";
import type { CloudClient, HssHost } from "./types.js";

/** Above this many hosts HSS is read with one listing rather than one filtered query each. */
export const HSS_PER_HOST_LIMIT = 20;
const CONCURRENCY = 4;

/**
 * HSS hosts by host ID (= ECS server ID), or the error that made HSS unreadable. A host HSS does not know
 * is missing from the map. Up to {@link HSS_PER_HOST_LIMIT} IDs cost one query each (four at a time); more
 * are found in one listing of every host, which is then fewer requests.
 */
export async function readHssHostsById(
  hss: CloudClient["hss"],
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, HssHost> | CloudError> {
  const out = new Map<string, HssHost>();
  const want = new Set(ids);
  try {
    if (ids.length > HSS_PER_HOST_LIMIT) {
      for (const h of (await hss.listHosts({}, signal ? { signal } : {})).items)
        if (want.has(h.hostId)) out.set(h.hostId, h);
      return out;
    }
    let failure: CloudError | undefined;
    await forEachLimited(ids, CONCURRENCY, async (id) => {
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
