import type { WorldStore } from "./create-world-store.js";

/** What the fleet uses of the quotas (`total*Used` of 5.7.1), counted from the current servers. */
export interface QuotaUsage {
  totalInstancesUsed: number;
  totalCoresUsed: number;
  /** MB. */
  totalRAMUsed: number;
  totalFloatingIpsUsed: number;
  totalSecurityGroupsUsed: number;
  totalServerGroupsUsed: number;
}

export function countQuotaUsage(store: WorldStore): QuotaUsage {
  let cores = 0;
  let ram = 0;
  let eips = 0;
  const servers = store.servers();
  for (const s of servers) {
    const flavor = store.flavors.get(s.flavorId);
    cores += flavor?.vcpus ?? 0;
    ram += flavor?.ramMb ?? 0;
    if (s.publicIp) eips++;
  }
  return {
    totalInstancesUsed: servers.length,
    totalCoresUsed: cores,
    totalRAMUsed: ram,
    totalFloatingIpsUsed: eips,
    totalSecurityGroupsUsed: store.plan.securityGroups.length,
    totalServerGroupsUsed: store.serverGroups().length,
  };
}
