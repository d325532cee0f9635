import { serverSchema, toServer } from "./ecs-schemas.js";
import type { Server, ServerAddress, ServerVolume } from "./types.js";

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
/** Numbers as the lenient schema reads them (a number, or a numeric string); `false` when it would reject. */
function num(v: unknown): number | null | undefined | false {
  if (v === undefined || v === null) return v;
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return false;
}
function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  return undefined;
}
function index(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}
/** Marks a record the fast reading is not sure about: `serverSchema` reads it instead. */
class Unsure extends Error {}
const UNSURE = new Unsure();
function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  throw UNSURE;
}
function number(v: unknown): number | undefined {
  const n = num(v);
  if (n === false) throw UNSURE;
  return n ?? undefined;
}
/** `value` and the rest of the nullable-list rules: an array, or nothing. */
function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw UNSURE;
  return v;
}
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
  if (isObject(raw) && typeof raw.id === "string") {
    try {
      return { ok: true, server: fastServer(raw, raw.id) };
    } catch (error) {
      if (!(error instanceof Unsure)) throw error;
    }
  }
  const parsed = serverSchema.safeParse(raw);
  if (parsed.success) return { ok: true, server: toServer(parsed.data) };
  const issue = parsed.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join(".") || "(record)"}: ${issue.message}` : "invalid" };
}

// Each field is set only when it has a value, in `toServer`'s order, so the objects match its output exactly
// (no `delete`, which would also turn them into slow dictionary objects).
function fastServer(raw: Raw, id: string): Server {
  const name = str(raw.name);
  const status = str(raw.status);
  const created = str(raw.created);
  const updated = str(raw.updated);
  const tenantId = str(raw.tenant_id);
  const description = str(raw.description);
  const keyName = str(raw.key_name);
  const hostStatus = str(raw.host_status);
  const availabilityZone = str(raw["OS-EXT-AZ:availability_zone"]);
  const taskState = str(raw["OS-EXT-STS:task_state"]);
  const vmState = str(raw["OS-EXT-STS:vm_state"]);
  const powerState = number(raw["OS-EXT-STS:power_state"]);

  const f = map(raw.flavor);
  const flavorId = str(f.id);
  const flavorName = str(f.name);
  const originalName = str(f.original_name);
  const flavor: Server["flavor"] = { id: flavorId ?? originalName ?? "" };
  const shownName = flavorName ?? originalName;
  if (shownName !== undefined) flavor.name = shownName;
  const vcpus = number(f.vcpus);
  if (vcpus !== undefined) flavor.vcpus = vcpus;
  const ramMb = number(f.ram);
  if (ramMb !== undefined) flavor.ramMb = ramMb;
  const diskGb = number(f.disk);
  if (diskGb !== undefined) flavor.diskGb = diskGb;

  const addresses: ServerAddress[] = [];
  for (const [network, entries] of Object.entries(map(raw.addresses))) {
    for (const a of list(entries)) {
      if (!isObject(a) || typeof a.addr !== "string") throw UNSURE;
      const address: ServerAddress = {
        network,
        addr: a.addr,
        version: number(a.version) ?? (a.addr.includes(":") ? 6 : 4),
      };
      const type = str(a["OS-EXT-IPS:type"]);
      if (type !== undefined) address.type = type;
      const macAddr = str(a["OS-EXT-IPS-MAC:mac_addr"]);
      if (macAddr !== undefined) address.macAddr = macAddr;
      const portId = str(a["OS-EXT-IPS:port_id"]);
      if (portId !== undefined) address.portId = portId;
      addresses.push(address);
    }
  }

  const tags = list(raw.tags);
  for (const t of tags) if (typeof t !== "string") throw UNSURE;

  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(map(raw.metadata))) {
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
    const deleteOnTermination = bool(v.delete_on_termination);
    if (deleteOnTermination !== undefined) volume.deleteOnTermination = deleteOnTermination;
    const bootIndex = index(v.bootIndex);
    if (bootIndex !== undefined) volume.bootIndex = bootIndex;
    const device = str(v.device);
    if (device !== undefined) volume.device = device;
    volumeDetails ||= Object.keys(volume).length > 1;
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
    const code = number(raw.fault.code);
    if (code !== undefined) fault.code = code;
    const message = str(raw.fault.message);
    if (message !== undefined) fault.message = message;
    const details = str(raw.fault.details);
    if (details !== undefined) fault.details = details;
  }

  // The required fields after the optional ones are set below, in `toServer`'s order.
  const server = {
    id,
    name: name ?? "",
    status: status ?? "UNKNOWN",
    flavor,
    addresses,
    tags: [...(tags as string[])],
  } as Server;
  if (availabilityZone !== undefined) server.availabilityZone = availabilityZone;
  if (created !== undefined) server.created = created;
  if (updated !== undefined) server.updated = updated;
  if (vmState !== undefined) server.vmState = vmState;
  if (powerState !== undefined) server.powerState = powerState;
  if (imageId !== undefined) server.imageId = imageId;
  if (keyName) server.keyName = keyName;
  server.metadata = metadata;
  server.volumeIds = volumeIds;
  if (volumeDetails) server.volumes = volumes;
  server.securityGroups = securityGroups;
  const locked = bool(raw.locked);
  if (locked !== undefined) server.locked = locked;
  if (description !== undefined) server.description = description;
  if (tenantId !== undefined) server.tenantId = tenantId;
  if (hostStatus !== undefined) server.hostStatus = hostStatus;
  if (fault !== undefined) server.fault = fault;
  // task_state is meaningful when null (idle), so it is kept even then.
  const rawTaskState = raw["OS-EXT-STS:task_state"];
  if (rawTaskState !== undefined) server.taskState = taskState ?? null;
  return server;
}
