/**
 * What each kind of job is: its wire names, the statuses it may start from, the transitional state
 * while it runs, and its default injected failure. The engine (`create-job-engine.ts`) drives them.
 */
import type { SimImage, SimServer } from "./world-types.js";

/** What a job does to its servers. */
export type JobKind =
  | "start"
  | "stop"
  | "reboot"
  | "resize"
  | "delete"
  | "reinstall"
  | "changeos"
  | "attach"
  | "detach"
  | "migrate";
export interface JobParams {
  /** `os-stop.type` / `reboot.type` */
  type?: "SOFT" | "HARD";
  /** Target flavor of a resize. */
  flavorId?: string;
  /** `delete_publicip` as sent (null when absent: the EIP's own delete_on_termination decides). */
  deletePublicip?: boolean | null;
  deleteVolume?: boolean;
  /** Key pair injected by a reinstall / OS change. */
  keyName?: string;
  /** New image of an OS change. */
  image?: SimImage;
  /** `mode: withStopServer`: a running ECS is stopped first, then reinstalled. */
  stopFirst?: boolean;
  /** Disk of an attach / detach. */
  volumeId?: string;
  /** Device name requested by an attach. */
  device?: string;
  /** Target DeH of a cold migration; null = the public resource pool. */
  dedicatedHostId?: string | null;
}

export const JOB_TYPES: Record<JobKind, { job: string; sub: string }> = {
  start: { job: "batchStartServers", sub: "startServer" },
  stop: { job: "batchStopServers", sub: "stopServer" },
  reboot: { job: "batchRebootServers", sub: "rebootServer" },
  resize: { job: "resizeServer", sub: "resizeServer" },
  delete: { job: "deleteServers", sub: "deleteServer" },
  reinstall: { job: "reinstallOS", sub: "reinstallOS" },
  changeos: { job: "changeOS", sub: "changeOS" },
  attach: { job: "attachVolume", sub: "attachSingleVolume" },
  detach: { job: "detachVolume", sub: "detachSingleVolume" },
  migrate: { job: "migrateServer", sub: "migrateServer" },
};

/** Action names of `os-instance-actions` (doc, Table 6-209). */
export const ACTION_NAMES: Record<JobKind, string> = {
  start: "start",
  stop: "stop",
  reboot: "reboot",
  resize: "resize",
  delete: "delete",
  reinstall: "rebuild",
  changeos: "rebuild",
  attach: "attach_volume",
  detach: "detach_volume",
  migrate: "migrate",
};

/** Jobs about one server report it in `entities.server_id` (doc, Table 5-64). */
export const SINGLE_SERVER_KINDS: ReadonlySet<JobKind> = new Set([
  "resize",
  "reinstall",
  "changeos",
  "attach",
  "detach",
  "migrate",
]);

/** Kinds that pass through VERIFY_RESIZE before they end (Nova's resize and cold migration). */
export const VERIFYING_KINDS: ReadonlySet<JobKind> = new Set(["resize", "migrate"]);

export const INJECTED_DEFAULTS: Record<JobKind, { code: string; reason: string }> = {
  start: { code: "Ecs.0226", reason: "Failed to start the ECS." },
  stop: {
    code: "Ecs.1000",
    reason: "A system exception occurred. Try again later or contact customer service.",
  },
  reboot: { code: "Ecs.0227", reason: "Failed to restart the ECS." },
  resize: { code: "Ecs.0207", reason: "Failed to modify the ECS specifications." },
  delete: { code: "Ecs.0501", reason: "Failed to delete the ECS." },
  reinstall: { code: "Ecs.0202", reason: "Failed to create the system disk." },
  changeos: { code: "Ecs.0202", reason: "Failed to create the system disk." },
  attach: { code: "Ecs.0205", reason: "Failed to attach the data disk." },
  detach: {
    code: "Ecs.1000",
    reason: "A system exception occurred. Try again later or contact customer service.",
  },
  migrate: { code: "Ecs.0319", reason: "Insufficient resources for this flavor. Try another flavor." },
};

/** Statuses from which an action can run; undefined = any. */
export function allowedStatuses(kind: JobKind, params: JobParams): SimServer["status"][] | undefined {
  switch (kind) {
    case "start":
      return ["SHUTOFF"];
    case "stop":
    case "reboot":
      // A forced (HARD) stop or restart also recovers an ECS in ERROR.
      return params.type === "HARD" ? ["ACTIVE", "ERROR"] : ["ACTIVE"];
    case "resize":
    case "migrate":
      return ["SHUTOFF"];
    case "reinstall":
    case "changeos":
      // ERROR only after a failed reinstall or OS change (5.2.1/5.2.2), which the route checks: the only
      // way such a job is created.
      return params.stopFirst ? ["SHUTOFF", "ACTIVE", "ERROR"] : ["SHUTOFF", "ERROR"];
    case "attach":
    case "detach":
      return ["ACTIVE", "SHUTOFF"];
    case "delete":
      return undefined;
  }
}

/**
 * The status a server's failed (injected) sub-job leaves it in: a failed reinstall or OS change leaves the
 * ECS in ERROR (vm_state `error`), from which 5.2.1/5.2.2 allow reinstalling or changing the OS again;
 * every other failure puts the server back in the status it started from.
 */
export function statusAfterFailure(
  kind: JobKind,
  startedFrom: SimServer["status"] | null,
): SimServer["status"] {
  if (kind === "reinstall" || kind === "changeos") return "ERROR";
  return startedFrom ?? "ACTIVE";
}

/** Transitional state while a job runs (doc, Table A-4: vm_state + task_state -> status). */
export function enterTransition(server: SimServer, kind: JobKind, params: JobParams): void {
  switch (kind) {
    case "start":
      server.taskState = "powering-on";
      return;
    case "stop":
      server.taskState = "powering-off";
      return;
    case "reboot":
      if (params.type === "HARD") {
        Object.assign(server, { status: "HARD_REBOOT", vmState: "active", taskState: "reboot_started_hard" });
      } else {
        Object.assign(server, { status: "REBOOT", vmState: "active", taskState: "reboot_started" });
      }
      return;
    case "resize":
      Object.assign(server, { status: "RESIZE", vmState: "stopped", taskState: "resize_migrating" });
      return;
    case "delete":
      server.taskState = "deleting";
      return;
    case "reinstall":
    case "changeos":
      // vm_state stays (active or stopped) while rebuilding: Table A-4 maps both to REBUILD.
      Object.assign(server, { status: "REBUILD", taskState: "rebuilding" });
      return;
    case "migrate":
      // A cold migration is Nova's resize to the same flavor: stopped + resize_migrating = RESIZE.
      Object.assign(server, { status: "RESIZE", vmState: "stopped", taskState: "resize_migrating" });
      return;
    case "attach":
    case "detach":
      // Disk operations leave the ECS status alone (the disk itself is attaching/detaching).
      return;
  }
}

/** 32 hex digits as a UUID (8-4-4-4-12). */
export function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
