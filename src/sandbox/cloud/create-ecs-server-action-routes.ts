import { deriveConsoleLines } from "./derive-console-lines.js";
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
import { ECS_ERRORS, ecsError, novaError } from "./error-bodies.js";
import {
  first,
  isRecord,
  jsonObject,
  type Route,
  type RouteContext,
  type RouteResult,
} from "./match-route.js";
import { osImageById } from "./os-images.js";
import { novaMicroversion } from "./render-ecs.js";
import type { SimServer } from "./world-types.js";

/** Disks a KVM ECS takes: the system disk and 23 data disks (`attachableQuantity.free_blk`). */
export const MAX_DISKS = 24;
/** `user_data` is at most 32 KB before base64 encoding (doc 5.2.1, Table 5-13). */
const MAX_USER_DATA_BYTES = 32 * 1024;
const DEVICE_PATTERN = /^\/dev\/(vd|sd|xvd)[a-z]{1,2}$/;

type Invalid = { invalid: RouteResult };

const ecsErr = (e: { code: string; message: string }, detail: string): RouteResult =>
  ecsError(400, e.code, `${e.message} ${detail}`);

interface OsOptions {
  keyName: string | undefined;
  stopFirst: boolean;
}

/**
 * The shared part of `os-reinstall` / `os-change`: a key pair (or, as the service allows, a
 * password: accepted, never stored), optional `userid` and base64 `metadata.user_data`, and
 * `mode: "withStopServer"` (the doc's example) to stop a running ECS first.
 */
function parseOsOptions(ctx: RouteContext, option: Record<string, unknown>): OsOptions | Invalid {
  const { keyname, adminpass, userid, metadata, mode } = option;
  if (keyname !== undefined && (typeof keyname !== "string" || keyname === ""))
    return { invalid: badBody("keyname must be a non-empty string.") };
  if (adminpass !== undefined && (typeof adminpass !== "string" || adminpass === ""))
    return { invalid: badBody("adminpass must be a non-empty string.") };
  if (keyname === undefined && adminpass === undefined) return { invalid: badBody("keyname is required.") };
  if (keyname !== undefined && adminpass !== undefined)
    return { invalid: badBody("Specify keyname or adminpass, not both.") };
  if (typeof keyname === "string" && !ctx.core.store.keyPairs.includes(keyname))
    return { invalid: ecsErr(ECS_ERRORS.keyPairMissing, `keyname: ${keyname}`) };
  if (userid !== undefined && (typeof userid !== "string" || userid === ""))
    return { invalid: badBody("userid must be a non-empty string.") };
  if (metadata !== undefined) {
    if (!isRecord(metadata)) return { invalid: badBody("metadata must be an object.") };
    const data = metadata.user_data;
    if (data !== undefined) {
      if (typeof data !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0)
        return { invalid: badBody("metadata.user_data must be base64.") };
      if (Buffer.from(data, "base64").length > MAX_USER_DATA_BYTES)
        return { invalid: badBody("metadata.user_data exceeds 32 KB before encoding.") };
    }
  }
  if (mode !== undefined && mode !== "withStopServer")
    return { invalid: badBody("mode must be withStopServer.") };
  return { keyName: typeof keyname === "string" ? keyname : undefined, stopFirst: mode === "withStopServer" };
}

/**
 * Whether an ECS is in ERROR because its reinstall or OS change failed: its newest operation that can
 * change its state (lock and unlock do not) is a `rebuild` (both record as such, Table 6-209) that
 * failed (`Error`). Other ERRORs (a failed creation, resize, reboot…) do not qualify.
 */
export function inErrorAfterFailedOsChange(server: SimServer): boolean {
  if (server.status !== "ERROR") return false;
  const last = server.actions.findLast((a) => a.action !== "lock" && a.action !== "unlock");
  return last?.action === "rebuild" && last.message === "Error";
}

/**
 * Status rules shared by reinstall and change OS (doc 5.2.1/5.2.2 constraints): "an ECS that is stopped
 * or for which OS reinstallation has failed"; an ACTIVE one with `mode: withStopServer`.
 */
