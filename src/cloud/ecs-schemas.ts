/**
 * zod schemas of ECS responses and their mapping to domain objects. Tolerant by design: unknown
 * fields are ignored, unknown enum values kept as strings, documented-vs-returned type drift
 * (numbers as strings, `null` for absent) accepted.
 */
import { z } from "zod";
import { parseOperationAz } from "./read-flavor-sale.js";
import type {
  Flavor,
  Job,
  Server,
  ServerAddress,
  ServerTag,
  ServerVolume,
  SubJob,
  VolumeAttachment,
} from "./types.js";

/** A number that the service may send as a string (`"vcpus": "2"`). */
export const numberish = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)])
  .transform((v) => (typeof v === "number" ? v : Number(v)));
export const optStr = z.string().nullish();
export const optNum = numberish.nullish();
export const stringish = z.union([z.string(), z.number(), z.boolean()]).transform(String);
/**
 * A boolean that may come as a string (`"true"`, `"False"`); any other value reads as absent rather
 * than failing the whole response.
 */
export const lenientBool = z
  .unknown()
  .optional()
  .transform((v): boolean | undefined => {
    if (typeof v === "boolean") return v;
    if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
    return undefined;
  });
/**
 * A disk boot index: a number or numeric string (the docs type it "Boolean" or "String" while their
 * examples show integers); anything else reads as absent.
 */
const lenientIndex = z
  .unknown()
  .optional()
  .transform((v): number | undefined => {
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
    return undefined;
  });

const attachedVolumeSchema = z.object({
  id: z.string(),
  delete_on_termination: lenientBool,
  bootIndex: lenientIndex,
  device: optStr,
});

const addressSchema = z.object({
  addr: z.string(),
  version: numberish.nullish(),
  "OS-EXT-IPS:type": optStr,
  "OS-EXT-IPS-MAC:mac_addr": optStr,
  "OS-EXT-IPS:port_id": optStr,
});

export const serverSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  status: z.string().nullish(),
  created: optStr,
  updated: optStr,
  tenant_id: optStr,
  description: optStr,
  key_name: optStr,
  // `locked` (Table 6-38, microversion 2.9+); tolerant of "true"/"false" strings.
  locked: lenientBool,
  host_status: optStr,
  flavor: z
    .object({
      id: optStr,
      name: optStr,
      original_name: optStr,
      vcpus: optNum,
      ram: optNum,
      disk: optNum,
    })
    .nullish(),
  // `""` for servers booted from a volume, else `{ id, links }`.
  image: z.union([z.string(), z.object({ id: optStr })]).nullish(),
  addresses: z.record(z.string(), z.array(addressSchema).nullish()).nullish(),
  metadata: z.record(z.string(), stringish.nullish()).nullish(),
  tags: z.array(z.string()).nullish(),
  security_groups: z.array(z.object({ name: optStr, id: optStr })).nullish(),
  "OS-EXT-AZ:availability_zone": optStr,
  "OS-EXT-STS:task_state": optStr,
  "OS-EXT-STS:vm_state": optStr,
  "OS-EXT-STS:power_state": optNum,
  "os-extended-volumes:volumes_attached": z.array(attachedVolumeSchema).nullish(),
  fault: z.object({ code: optNum, message: optStr, details: optStr }).nullish(),
  "os:scheduler_hints": z.unknown().optional(),
});
export type WireServer = z.infer<typeof serverSchema>;

export const listServersResponse = z.object({
  servers: z.array(serverSchema).nullish(),
  servers_links: z.array(z.object({ rel: optStr, href: optStr })).nullish(),
});
/** `GET /v1/{project_id}/cloudservers/detail`: one page and the `count` of every match. */
export const listServersV1Response = z.object({
  count: numberish.nullish(),
  servers: z.array(serverSchema).nullish(),
});
/** The same page with its records left for `readServerRecord` (a listing's hot path). */
export const listServersV1Page = z.object({
  count: numberish.nullish(),
  servers: z.array(z.unknown()).nullish(),
});
export const getServerResponse = z.object({ server: serverSchema });

/**
 * A copy without the undefined/null properties (domain objects carry only what the service said), in the same
 * order. A copy rather than `delete`: an object that lost properties becomes a slow dictionary object in V8,
 * and listings make thousands of these.
 */
