import type { FleetIndex, FleetServer } from "./create-fleet-index.js";

/** Every server by ID, with its tags parsed (HSS host IDs are server IDs, so HSS hosts get their tags here). */
export async function fetchServerIndex(fleet: FleetIndex): Promise<Map<string, FleetServer>> {
  return new Map((await fleet.servers()).map((s) => [s.id, s]));
}
