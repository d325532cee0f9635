import type { JobKind, JobParams } from "./create-job-engine.js";
import {
  accepted,
  badBody,
  novaNotFound,
  novaRoute,
  singleServerCheck,
  v1NotFound,
  v1Route,
  withServer,
} from "./ecs-route-helpers.js";
import { ECS_ERRORS, ecsError, jobQueryError, novaError } from "./error-bodies.js";
import { isListedInAz, resizeSaleRefusal } from "./flavor-catalog.js";
import { novaList, v1List } from "./list-ecs-servers.js";
import {
  first,
  isRecord,
  jsonObject,
  type Route,
  type RouteContext,
  type RouteResult,
} from "./match-route.js";
import {
  novaMicroversion,
  renderBlockDevice,
  renderNovaFlavor,
  renderNovaServer,
  renderV1Flavor,
  renderV1Server,
  renderVolumeAttachment,
  tagStrings,
} from "./render-ecs.js";
import type { SimFlavor, SimServer } from "./world-types.js";

/** Batch actions accept at most this many servers (doc: "A maximum of 1,000 ECSs"). */
export const MAX_BATCH = 1000;

type Invalid = { invalid: RouteResult };

/** Parses `servers: [{id}]`: 1..1000 unique non-empty IDs. */
function parseServerRefs(value: unknown): string[] | Invalid {
  if (!Array.isArray(value) || value.length === 0)
    return { invalid: badBody("servers must be a non-empty array.") };
  if (value.length > MAX_BATCH) {
    return {
      invalid: ecsError(400, ECS_ERRORS.tooMany.code, `${ECS_ERRORS.tooMany.message} At most ${MAX_BATCH}.`),
    };
  }
  const ids: string[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item.id !== "string" || item.id.trim() === "") {
      return { invalid: badBody("Each server needs an id.") };
    }
    ids.push(item.id);
  }
  if (new Set(ids).size !== ids.length) return { invalid: badBody("Duplicate server ids.") };
  return ids;
}

function resolveServers(ctx: RouteContext, ids: string[]): SimServer[] | Invalid {
  const servers: SimServer[] = [];
  for (const id of ids) {
    const server = ctx.core.store.server(id);
    if (!server) return { invalid: v1NotFound(id) };
    servers.push(server);
  }
  return servers;
}

/** `POST /v1/{project_id}/cloudservers/action`: os-start, os-stop, reboot. */
function batchAction(ctx: RouteContext): RouteResult {
  const body = jsonObject(ctx.body);
  if (!body) return badBody();
  const keys = Object.keys(body);
  const actionKey = keys.find((k) => k === "os-start" || k === "os-stop" || k === "reboot");
  if (!actionKey || keys.length !== 1)
    return badBody("Exactly one of os-start, os-stop, reboot is required.");
  const action = body[actionKey];
  if (!isRecord(action)) return badBody();
  const params: JobParams = {};
  if (actionKey === "os-stop" && action.type !== undefined) {
    if (action.type !== "SOFT" && action.type !== "HARD") return badBody("type must be SOFT or HARD.");
    params.type = action.type;
  }
  if (actionKey === "os-stop" && params.type === undefined) params.type = "SOFT";
  if (actionKey === "reboot") {
    if (action.type !== "SOFT" && action.type !== "HARD") return badBody("reboot.type must be SOFT or HARD.");
    params.type = action.type;
  }
  const ids = parseServerRefs(action.servers);
  if ("invalid" in ids) return ids.invalid;
  const servers = resolveServers(ctx, ids);
  if ("invalid" in servers) return servers.invalid;
  const kind: JobKind = actionKey === "os-start" ? "start" : actionKey === "os-stop" ? "stop" : "reboot";
  return accepted(ctx, kind, servers, params);
}

/** `POST /v1/{project_id}/cloudservers/delete` */
function deleteServers(ctx: RouteContext): RouteResult {
  const body = jsonObject(ctx.body);
  if (!body) return badBody();
  const { delete_publicip: deletePublicip, delete_volume: deleteVolume } = body;
  if (deletePublicip !== undefined && deletePublicip !== null && typeof deletePublicip !== "boolean") {
    return badBody("delete_publicip must be a boolean.");
  }
  if (deleteVolume !== undefined && typeof deleteVolume !== "boolean")
    return badBody("delete_volume must be a boolean.");
  const ids = parseServerRefs(body.servers);
  if ("invalid" in ids) return ids.invalid;
  const servers = resolveServers(ctx, ids);
  if ("invalid" in servers) return servers.invalid;
  return accepted(ctx, "delete", servers, {
    deletePublicip: typeof deletePublicip === "boolean" ? deletePublicip : null,
    deleteVolume: deleteVolume === true,
  });
}

/**
 * `POST /v1/{project_id}/cloudservers/{server_id}/resize` (only a stopped ECS). A `dry_run` checks what 5.2.4
 * says it checks, "mandatory parameters and request format", and nothing else: an unknown or unchanged
 * flavor, a running, busy or locked ECS all pass it (202), and are refused only by the real resize.
 */
