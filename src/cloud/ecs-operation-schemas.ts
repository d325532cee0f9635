/**
 * zod schemas of the ECS operation responses (tags, tag queries, quotas, NICs, security groups, ECS
 * groups, instance actions, console output) and their mapping to domain objects. Tolerant like
 * `ecs-schemas.ts`: unknown fields ignored, numbers as strings accepted, `null` read as absent.
 */
import { z } from "zod";
import type {
  ProjectTag,
  Quotas,
  SecurityGroup,
  ServerAction,
  ServerGroup,
  ServerNic,
  TaggedServerPage,
} from "./ecs-operation-types.js";
import { defined, numberish, optNum, optStr, stringish } from "./ecs-schemas.js";

export const projectTagsResponse = z.object({
  tags: z.array(z.object({ key: z.string(), values: z.array(stringish.nullish()).nullish() })).nullish(),
});

export function toProjectTags(w: z.infer<typeof projectTagsResponse>): ProjectTag[] {
  return (w.tags ?? []).map((t) => ({
    key: t.key,
    values: (t.values ?? []).filter((v): v is string => typeof v === "string"),
  }));
}

const resourceSchema = z.object({
  resource_id: z.string(),
  resource_name: optStr,
  tags: z.array(z.object({ key: z.string(), value: stringish.nullish() })).nullish(),
});

export const taggedServersResponse = z.object({
  resources: z.array(resourceSchema).nullish(),
  total_count: numberish.nullish(),
});

export function toTaggedServerPage(w: z.infer<typeof taggedServersResponse>): TaggedServerPage {
  const servers = (w.resources ?? []).map((r) => ({
    id: r.resource_id,
    name: r.resource_name ?? "",
    tags: (r.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? "" })),
  }));
  return { totalCount: w.total_count ?? servers.length, servers };
}

export const tagCountResponse = z.object({ total_count: numberish });

const QUOTA_KEYS = [
  "maxTotalInstances",
  "maxTotalCores",
  "maxTotalRAMSize",
  "maxTotalKeypairs",
  "maxServerMeta",
  "maxPersonality",
  "maxPersonalitySize",
  "maxServerGroups",
  "maxServerGroupMembers",
  "maxSecurityGroups",
  "maxSecurityGroupRules",
  "maxTotalFloatingIps",
  "maxImageMeta",
  "totalInstancesUsed",
  "totalCoresUsed",
  "totalRAMUsed",
  "totalSecurityGroupsUsed",
  "totalFloatingIpsUsed",
  "totalServerGroupsUsed",
] as const satisfies readonly (keyof Quotas)[];

export const quotasResponse = z.object({
  absolute: z.object(Object.fromEntries(QUOTA_KEYS.map((k) => [k, optNum.catch(null)]))),
});

export function toQuotas(w: z.infer<typeof quotasResponse>): Quotas {
  const out: Quotas = {};
  for (const key of QUOTA_KEYS) {
    const v = (w.absolute as Record<string, number | null | undefined>)[key];
    if (typeof v === "number") out[key] = v;
  }
  return out;
}

const nicSchema = z.object({
  port_id: z.string(),
  port_state: optStr,
  net_id: optStr,
  mac_addr: optStr,
  fixed_ips: z.array(z.object({ subnet_id: optStr, ip_address: z.string() })).nullish(),
});
export const nicsResponse = z.object({ interfaceAttachments: z.array(nicSchema).nullish() });

export function toServerNic(w: z.infer<typeof nicSchema>): ServerNic {
  return defined({
    portId: w.port_id,
    portState: w.port_state ?? undefined,
    netId: w.net_id ?? undefined,
    macAddr: w.mac_addr ?? undefined,
    fixedIps: (w.fixed_ips ?? []).map((ip) =>
      defined({ subnetId: ip.subnet_id ?? undefined, ipAddress: ip.ip_address }),
    ),
  });
}

const ruleSchema = z.object({
  id: z.string(),
  ip_protocol: stringish.nullish(),
  from_port: optNum,
  to_port: optNum,
  ip_range: z.object({ cidr: optStr }).nullish(),
  group: z.object({ name: optStr }).nullish(),
});
const securityGroupSchema = z.object({
  id: z.string(),
  name: optStr,
  description: optStr,
  rules: z.array(ruleSchema).nullish(),
});
export const securityGroupsResponse = z.object({ security_groups: z.array(securityGroupSchema).nullish() });

export function toSecurityGroup(w: z.infer<typeof securityGroupSchema>): SecurityGroup {
  return defined({
    id: w.id,
    name: w.name ?? w.id,
    description: w.description ?? undefined,
    rules: (w.rules ?? []).map((r) =>
      defined({
        id: r.id,
        ipProtocol: r.ip_protocol ?? undefined,
        fromPort: r.from_port ?? undefined,
        toPort: r.to_port ?? undefined,
        cidr: r.ip_range?.cidr ?? undefined,
        remoteGroup: r.group?.name ?? undefined,
      }),
    ),
  });
}

const serverGroupSchema = z.object({
  id: z.string(),
  name: optStr,
  policies: z.array(z.string()).nullish(),
  members: z.array(z.string()).nullish(),
  metadata: z.record(z.string(), stringish.nullish()).nullish(),
});
export const serverGroupsResponse = z.object({
  server_groups: z.array(serverGroupSchema).nullish(),
  page_info: z.object({ next_marker: optStr }).nullish(),
});
export const serverGroupResponse = z.object({ server_group: serverGroupSchema });

export function toServerGroup(w: z.infer<typeof serverGroupSchema>): ServerGroup {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.metadata ?? {})) if (typeof v === "string") metadata[k] = v;
  return {
    id: w.id,
    name: w.name ?? "",
    policies: w.policies ?? [],
    members: w.members ?? [],
    metadata,
  };
}

const actionSchema = z.object({
  action: z.string(),
  request_id: optStr,
  start_time: optStr,
  message: optStr,
  user_id: optStr,
});
export const instanceActionsResponse = z.object({ instanceActions: z.array(actionSchema).nullish() });

export function toServerAction(w: z.infer<typeof actionSchema>): ServerAction {
  return defined({
    action: w.action,
    requestId: w.request_id ?? "",
    startTime: w.start_time ?? undefined,
    message: w.message ?? undefined,
    userId: w.user_id ?? undefined,
  });
}

export const consoleOutputResponse = z.object({ output: z.string().nullish() });
