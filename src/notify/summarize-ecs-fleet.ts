import type { FleetServer } from "./create-fleet-index.js";
import { countBy } from "./summarize-hss-posture.js";

export interface EcsFleetSummary {
  total: number;
  /** Servers per status, most frequent first. */
  byStatus: [string, number][];
  /** Servers per flavor (name, else ID), most frequent first. */
  byFlavor: [string, number][];
}

/** The ECS fleet summary: counts by status and by flavor. */
export function summarizeEcsFleet(
  servers: readonly Pick<FleetServer, "status" | "flavor">[],
): EcsFleetSummary {
  return {
    total: servers.length,
    byStatus: countBy(servers, (s) => s.status),
    byFlavor: countBy(servers, (s) => s.flavor),
  };
}