function resize(ctx: RouteContext): RouteResult {
  const body = jsonObject(ctx.body);
  if (!body || !isRecord(body.resize)) return badBody("resize is required.");
  const flavorRef = body.resize.flavorRef;
  if (typeof flavorRef !== "string" || flavorRef === "") return badBody("resize.flavorRef is required.");
  if (body.dry_run !== undefined && typeof body.dry_run !== "boolean")
    return badBody("dry_run must be a boolean.");
  const server = ctx.core.store.server(ctx.params.server_id!);
  if (!server) return v1NotFound(ctx.params.server_id!);
  if (body.dry_run === true) return { status: 202, body: {} };
  if (!ctx.core.store.flavors.has(flavorRef)) {
    return ecsError(
      400,
      ECS_ERRORS.flavorMissing.code,
      `${ECS_ERRORS.flavorMissing.message} flavorRef: ${flavorRef}`,
    );
  }
  if (server.flavorId === flavorRef)
    return ecsError(400, ECS_ERRORS.sameFlavor.code, ECS_ERRORS.sameFlavor.message);
  const unsold = resizeSaleRefusal(flavorRef, ctx.core.store.availabilityZones, server.availabilityZone);
  if (unsold) return ecsError(400, unsold.code, unsold.message);
  const refused = singleServerCheck(server, ["SHUTOFF"], "modifying the specifications");
  if (refused) return refused;
  return accepted(ctx, "resize", [server], { flavorId: flavorRef });
}

const FLAVOR_SORT_KEYS: Record<string, (f: SimFlavor) => string | number> = {
  flavorid: (f) => f.id,
  name: (f) => f.id,
  memory_mb: (f) => f.ramMb,
  vcpus: (f) => f.vcpus,
  // Every simulated flavor has a 0 GB root disk (the system disk is an EVS volume).
  root_gb: () => 0,
};

/**
 * `GET /v2.1/{project_id}/flavors[/detail]` (doc 6.6.1/6.6.2): `minRam` (MB) and `minDisk` (GB) keep
 * flavors at or above them, sorted by `sort_key` (default `flavorid`) and `sort_dir` (default `asc`).
 */