function osTaskCheck(server: SimServer, options: OsOptions, what: string): RouteResult | undefined {
  if (server.status === "ERROR" && !server.locked && !server.busyJobId && !inErrorAfterFailedOsChange(server))
    return ecsErr(
      ECS_ERRORS.badState,
      `ECS ${server.id} is ERROR, not after a failed reinstall or OS change; ${what} requires SHUTOFF or a failed reinstall or OS change.`,
    );
  const allowed: SimServer["status"][] = options.stopFirst ? ["SHUTOFF", "ACTIVE"] : ["SHUTOFF"];
  if (inErrorAfterFailedOsChange(server)) allowed.push("ERROR");
  const refused = singleServerCheck(server, allowed, what);
  if (refused) return refused;
  if (!server.disks.some((d) => d.bootIndex === 0))
    return ecsErr(ECS_ERRORS.noSystemDisk, `ECS ${server.id} has no system disk.`);
  return undefined;
}

/** `POST /v2/{project_id}/cloudservers/{server_id}/reinstallos` (doc 5.2.1). */
function reinstall(ctx: RouteContext, server: SimServer): RouteResult {
  const body = jsonObject(ctx.body);
  if (!body || !isRecord(body["os-reinstall"])) return badBody("os-reinstall is required.");
  const options = parseOsOptions(ctx, body["os-reinstall"]);
  if ("invalid" in options) return options.invalid;
  const refused = osTaskCheck(server, options, "reinstalling the OS");
  if (refused) return refused;
  return accepted(ctx, "reinstall", [server], {
    ...(options.keyName !== undefined ? { keyName: options.keyName } : {}),
    stopFirst: options.stopFirst,
  });
}

/** `POST /v2/{project_id}/cloudservers/{server_id}/changeos` (doc 5.2.2). */
function changeOs(ctx: RouteContext, server: SimServer): RouteResult {
  const body = jsonObject(ctx.body);
  if (!body || !isRecord(body["os-change"])) return badBody("os-change is required.");
  const option = body["os-change"];
  if (typeof option.imageid !== "string" || option.imageid === "") return badBody("imageid is required.");
  const image = osImageById(option.imageid);
  if (!image) return ecsErr(ECS_ERRORS.imageMissing, `imageid: ${option.imageid}`);
  const options = parseOsOptions(ctx, option);
  if ("invalid" in options) return options.invalid;
  const refused = osTaskCheck(server, options, "changing the OS");
  if (refused) return refused;
  return accepted(ctx, "changeos", [server], {
    ...(options.keyName !== undefined ? { keyName: options.keyName } : {}),
    image,
    stopFirst: options.stopFirst,
  });
}

/**
 * `POST /v1/{project_id}/cloudservers/{server_id}/migrate` (doc 5.2.3): a stopped ECS to a DeH
 * (`dedicated_host_id`) or, with `migrate: null`, from a DeH back to the public pool.
 */
function migrate(ctx: RouteContext, server: SimServer): RouteResult {
  const body = jsonObject(ctx.body);
  if (!body || !("migrate" in body)) return badBody("migrate is required.");
  const option = body.migrate;
  if (option !== null && !isRecord(option)) return badBody("migrate must be an object or null.");
  const target = option?.dedicated_host_id ?? null;
  if (target !== null && (typeof target !== "string" || target === ""))
    return badBody("dedicated_host_id must be a non-empty string.");
  if (target !== null && !ctx.core.store.dedicatedHostIds.includes(target))
    return badBody(`The dedicated host ${target} does not exist.`);
  if (target === null && server.dedicatedHostId === null)
    return badBody("The ECS is in the public resource pool: name the dedicated host to migrate it to.");
  if (target !== null && target === server.dedicatedHostId)
    return ecsErr(ECS_ERRORS.sameDedicatedHost, `dedicated_host_id: ${target}`);
  const refused = singleServerCheck(server, ["SHUTOFF"], "cold migration");
  if (refused) return refused;
  return accepted(ctx, "migrate", [server], { dedicatedHostId: target });
}

