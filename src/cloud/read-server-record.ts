import { dedicatedHostOf, serverSchema, toServer } from "./ecs-schemas.js";
import { isObject, list, number, put, type Raw, readFastOrSchema, str, UNSURE } from "./read-wire-values.js";
import type { Server, ServerAddress, ServerVolume } from "./types.js";

/** `lenientBool`: a boolean, or its text in any case; anything else reads as absent. */
function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  return undefined;
}
/** A volume's `bootIndex` as the schema reads it: an integer or its text; anything else reads as absent. */
function index(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}
/** An object, or nothing (`null`, absent). */
function map(v: unknown): Raw {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw UNSURE;
  return v;
}

/**
 * One server record of a listing as a `Server`: exactly what `toServer(serverSchema.parse(raw))` gives, in one
 * pass and without the schema's per-field machinery or an intermediate wire object (a listing of 10,000
 * servers spent most of its client time there). Any record this fast reading is not sure about (an unexpected
 * type anywhere) goes through the schema itself, so tolerance and error messages stay the schema's.
 */
export function readServerRecord(raw: unknown): { ok: true; server: Server } | { ok: false; error: string } {
  const read = readFastOrSchema(raw, fastServer, serverSchema, toServer);
  return read.ok ? { ok: true, server: read.value } : read;
}

// Each field is set only when it has a value, in `toServer`'s order, so the objects match its output exactly
// (no `delete`, which would also turn them into slow dictionary objects).
function fastServer(raw: Raw): Server {
  const id = raw.id;
  if (typeof id !== "string") throw UNSURE;
  const f = map(raw.flavor);
  const originalName = str(f.original_name);
  const flavor: Server["flavor"] = { id: str(f.id) ?? originalName ?? "" };
  put(flavor, "name", str(f.name) ?? originalName);
  put(flavor, "vcpus", number(f.vcpus));
  put(flavor, "ramMb", number(f.ram));
  put(flavor, "diskGb", number(f.disk));

  // `for…in` over the parsed JSON's own keys (its prototype has none to add), in `Object.entries`' order,
  // without the pair arrays it makes: they were a third of what reading a page of servers allocated.
  const addresses: ServerAddress[] = [];
  const networks = map(raw.addresses);
  for (const network in networks) {
    for (const a of list(networks[network])) {
      if (!isObject(a) || typeof a.addr !== "string") throw UNSURE;
      const address: ServerAddress = {
        network,
        addr: a.addr,
        version: number(a.version) ?? (a.addr.includes(":") ? 6 : 4),
      };
      put(address, "type", str(a["OS-EXT-IPS:type"]));
      put(address, "macAddr", str(a["OS-EXT-IPS-MAC:mac_addr"]));
      put(address, "portId", str(a["OS-EXT-IPS:port_id"]));
      addresses.push(address);
    }
  }

  const tags = list(raw.tags);
  for (const t of tags) if (typeof t !== "string") throw UNSURE;

  const metadata: Record<string, string> = {};
  const rawMetadata = map(raw.metadata);
  for (const k in rawMetadata) {
    const v = rawMetadata[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw UNSURE;
    metadata[k] = String(v);
  }

  let imageId: string | undefined;
  const image = raw.image;
  if (typeof image === "string") imageId = image || undefined;
  else if (image !== undefined && image !== null) {
    if (!isObject(image)) throw UNSURE;
    imageId = str(image.id);
  }

  const volumeIds: string[] = [];
  const volumes: ServerVolume[] = [];
  let volumeDetails = false;
  for (const v of list(raw["os-extended-volumes:volumes_attached"])) {
    if (!isObject(v) || typeof v.id !== "string") throw UNSURE;
    volumeIds.push(v.id);
    const volume: ServerVolume = { id: v.id };
    put(volume, "deleteOnTermination", bool(v.delete_on_termination));
    put(volume, "bootIndex", index(v.bootIndex));
    put(volume, "device", str(v.device));
    volumeDetails ||=
      volume.deleteOnTermination !== undefined ||
      volume.bootIndex !== undefined ||
      volume.device !== undefined;
    volumes.push(volume);
  }

  const securityGroups: string[] = [];
  for (const g of list(raw.security_groups)) {
    if (!isObject(g)) throw UNSURE;
    const groupName = str(g.name);
    const groupId = str(g.id);
    const shown = groupName ?? groupId ?? "";
    if (shown !== "") securityGroups.push(shown);
  }

  let fault: Server["fault"];
  if (raw.fault !== undefined && raw.fault !== null) {
    if (!isObject(raw.fault)) throw UNSURE;
    fault = {};
    put(fault, "code", number(raw.fault.code));
    put(fault, "message", str(raw.fault.message));
    put(fault, "details", str(raw.fault.details));
  }

  // The required fields after the optional ones are set below, in `toServer`'s order.
  const server = {
    id,
    name: str(raw.name) ?? "",
    status: str(raw.status) ?? "UNKNOWN",
    flavor,
    addresses,
    tags: [...(tags as string[])],
  } as Server;
  put(server, "availabilityZone", str(raw["OS-EXT-AZ:availability_zone"]));
  put(server, "created", str(raw.created));
  put(server, "updated", str(raw.updated));
  put(server, "vmState", str(raw["OS-EXT-STS:vm_state"]));
  put(server, "powerState", number(raw["OS-EXT-STS:power_state"]));
  put(server, "imageId", imageId);
  put(server, "keyName", str(raw.key_name) || undefined);
  server.metadata = metadata;
  server.volumeIds = volumeIds;
  if (volumeDetails) server.volumes = volumes;
  server.securityGroups = securityGroups;
  put(server, "locked", bool(raw.locked));
  put(server, "description", str(raw.description));
  put(server, "tenantId", str(raw.tenant_id));
  put(server, "hostStatus", str(raw.host_status));
  put(server, "fault", fault);
  put(server, "dedicatedHost", dedicatedHostOf(raw["os:scheduler_hints"]));
  // task_state is meaningful when null (idle), so it is kept even then.
  const taskState = str(raw["OS-EXT-STS:task_state"]);
  if (raw["OS-EXT-STS:task_state"] !== undefined) server.taskState = taskState ?? null;
  return server;
}
