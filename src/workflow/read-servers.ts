import { CloudError } from "../cloud/errors.js";
import type { EcsApi, Server } from "../cloud/types.js";

/** What reading one server found. */
export type ServerRead =
  | { kind: "found"; server: Server }
  | { kind: "not_found" }
  | { kind: "unreadable"; code: string; message: string; requestId?: string };

const CONCURRENCY = 8;

/**
 * Reads the current state of servers by ID. One server: one GET; several: the listing filtered by their IDs
 * (one request per 100 targets, never the fleet), with a GET to confirm any server the listing misses (a
 * listing is not proof of absence). Failures are per server (`unreadable`), never thrown, except
 * programming faults.
 */
export async function readServers(
  ecs: Pick<EcsApi, "getServer" | "listServersByIds">,
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, ServerRead>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, ServerRead>();
  let toGet = unique;
  if (unique.length > 1) {
    try {
      const listed = new Map((await ecs.listServersByIds(unique, signal)).map((s) => [s.id, s]));
      for (const id of unique) {
        const server = listed.get(id);
        if (server) out.set(id, { kind: "found", server });
      }
      toGet = unique.filter((id) => !out.has(id));
    } catch (err) {
      if (!(err instanceof CloudError)) throw err;
      // Fall back to one GET per server.
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < toGet.length) {
      const id = toGet[next++]!;
      out.set(id, await readOne(ecs, id, signal));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, toGet.length) }, worker));
  return out;
}

async function readOne(
  ecs: Pick<EcsApi, "getServer">,
  id: string,
  signal?: AbortSignal,
): Promise<ServerRead> {
  try {
    return { kind: "found", server: await ecs.getServer(id, signal) };
  } catch (err) {
    if (!(err instanceof CloudError)) throw err;
    if (err.isNotFound) return { kind: "not_found" };
    return {
      kind: "unreadable",
      code: err.code,
      message: err.message,
      ...(err.requestId !== undefined && { requestId: err.requestId }),
    };
  }
}