/** Why this disk cannot be attached to this server, if it cannot. */
function attachRefusal(ctx: RouteContext, server: SimServer, volumeId: string): RouteResult | undefined {
  const owner = ctx.core.store.diskOwner(volumeId);
  const volume = ctx.core.store.freeVolume(volumeId);
  const pendingFor = volume?.reservedBy
    ? ctx.core.jobs.summary(volume.reservedBy, ctx.now)?.serverIds
    : undefined;
  if (owner === server.id || pendingFor?.includes(server.id))
    return ecsErr(ECS_ERRORS.diskAlreadyAttached, `volume_id: ${volumeId}`);
  if (owner !== undefined || !volume || volume.reservedBy)
    return ecsErr(ECS_ERRORS.diskUnavailable, `volume_id: ${volumeId}`);
  return undefined;
}

/**
 * `POST /v1/{project_id}/cloudservers/{server_id}/attachvolume` (doc 5.6.1): an available disk to a
 * running or stopped ECS; `dry_run` checks only (202 `{}`, like the other dry runs).
 */
function attachVolume(ctx: RouteContext, server: SimServer): RouteResult {
  const body = jsonObject(ctx.body);
  if (!body || !isRecord(body.volumeAttachment)) return badBody("volumeAttachment is required.");
  const option = body.volumeAttachment;
  if (body.dry_run !== undefined && typeof body.dry_run !== "boolean")
    return badBody("dry_run must be a boolean.");
  const dryRun = body.dry_run === true;
  const { volumeId, device } = option;
  if (volumeId !== undefined && (typeof volumeId !== "string" || volumeId === ""))
    return badBody("volumeId must be a non-empty string.");
  if (volumeId === undefined && !(dryRun && typeof option.volume_type === "string"))
    return badBody("volumeId is required (or volume_type with dry_run).");
  if (device !== undefined && (typeof device !== "string" || !DEVICE_PATTERN.test(device)))
    return badBody("device must look like /dev/vdb.");
  // The disk first: attaching one already attached (or being attached) here is its own error.
  if (typeof volumeId === "string") {
    const refusal = attachRefusal(ctx, server, volumeId);
    if (refusal) return refusal;
  }
  const refused = singleServerCheck(server, ["ACTIVE", "SHUTOFF"], "attaching a disk");
  if (refused) return refused;
  if (typeof device === "string" && server.disks.some((d) => d.device === device))
    return badBody(`The device name ${device} is already in use.`);
  if (server.disks.length >= MAX_DISKS)
    return ecsErr(ECS_ERRORS.tooManyDisks, `ECS ${server.id} has ${server.disks.length} disks.`);
  if (dryRun) return { status: 202, body: {} };
  return accepted(ctx, "attach", [server], {
    volumeId: volumeId as string,
    ...(typeof device === "string" ? { device } : {}),
  });
}

/**
 * `DELETE /v1/{project_id}/cloudservers/{server_id}/detachvolume/{volume_id}?delete_flag=0|1`
 * (doc 5.6.2): a data disk from a running or stopped ECS; the system disk (boot index 0) only from
 * a stopped one. `delete_flag=1` (forced detach of a data disk) is accepted and changes nothing here.
 */
function detachVolume(ctx: RouteContext, server: SimServer): RouteResult {
  const flag = first(ctx.query, "delete_flag");
  if (flag !== undefined && flag !== "0" && flag !== "1") return badBody("delete_flag must be 0 or 1.");
  const volumeId = ctx.params.volume_id!;
  const disk = server.disks.find((d) => d.id === volumeId);
  if (!disk) return ecsErr(ECS_ERRORS.diskNotAttached, `volume_id: ${volumeId}`);
  const system = disk.bootIndex === 0;
  const refused = singleServerCheck(
    server,
    system ? ["SHUTOFF"] : ["ACTIVE", "SHUTOFF"],
    system ? "detaching the system disk" : "detaching a disk",
  );
  if (refused) return refused;
  return accepted(ctx, "detach", [server], { volumeId });
}