function novaFlavors(detail: boolean) {
  return (ctx: RouteContext): RouteResult => {
    const min = (key: string): number | RouteResult => {
      const raw = first(ctx.query, key);
      if (raw === undefined || raw === "") return 0;
      return /^\d+$/.test(raw) ? Number(raw) : novaError(400, `Invalid ${key} filter [${raw}]`);
    };
    const minRam = min("minRam");
    if (typeof minRam !== "number") return minRam;
    const minDisk = min("minDisk");
    if (typeof minDisk !== "number") return minDisk;
    const sortKey = first(ctx.query, "sort_key") ?? "flavorid";
    const keyOf = FLAVOR_SORT_KEYS[sortKey];
    if (!keyOf) return novaError(400, `Invalid sort_key: ${sortKey}`);
    const sortDir = first(ctx.query, "sort_dir") ?? "asc";
    if (sortDir !== "asc" && sortDir !== "desc") return novaError(400, `Invalid sort_dir: ${sortDir}`);
    const sign = sortDir === "asc" ? 1 : -1;
    const flavors = [...ctx.core.store.flavors.values()]
      .filter((f) => f.ramMb >= minRam && 0 >= minDisk)
      .sort((a, b) => {
        const x = keyOf(a);
        const y = keyOf(b);
        const byKey = x < y ? -1 : x > y ? 1 : 0;
        return sign * (byKey !== 0 ? byKey : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      });
    return { status: 200, body: { flavors: flavors.map((f) => renderNovaFlavor(ctx.core, f, detail)) } };
  };
}

function diskOf(server: SimServer, volumeId: string) {
  return server.disks.find((d) => d.id === volumeId);
}

/** A disk that is not attached to this ECS: 400 `Ecs.0111` (doc, error code table). */
export const volumeNotAttached = (id: string): RouteResult =>
  ecsError(400, ECS_ERRORS.diskNotAttached.code, `${ECS_ERRORS.diskNotAttached.message} volume_id: ${id}`);

/** Every ECS endpoint the simulator serves; specific paths come before parameterised ones. */
export function createEcsRoutes(): Route[] {
  const v1 = v1Route;
  const nova = (pattern: string, handle: (ctx: RouteContext) => RouteResult) => novaRoute(pattern, handle);
  const blockDevices = withServer(v1NotFound, (_ctx, s) => ({
    status: 200,
    body: {
      attachableQuantity: {
        free_scsi: 59,
        free_blk: 23 - (s.disks.length - 1),
        free_disk: 59 - (s.disks.length - 1),
      },
      volumeAttachments: s.disks.map((d) => renderBlockDevice(s, d)),
    },
  }));
  const blockDevice = withServer(v1NotFound, (ctx, s) => {
    const d = diskOf(s, ctx.params.volume_id!);
    return d
      ? { status: 200, body: { volumeAttachment: renderBlockDevice(s, d) } }
      : volumeNotAttached(ctx.params.volume_id!);
  });
  const attachments = (notFound: (id: string) => RouteResult) =>
    withServer(notFound, (_ctx, s) => ({
      status: 200,
      body: { volumeAttachments: s.disks.map((d) => renderVolumeAttachment(s, d)) },
    }));
  const attachment = (notFound: (id: string) => RouteResult) =>
    withServer(notFound, (ctx, s) => {
      const d = diskOf(s, ctx.params.volume_id!);
      return d
        ? { status: 200, body: { volumeAttachment: renderVolumeAttachment(s, d) } }
        : notFound === novaNotFound
          ? novaError(404, `Volume ${ctx.params.volume_id} is not attached to ${s.id}`)
          : volumeNotAttached(ctx.params.volume_id!);
    });
  const v1Tags = withServer(v1NotFound, (_ctx, s) => ({
    status: 200,
    body: { tags: s.tags.map((t) => ({ key: t.key, value: t.value })) },
  }));

  return [
    // Native ECS API (v1)
    v1("POST", "/v1/:project_id/cloudservers/action", batchAction),
    v1("POST", "/v1/:project_id/cloudservers/delete", deleteServers),
    v1("GET", "/v1/:project_id/cloudservers/detail", v1List),
    v1("GET", "/v1/:project_id/cloudservers/flavors", (ctx) => {
      const az = first(ctx.query, "availability_zone");
      const { availabilityZones: azs } = ctx.core.store;
      // With an AZ, only the flavors it sells (5.4.1: "normal, obt, or promotion"); an unknown AZ sells none.
      const flavors = [...ctx.core.store.flavors.values()].filter(
        (f) => !az || (azs.includes(az) && isListedInAz(f.id, azs, az)),
      );
      return { status: 200, body: { flavors: flavors.map((f) => renderV1Flavor(ctx.core, f)) } };
    }),
    v1("GET", "/v1/:project_id/jobs/:job_id", (ctx) => {
      const job = ctx.core.jobs.render(ctx.params.job_id!, ctx.now);
      return job
        ? { status: 200, body: job }
        : jobQueryError(
            400,
            ECS_ERRORS.invalidJob.code,
            `${ECS_ERRORS.invalidJob.message} job_id: ${ctx.params.job_id}`,
          );
    }),
    v1(
      "GET",
      "/v1/:project_id/cloudservers/:server_id",
      withServer(v1NotFound, (ctx, s) => ({ status: 200, body: { server: renderV1Server(ctx.core, s) } })),
    ),
    v1("POST", "/v1/:project_id/cloudservers/:server_id/resize", resize),
    v1("GET", "/v1/:project_id/cloudservers/:server_id/tags", v1Tags),
    v1("GET", "/v1/:project_id/servers/:server_id/tags", v1Tags),
    v1("GET", "/v1/:project_id/cloudservers/:server_id/block_device", blockDevices),
    v1("GET", "/v1/:project_id/cloudservers/:server_id/block_device/:volume_id", blockDevice),
    v1("GET", "/v1/:project_id/cloudservers/:server_id/os-volume_attachments", attachments(v1NotFound)),
    v1(
      "GET",
      "/v1/:project_id/cloudservers/:server_id/os-volume_attachments/:volume_id",
      attachment(v1NotFound),
    ),
    // The doc prints the block_device paths without a project ID; served as printed.
    { ...v1("GET", "/v2.1/servers/:server_id/block_device", blockDevices), handle: blockDevices },
    { ...v1("GET", "/v2.1/servers/:server_id/block_device/:volume_id", blockDevice), handle: blockDevice },
    // OpenStack Nova API (v2.1)
    nova("/v2.1/:project_id/servers/detail", novaList(true)),
    nova("/v2.1/:project_id/servers", novaList(false)),
    nova("/v2.1/:project_id/flavors", novaFlavors(false)),
    nova("/v2.1/:project_id/flavors/detail", novaFlavors(true)),
    nova("/v2.1/:project_id/flavors/:flavor_id", (ctx) => {
      const f = ctx.core.store.flavors.get(ctx.params.flavor_id!);
      return f
        ? { status: 200, body: { flavor: renderNovaFlavor(ctx.core, f, true) } }
        : novaError(404, `Flavor ${ctx.params.flavor_id} could not be found.`);
    }),
    nova(
      "/v2.1/:project_id/servers/:server_id",
      withServer(novaNotFound, (ctx, s) => ({
        status: 200,
        body: { server: renderNovaServer(ctx.core, s, novaMicroversion(ctx.headers)) },
      })),
    ),
    nova(
      "/v2.1/:project_id/servers/:server_id/tags",
      withServer(novaNotFound, (_ctx, s) => ({ status: 200, body: { tags: tagStrings(s) } })),
    ),
    nova("/v2.1/:project_id/servers/:server_id/os-volume_attachments", attachments(novaNotFound)),
    nova("/v2.1/:project_id/servers/:server_id/os-volume_attachments/:volume_id", attachment(novaNotFound)),
  ];
}