export function defined<T extends object>(obj: T): T {
  const out: Partial<T> = {};
  for (const key of Object.keys(obj) as (keyof T)[]) {
    const value = obj[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out as T;
}

function toServerVolume(w: z.infer<typeof attachedVolumeSchema>): ServerVolume {
  return defined({
    id: w.id,
    deleteOnTermination: w.delete_on_termination,
    bootIndex: w.bootIndex,
    device: w.device ?? undefined,
  });
}

/** Per-disk details, or undefined when every entry is a bare ID (nothing beyond `volumeIds`). */
function volumesOf(list: z.infer<typeof attachedVolumeSchema>[]): ServerVolume[] | undefined {
  const volumes = list.map(toServerVolume);
  return volumes.some((v) => Object.keys(v).length > 1) ? volumes : undefined;
}

/** The first string of a value documented as "Array of strings" (a plain string is accepted too). */
function firstString(v: unknown): string | undefined {
  const item = Array.isArray(v) ? v[0] : v;
  return typeof item === "string" && item !== "" ? item : undefined;
}

/**
 * The dedicated host of `os:scheduler_hints` (Tables 6-46/6-57: `tenancy` and `dedicated_host_id`, arrays of
 * strings in responses, plain strings in Table 6-16's request): undefined when the hints show none.
 */
export function dedicatedHostOf(hints: unknown): Server["dedicatedHost"] {
  if (hints === null || typeof hints !== "object" || Array.isArray(hints)) return undefined;
  const h = hints as Record<string, unknown>;
  const tenancy = Array.isArray(h.tenancy) ? h.tenancy : [h.tenancy];
  const id = firstString(h.dedicated_host_id);
  if (id === undefined && !tenancy.includes("dedicated")) return undefined;
  return id === undefined ? {} : { id };
}

export function toServer(w: WireServer): Server {
  const addresses: ServerAddress[] = [];
  for (const [network, list] of Object.entries(w.addresses ?? {})) {
    for (const a of list ?? []) {
      addresses.push(
        defined({
          network,
          addr: a.addr,
          version: a.version ?? (a.addr.includes(":") ? 6 : 4),
          type: a["OS-EXT-IPS:type"] ?? undefined,
          macAddr: a["OS-EXT-IPS-MAC:mac_addr"] ?? undefined,
          portId: a["OS-EXT-IPS:port_id"] ?? undefined,
        }),
      );
    }
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.metadata ?? {})) if (v !== null && v !== undefined) metadata[k] = v;
  const f = w.flavor ?? {};
  const server: Server = defined({
    id: w.id,
    name: w.name ?? "",
    status: w.status ?? "UNKNOWN",
    flavor: defined({
      id: f.id ?? f.original_name ?? "",
      name: f.name ?? f.original_name ?? undefined,
      vcpus: f.vcpus ?? undefined,
      ramMb: f.ram ?? undefined,
      diskGb: f.disk ?? undefined,
    }),
    addresses,
    tags: w.tags ?? [],
    availabilityZone: w["OS-EXT-AZ:availability_zone"] ?? undefined,
    created: w.created ?? undefined,
    updated: w.updated ?? undefined,
    vmState: w["OS-EXT-STS:vm_state"] ?? undefined,
    powerState: w["OS-EXT-STS:power_state"] ?? undefined,
    imageId: typeof w.image === "string" ? w.image || undefined : (w.image?.id ?? undefined),
    keyName: w.key_name || undefined,
    metadata,
    volumeIds: (w["os-extended-volumes:volumes_attached"] ?? []).map((v) => v.id),
    volumes: volumesOf(w["os-extended-volumes:volumes_attached"] ?? []),
    securityGroups: (w.security_groups ?? []).map((g) => g.name ?? g.id ?? "").filter((n) => n !== ""),
    locked: w.locked ?? undefined,
    description: w.description ?? undefined,
    tenantId: w.tenant_id ?? undefined,
    hostStatus: w.host_status ?? undefined,
    fault: w.fault
      ? defined({
          code: w.fault.code ?? undefined,
          message: w.fault.message ?? undefined,
          details: w.fault.details ?? undefined,
        })
      : undefined,
    dedicatedHost: dedicatedHostOf(w["os:scheduler_hints"]),
  });
  // task_state is meaningful when null (idle), so it is kept even then.
  if (w["OS-EXT-STS:task_state"] !== undefined) server.taskState = w["OS-EXT-STS:task_state"];
  return server;
}

const flavorSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  vcpus: optNum,
  ram: optNum,
  "os-flavor-access:is_public": z.boolean().nullish(),
  "OS-FLV-DISABLED:disabled": z.boolean().nullish(),
  os_extra_specs: z.record(z.string(), stringish.nullish()).nullish(),
});
export const listFlavorsResponse = z.object({ flavors: z.array(flavorSchema).nullish() });