/** Microversion above which `os-getConsoleOutput` is gone (doc 6.14.1: "set … 2.5 or earlier"). */
const CONSOLE_MAX_MICROVERSION = 5;

/** `length` of `os-getConsoleOutput`: an integer ≥ -1 (the doc's example sends `"50"`); absent = all. */
function consoleLength(option: unknown): number | Invalid {
  if (option === null || option === undefined) return -1;
  if (!isRecord(option)) return { invalid: novaError(400, "os-getConsoleOutput must be an object") };
  const raw = option.length;
  if (raw === undefined || raw === null) return -1;
  const text = typeof raw === "number" ? String(raw) : raw;
  if (typeof text !== "string" || !/^-?\d+$/.test(text) || Number(text) < -1)
    return { invalid: novaError(400, `Invalid length: ${String(raw)} (an integer >= -1)`) };
  return Number(text);
}

/**
 * `POST /v2.1/{project_id}/servers/{server_id}/action` (doc 6.3.4, 6.3.5, 6.14.1): `lock` and
 * `unlock` (202, no body, idempotent, allowed on a locked ECS) and `os-getConsoleOutput` (200).
 */
function novaAction(ctx: RouteContext, server: SimServer): RouteResult {
  const body = jsonObject(ctx.body);
  const keys = body ? Object.keys(body) : [];
  if (!body || keys.length !== 1) return novaError(400, "The request body must hold exactly one action.");
  const action = keys[0]!;
  switch (action) {
    case "lock":
    case "unlock": {
      const value = body[action];
      if (value !== null && !(isRecord(value) && Object.keys(value).length === 0))
        return novaError(400, `${action} takes null.`);
      server.locked = action === "lock";
      server.updated = ctx.now;
      server.actions.push({
        action,
        requestId: `req-${ctx.requestId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5")}`,
        startTime: ctx.now,
        message: null,
      });
      return {
        status: 202,
        mutation: {
          type: action === "lock" ? "lockServer" : "unlockServer",
          jobId: null,
          serverIds: [server.id],
        },
      };
    }
    case "os-getConsoleOutput": {
      const mv = novaMicroversion(ctx.headers);
      if (mv > CONSOLE_MAX_MICROVERSION)
        return novaError(
          404,
          `os-getConsoleOutput is not available in microversion 2.${mv}; use 2.5 or earlier.`,
        );
      const length = consoleLength(body[action]);
      if (typeof length !== "number") return length.invalid;
      const lines = deriveConsoleLines(ctx.core.config.seed, server);
      const tail = length === -1 ? lines : length === 0 ? [] : lines.slice(-length);
      return { status: 200, body: { output: tail.join("\n") } };
    }
    default:
      return novaError(400, `Unsupported action: ${action}`);
  }
}

/** Reinstall, change OS, migrate, attach/detach disks, lock/unlock and console output. */
export function createEcsServerActionRoutes(): Route[] {
  const v1 = (fn: (ctx: RouteContext, s: SimServer) => RouteResult) => withServer(v1NotFound, fn);
  return [
    v1Route("POST", "/v2/:project_id/cloudservers/:server_id/reinstallos", v1(reinstall)),
    v1Route("POST", "/v2/:project_id/cloudservers/:server_id/changeos", v1(changeOs)),
    v1Route("POST", "/v1/:project_id/cloudservers/:server_id/migrate", v1(migrate)),
    v1Route("POST", "/v1/:project_id/cloudservers/:server_id/attachvolume", v1(attachVolume)),
    v1Route("DELETE", "/v1/:project_id/cloudservers/:server_id/detachvolume/:volume_id", v1(detachVolume)),
    novaRoute("/v2.1/:project_id/servers/:server_id/action", withServer(novaNotFound, novaAction), "POST"),
  ];
}
