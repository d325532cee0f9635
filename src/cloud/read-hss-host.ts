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

/**
 * One host record of `ListHosts` as an `HssHost`: exactly what `toHssHost(hostSchema.parse(raw))` gives,
 * without the schema's per-field machinery (some 50 fields a host: a page of 200 took 1.25 ms through the
 * schema and takes 0.67 ms here, measured apart, and more in the bot, where every schema shares zod's code).
 * A record this reading is not sure about goes through the schema, so tolerance and error messages stay the
 * schema's.
 */
export function readHssHost(raw: unknown): { ok: true; host: HssHost } | { ok: false; error: string } {
  const read = readFastOrSchema(raw, fastHost, hostSchema, toHssHost);
  return read.ok ? { ok: true, host: read.value } : read;
}

function fastHost(raw: Raw): HssHost {
  const hostId = raw.host_id;
  if (typeof hostId !== "string") throw UNSURE;
  // Field by field in `toHssHost`'s order, each set only when it has a value: named stores V8 keeps fast (a
  // loop over a table of names was slower than the schema itself).
  const host = { hostId, hostName: str(raw.host_name) ?? "" } as HssHost;
  put(host, "agentId", str(raw.agent_id));
  put(host, "privateIp", str(raw.private_ip));
  put(host, "publicIp", str(raw.public_ip));
  put(host, "enterpriseProjectId", str(raw.enterprise_project_id));
  put(host, "enterpriseProjectName", str(raw.enterprise_project_name));
  put(host, "hostStatus", str(raw.host_status));
  put(host, "agentStatus", str(raw.agent_status));
  put(host, "installResultCode", str(raw.install_result_code));
  put(host, "version", str(raw.version));
  put(host, "protectStatus", str(raw.protect_status));
  put(host, "osImage", str(raw.os_image));
  put(host, "osType", str(raw.os_type));
  put(host, "osName", str(raw.os_name));
  put(host, "osVersion", str(raw.os_version));
  put(host, "osBit", str(raw.os_bit));
  put(host, "kernelVersion", str(raw.kernel_version));
  put(host, "detectResult", str(raw.detect_result));
  put(host, "expireTime", number(raw.expire_time));
  put(host, "chargingMode", str(raw.charging_mode));
  put(host, "resourceId", str(raw.resource_id));
  put(host, "outsideHost", boolish(raw.outside_host));
  put(host, "groupId", str(raw.group_id));
  put(host, "groupName", str(raw.group_name));
  put(host, "policyGroupId", str(raw.policy_group_id));
  put(host, "policyGroupName", str(raw.policy_group_name));
  put(host, "asset", number(raw.asset));
  put(host, "vulnerability", number(raw.vulnerability));
  put(host, "baseline", number(raw.baseline));
  put(host, "intrusion", number(raw.intrusion));
  put(host, "assetValue", str(raw.asset_value));
  host.labels = labels(raw.labels);
  put(host, "agentCreateTime", number(raw.agent_create_time));
  put(host, "agentUpdateTime", number(raw.agent_update_time));
  put(host, "agentVersion", str(raw.agent_version));
  put(host, "upgradeStatus", str(raw.upgrade_status));
  put(host, "upgradeResultCode", str(raw.upgrade_result_code));
  put(host, "upgradable", boolish(raw.upgradable));
  put(host, "openTime", number(raw.open_time));
  put(host, "protectInterrupt", boolish(raw.protect_interrupt));
  put(host, "protectDegradation", boolish(raw.protect_degradation));
  put(host, "hostSources", str(raw.host_sources));
  put(host, "interruptReason", str(raw.interrupt_reason));
  put(host, "degradationReason", str(raw.degradation_reason));
  put(host, "keyName", str(raw.key_name));
  put(host, "installProgress", number(raw.install_progress));
  put(host, "vpcId", str(raw.vpc_id));
  put(host, "clusterId", str(raw.cluster_id));
  put(host, "clusterName", str(raw.cluster_name));
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
