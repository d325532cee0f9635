import { tagStrings } from "./render-ecs.js";
import type { SimServer } from "./world-types.js";

/** Filters of the ECS list APIs (doc, Table 6-36, and the v1 `ListServersDetails`). */
export interface ServerFilter {
  /** "Fuzzy-matched": a case-insensitive regular expression search, or a substring if not a valid regex. */
  name?: string;
  status?: string;
  /** Fuzzy match on any IPv4 address (private or EIP). */
  ip?: string;
  /** Exact match on any IPv4 address (v1 `ip_eq`). */
  ipEq?: string;
  /** Fuzzy match on the flavor ID. */
  flavor?: string;
  /** Servers having every one of these tags (`key=value`, or a bare key). */
  tags?: string[];
  /** Servers not having all of these tags. */
  notTags?: string[];
  image?: string;
  /** Only servers updated at or after this time (ms). */
  changesSince?: number;
  reservationId?: string;
}

/** Builds a fuzzy matcher the way Nova's regex filters behave, tolerating invalid patterns. */
export function fuzzyMatcher(pattern: string): (value: string) => boolean {
  try {
    const re = new RegExp(pattern, "i");
    return (value) => re.test(value);
  } catch {
    const needle = pattern.toLowerCase();
    return (value) => value.toLowerCase().includes(needle);
  }
}

function hasTag(server: SimServer, wanted: string): boolean {
  return tagStrings(server).includes(wanted) || server.tags.some((t) => t.key === wanted);
}

/** Filters in one pass; the input order is kept. */
export function filterServers(servers: readonly SimServer[], filter: ServerFilter): SimServer[] {
  const name = filter.name !== undefined && filter.name !== "" ? fuzzyMatcher(filter.name) : null;
  const ip = filter.ip ? fuzzyMatcher(filter.ip.replace(/\./g, "\\.")) : null;
  const flavor = filter.flavor ? fuzzyMatcher(filter.flavor.replace(/\./g, "\\.")) : null;
  const status = filter.status?.toUpperCase();
  const tags = filter.tags?.filter((t) => t !== "") ?? [];
  const notTags = filter.notTags?.filter((t) => t !== "") ?? [];
  return servers.filter((s) => {
    if (status && s.status !== status) return false;
    if (name && !name(s.name)) return false;
    if (flavor && !flavor(s.flavorId)) return false;
    if (filter.image && s.image.id !== filter.image) return false;
    if (filter.reservationId && `r-${s.instanceName.slice(-8)}` !== filter.reservationId) return false;
    if (filter.changesSince !== undefined && s.updated < filter.changesSince) return false;
    if (ip && !ip(s.privateIp) && !(s.publicIp && ip(s.publicIp))) return false;
    if (filter.ipEq && s.privateIp !== filter.ipEq && s.publicIp !== filter.ipEq) return false;
    if (tags.length > 0 && !tags.every((t) => hasTag(s, t))) return false;
    if (notTags.length > 0 && notTags.every((t) => hasTag(s, t))) return false;
    return true;
  });
}

/** Sort keys Nova documents for the list API; those we cannot order by fall back to `created_at`. */
const DOCUMENTED_SORT_KEYS = new Set([
  "created_at",
  "auto_disk_config",
  "availability_zone",
  "display_description",
  "display_name",
  "host",
  "host_name",
  "image_ref",
  "instance_type_id",
  "kernel_id",
  "key_name",
  "launch_index",
  "launched_at",
  "locked_by",
  "node",
  "power_state",
  "project_id",
  "ramdisk_id",
  "reservation_id",
  "root_device_name",
  "task_state",
  "terminated_at",
  "user_id",
  "updated_at",
  "uuid",
  "vm_state",
]);

const SORTERS: Record<string, (s: SimServer) => string | number> = {
  display_name: (s) => s.name,
  host_name: (s) => s.name,
  availability_zone: (s) => s.availabilityZone,
  updated_at: (s) => s.updated,
  launched_at: (s) => s.launchedAt,
  uuid: (s) => s.id,
  power_state: (s) => s.powerState,
  vm_state: (s) => s.vmState,
  image_ref: (s) => s.image.id,
  instance_type_id: (s) => s.flavorId,
};

export function isSortKey(key: string): boolean {
  return DOCUMENTED_SORT_KEYS.has(key);
}

/**
 * Orders a newest-first list by `sortKey`/`sortDir` (default: created_at desc, i.e. unchanged).
 * Ties keep the newest-first order, so pagination with a marker stays stable.
 */
export function sortServers(
  servers: SimServer[],
  sortKey: string | undefined,
  sortDir: "asc" | "desc",
): SimServer[] {
  const key = sortKey && SORTERS[sortKey] ? sortKey : "created_at";
  if (key === "created_at") return sortDir === "desc" ? servers : servers.reverse();
  const get = SORTERS[key]!;
  const sign = sortDir === "asc" ? 1 : -1;
  const indexed = servers.map((s, i) => ({ s, i, k: get(s) }));
  indexed.sort((a, b) => (a.k < b.k ? -sign : a.k > b.k ? sign : a.i - b.i));
  return indexed.map((x) => x.s);
}
