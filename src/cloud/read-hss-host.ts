import type { CloudResponse } from "./create-transport.js";
import { hostSchema, listHostsResponse, toHssHost } from "./hss-schemas.js";
import { parseResponse } from "./parse-response.js";
import {
  isObject,
  list,
  num,
  number,
  put,
  type Raw,
  readFastOrSchema,
  str,
  UNSURE,
} from "./read-wire-values.js";
import type { HssHost } from "./types.js";

/** `boolish` of `hss-schemas.ts`: a boolean or exactly `"true"`/`"false"`, absent for `null`. */
function boolish(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw UNSURE;
}

/** `labels`: a list of strings, without the `""` that the documented example carries for "no labels". */
function labels(v: unknown): string[] {
  const out: string[] = [];
  for (const label of list(v)) {
    if (typeof label !== "string") throw UNSURE;
    if (label !== "") out.push(label);
  }
  return out;
}

const READ = { s: str, n: number, b: boolish, l: labels } as const;

/**
 * The fields of a host after its ID and name in `toHssHost`'s order: its wire name, its domain name and how it is read
 * (`s` a string, `n` a number or numeric string, `b` a boolean or its text, `l` the labels). `hostId`,
 * `hostName` and `commonLoginAreaCodes` are read apart.
 */
const FIELDS: readonly (readonly [string, keyof HssHost, keyof typeof READ])[] = [
  ["agent_id", "agentId", "s"],
  ["private_ip", "privateIp", "s"],
  ["public_ip", "publicIp", "s"],
  ["enterprise_project_id", "enterpriseProjectId", "s"],
  ["enterprise_project_name", "enterpriseProjectName", "s"],
  ["host_status", "hostStatus", "s"],
  ["agent_status", "agentStatus", "s"],
  ["install_result_code", "installResultCode", "s"],
  ["version", "version", "s"],
  ["protect_status", "protectStatus", "s"],
  ["os_image", "osImage", "s"],
  ["os_type", "osType", "s"],
  ["os_name", "osName", "s"],
  ["os_version", "osVersion", "s"],
  ["os_bit", "osBit", "s"],
  ["kernel_version", "kernelVersion", "s"],
  ["detect_result", "detectResult", "s"],
  ["expire_time", "expireTime", "n"],
  ["charging_mode", "chargingMode", "s"],
  ["resource_id", "resourceId", "s"],
  ["outside_host", "outsideHost", "b"],
  ["group_id", "groupId", "s"],
  ["group_name", "groupName", "s"],
  ["policy_group_id", "policyGroupId", "s"],
  ["policy_group_name", "policyGroupName", "s"],
  ["asset", "asset", "n"],
  ["vulnerability", "vulnerability", "n"],
  ["baseline", "baseline", "n"],
  ["intrusion", "intrusion", "n"],
  ["asset_value", "assetValue", "s"],
  ["labels", "labels", "l"],
  ["agent_create_time", "agentCreateTime", "n"],
  ["agent_update_time", "agentUpdateTime", "n"],
  ["agent_version", "agentVersion", "s"],
  ["upgrade_status", "upgradeStatus", "s"],
  ["upgrade_result_code", "upgradeResultCode", "s"],
  ["upgradable", "upgradable", "b"],
  ["open_time", "openTime", "n"],
  ["protect_interrupt", "protectInterrupt", "b"],
  ["protect_degradation", "protectDegradation", "b"],
  ["host_sources", "hostSources", "s"],
  ["interrupt_reason", "interruptReason", "s"],
  ["degradation_reason", "degradationReason", "s"],
  ["key_name", "keyName", "s"],
  ["install_progress", "installProgress", "n"],
  ["vpc_id", "vpcId", "s"],
  ["cluster_id", "clusterId", "s"],
  ["cluster_name", "clusterName", "s"],
];

/**
 * One host record of `ListHosts` as an `HssHost`: exactly what `toHssHost(hostSchema.parse(raw))` gives,
 * without the schema's per-field machinery (some 50 fields a host: in the bot, where every response schema
 * shares zod's code, reading one host that way cost more than its request's JSON). A record this reading is
 * not sure about goes through the schema, so tolerance and error messages stay the schema's.
 */
export function readHssHost(raw: unknown): { ok: true; host: HssHost } | { ok: false; error: string } {
  const fast =
    isObject(raw) && typeof raw.host_id === "string" ? () => fastHost(raw, raw.host_id as string) : undefined;
  const read = readFastOrSchema(raw, fast, hostSchema, toHssHost);
  return read.ok ? { ok: true, host: read.value } : read;
}

function fastHost(raw: Raw, hostId: string): HssHost {
  const host = { hostId, hostName: str(raw.host_name) ?? "" } as HssHost;
  const fields = host as unknown as Record<string, unknown>;
  for (const [wire, name, kind] of FIELDS) {
    const value = READ[kind](raw[wire]);
    if (value !== undefined) fields[name] = value;
  }
  // Tolerant as the schema is: not a list reads as absent, an entry that is not a number is dropped.
  const codes = raw.common_login_area_codes;
  if (Array.isArray(codes)) {
    const numbers: number[] = [];
    for (const code of codes) {
      const n = num(code);
      if (typeof n === "number") numbers.push(n);
    }
    put(host, "commonLoginAreaCodes", numbers);
  }
  return host;
}

/**
 * A `ListHosts` page: its `total_num` and hosts, each read by {@link readHssHost}. A body or a host the
 * schema would reject fails the page with the schema's own message (`INVALID_RESPONSE`).
 */
export function readHostsPage(res: CloudResponse, operation: string): { total: number; items: HssHost[] } {
  const body = res.json;
  const total = isObject(body) ? num(body.total_num) : false;
  const hosts = isObject(body) ? body.data_list : undefined;
  if (total === false || (hosts !== undefined && hosts !== null && !Array.isArray(hosts)))
    return schemaPage(res, operation);
  const items: HssHost[] = [];
  for (const raw of hosts ?? []) {
    const read = readHssHost(raw);
    if (!read.ok) return schemaPage(res, operation);
    items.push(read.host);
  }
  return { total: total ?? 0, items };
}

/** The page as the schema reads it; it throws the schema's message for what the fast reading refused. */
function schemaPage(res: CloudResponse, operation: string): { total: number; items: HssHost[] } {
  const body = parseResponse(listHostsResponse, res, operation);
  return { total: body.total_num ?? 0, items: (body.data_list ?? []).map(toHssHost) };
}
