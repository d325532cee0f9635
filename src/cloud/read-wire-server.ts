import { serverSchema, type WireServer } from "./ecs-schemas.js";

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const optString = (v: unknown): v is string | null | undefined =>
  v === undefined || v === null || typeof v === "string";
/** Numbers as the lenient schema reads them (a number, or a numeric string). */
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

/**
 * A server record of a listing, read the way `serverSchema` reads it but without its per-field machinery
 * (a listing of 10,000 servers spent most of its client time there). Any record this fast path is not sure
 * about — an unexpected type anywhere — goes through `serverSchema` itself, so tolerance and error messages
 * stay the schema's. Returns undefined for a record the schema rejects (with its first issue in `error`).
 */
export function readWireServer(
  raw: unknown,
): { ok: true; server: WireServer } | { ok: false; error: string } {
  const fast = fastPath(raw);
  if (fast !== undefined) return { ok: true, server: fast };
  const parsed = serverSchema.safeParse(raw);
  if (parsed.success) return { ok: true, server: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join(".") || "(record)"}: ${issue.message}` : "invalid" };
}

function fastPath(raw: unknown): WireServer | undefined {
  if (!isObject(raw) || typeof raw.id !== "string") return undefined;
  const strings = [
    "name",
    "status",
    "created",
    "updated",
    "tenant_id",
    "description",
    "key_name",
    "host_status",
    "OS-EXT-AZ:availability_zone",
    "OS-EXT-STS:task_state",
    "OS-EXT-STS:vm_state",
  ] as const;
  const out: Raw = { id: raw.id };
  for (const key of strings) {
    const v = raw[key];
    if (!optString(v)) return undefined;
    if (key in raw) out[key] = v;
  }
  out.locked = bool(raw.locked);
  const power = num(raw["OS-EXT-STS:power_state"]);
  if (power === false) return undefined;
  if ("OS-EXT-STS:power_state" in raw) out["OS-EXT-STS:power_state"] = power;

  const f = raw.flavor;
  if (f !== undefined && f !== null) {
    if (!isObject(f)) return undefined;
    const flavor: Raw = {};
    for (const key of ["id", "name", "original_name"] as const) {
      if (!optString(f[key])) return undefined;
      if (key in f) flavor[key] = f[key];
    }
    for (const key of ["vcpus", "ram", "disk"] as const) {
      const v = num(f[key]);
      if (v === false) return undefined;
      if (key in f) flavor[key] = v;
    }
    out.flavor = flavor;
  } else if ("flavor" in raw) out.flavor = f;

  const image = raw.image;
  if (image !== undefined && image !== null && typeof image !== "string") {
    if (!isObject(image) || !optString(image.id)) return undefined;
    out.image = "id" in image ? { id: image.id } : {};
  } else if ("image" in raw) out.image = image;

  const addresses = raw.addresses;
  if (addresses !== undefined && addresses !== null) {
    if (!isObject(addresses)) return undefined;
    const map: Raw = {};
    for (const [network, list] of Object.entries(addresses)) {
      if (list === undefined || list === null) {
        map[network] = list;
        continue;
      }
      if (!Array.isArray(list)) return undefined;
      const items: Raw[] = [];
      for (const a of list) {
        if (!isObject(a) || typeof a.addr !== "string") return undefined;
        const version = num(a.version);
        if (version === false) return undefined;
        const item: Raw = { addr: a.addr };
        if ("version" in a) item.version = version;
        for (const key of ["OS-EXT-IPS:type", "OS-EXT-IPS-MAC:mac_addr", "OS-EXT-IPS:port_id"] as const) {
          if (!optString(a[key])) return undefined;
          if (key in a) item[key] = a[key];
        }
        items.push(item);
      }
      map[network] = items;
    }
    out.addresses = map;
  } else if ("addresses" in raw) out.addresses = addresses;

  const metadata = raw.metadata;
  if (metadata !== undefined && metadata !== null) {
    if (!isObject(metadata)) return undefined;
    const map: Raw = {};
    for (const [k, v] of Object.entries(metadata)) {
      if (v === undefined || v === null) map[k] = v;
      else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") map[k] = String(v);
      else return undefined;
    }
    out.metadata = map;
  } else if ("metadata" in raw) out.metadata = metadata;

  const tags = raw.tags;
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) return undefined;
    out.tags = [...tags];
  } else if ("tags" in raw) out.tags = tags;

  const groups = raw.security_groups;
  if (groups !== undefined && groups !== null) {
    if (!Array.isArray(groups)) return undefined;
    const list: Raw[] = [];
    for (const g of groups) {
      if (!isObject(g) || !optString(g.name) || !optString(g.id)) return undefined;
      const item: Raw = {};
      if ("name" in g) item.name = g.name;
      if ("id" in g) item.id = g.id;
      list.push(item);
    }
    out.security_groups = list;
  } else if ("security_groups" in raw) out.security_groups = groups;

  const volumes = raw["os-extended-volumes:volumes_attached"];
  if (volumes !== undefined && volumes !== null) {
    if (!Array.isArray(volumes)) return undefined;
    const list: Raw[] = [];
    for (const v of volumes) {
      if (!isObject(v) || typeof v.id !== "string" || !optString(v.device)) return undefined;
      const item: Raw = {
        id: v.id,
        delete_on_termination: bool(v.delete_on_termination),
        bootIndex: index(v.bootIndex),
      };
      if ("device" in v) item.device = v.device;
      list.push(item);
    }
    out["os-extended-volumes:volumes_attached"] = list;
  } else if ("os-extended-volumes:volumes_attached" in raw)
    out["os-extended-volumes:volumes_attached"] = volumes;

  const fault = raw.fault;
  if (fault !== undefined && fault !== null) {
    if (!isObject(fault) || !optString(fault.message) || !optString(fault.details)) return undefined;
    const code = num(fault.code);
    if (code === false) return undefined;
    const item: Raw = {};
    if ("code" in fault) item.code = code;
    if ("message" in fault) item.message = fault.message;
    if ("details" in fault) item.details = fault.details;
    out.fault = item;
  } else if ("fault" in raw) out.fault = fault;
  return out as WireServer;
}