export function toFlavor(w: z.infer<typeof flavorSchema>): Flavor {
  const extraSpecs: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.os_extra_specs ?? {}))
    if (v !== null && v !== undefined) extraSpecs[k] = v;
  return defined({
    id: w.id,
    name: w.name ?? w.id,
    vcpus: w.vcpus ?? 0,
    ramMb: w.ram ?? 0,
    isPublic: w["os-flavor-access:is_public"] ?? undefined,
    disabled: w["OS-FLV-DISABLED:disabled"] ?? undefined,
    performanceType: extraSpecs["ecs:performancetype"],
    generation: extraSpecs["ecs:generation"],
    operationStatus: extraSpecs["cond:operation:status"],
    operationAz: extraSpecs["cond:operation:az"],
    statusByAz: statusByAzOf(extraSpecs["cond:operation:az"]),
    extraSpecs,
  });
}

function statusByAzOf(value: string | undefined): Record<string, string> | undefined {
  const byAz = parseOperationAz(value);
  return Object.keys(byAz).length > 0 ? byAz : undefined;
}

/** `{"job_id": "…"}` of an accepted asynchronous request. */
export const jobIdResponse = z.object({ job_id: z.string().min(1) });

const subJobSchema = z.object({
  status: z.string().nullish(),
  job_id: optStr,
  job_type: optStr,
  begin_time: optStr,
  end_time: optStr,
  error_code: optStr,
  fail_reason: optStr,
  entities: z.object({ server_id: optStr, nic_id: optStr, errorcode_message: optStr }).nullish(),
});

export const jobResponse = z.object({
  status: z.string(),
  job_id: optStr,
  job_type: optStr,
  begin_time: optStr,
  end_time: optStr,
  error_code: optStr,
  fail_reason: optStr,
  entities: z
    .object({
      server_id: optStr,
      nic_id: optStr,
      sub_jobs_total: optNum,
      sub_jobs: z.array(subJobSchema).nullish(),
    })
    .nullish(),
});

export function toJob(w: z.infer<typeof jobResponse>, requestedJobId: string): Job {
  const subJobs: SubJob[] = (w.entities?.sub_jobs ?? []).map((s) => {
    const sub: SubJob = defined({
      jobId: s.job_id ?? undefined,
      jobType: s.job_type ?? undefined,
      status: s.status ?? "UNKNOWN",
      serverId: s.entities?.server_id ?? undefined,
      nicId: s.entities?.nic_id ?? undefined,
      beginTime: s.begin_time ?? undefined,
      endTime: s.end_time ?? undefined,
      errorcodeMessage: s.entities?.errorcode_message ?? undefined,
    });
    if (s.error_code !== undefined) sub.errorCode = s.error_code;
    if (s.fail_reason !== undefined) sub.failReason = s.fail_reason;
    return sub;
  });
  const job: Job = defined({
    jobId: w.job_id ?? requestedJobId,
    jobType: w.job_type ?? undefined,
    status: w.status,
    beginTime: w.begin_time ?? undefined,
    endTime: w.end_time ?? undefined,
    serverId: w.entities?.server_id ?? undefined,
    subJobsTotal: w.entities?.sub_jobs_total ?? undefined,
    subJobs,
  });
  if (w.error_code !== undefined) job.errorCode = w.error_code;
  if (w.fail_reason !== undefined) job.failReason = w.fail_reason;
  return job;
}

const volumeAttachmentSchema = z.object({
  id: optStr,
  volumeId: z.string(),
  serverId: optStr,
  device: optStr,
});
export const volumeAttachmentsResponse = z.object({
  volumeAttachments: z.array(volumeAttachmentSchema).nullish(),
});

const blockDeviceSchema = z.object({
  id: optStr,
  volumeId: z.string(),
  serverId: optStr,
  device: optStr,
  size: optNum,
  bootIndex: lenientIndex,
  delete_on_termination: lenientBool,
});
/** `GET /v1/{project_id}/cloudservers/{server_id}/block_device` (doc Table 5-54/5-55). */
export const blockDevicesResponse = z.object({
  volumeAttachments: z.array(blockDeviceSchema).nullish(),
});

export function toBlockDevice(w: z.infer<typeof blockDeviceSchema>, serverId: string): VolumeAttachment {
  return defined({
    id: w.id ?? w.volumeId,
    volumeId: w.volumeId,
    serverId: w.serverId ?? serverId,
    device: w.device ?? undefined,
    bootIndex: w.bootIndex,
    sizeGb: w.size ?? undefined,
    deleteOnTermination: w.delete_on_termination,
  });
}

export function toVolumeAttachment(
  w: z.infer<typeof volumeAttachmentSchema>,
  serverId: string,
): VolumeAttachment {
  return defined({
    id: w.id ?? w.volumeId,
    volumeId: w.volumeId,
    serverId: w.serverId ?? serverId,
    device: w.device ?? undefined,
  });
}

export const serverTagsResponse = z.object({
  tags: z.array(z.object({ key: z.string(), value: stringish.nullish() })).nullish(),
});

export function toServerTags(w: z.infer<typeof serverTagsResponse>): ServerTag[] {
  return (w.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? "" }));
}
