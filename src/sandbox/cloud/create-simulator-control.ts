import { buildMachine, stableState } from "./build-machine.js";
import { SimControlError } from "./control-error.js";
import type { FailRequestsOptions, FaultSettings } from "./create-fault-injector.js";
import {
  type AddPortSpec,
  applyHostPatch,
  checkPort,
  createHssControl,
  type HostPatch,
  type HssControl,
  isObject,
} from "./create-hss-control.js";
import type { FailJobOptions, JobSummary, JobTiming } from "./create-job-engine.js";
import { createPrng, deriveSeed } from "./create-prng.js";
import type { RequestLogEntry } from "./create-request-log.js";
import { createResourceControl, type ResourceControl } from "./create-resource-control.js";
import { OS_IMAGES, type OsImageKey } from "./os-images.js";
import { isManualClock } from "./sim-clock.js";
import type { SimCore } from "./sim-core.js";
import type { ServerStatus, SimHost, SimServer } from "./world-types.js";

export { SimControlError };

/** A server as the control interface shows it (a snapshot; changing it changes nothing). */
export interface ServerView {
  id: string;
  name: string;
  status: ServerStatus;
  vmState: string;
  taskState: string | null;
  powerState: number;
  flavorId: string;
  vcpus: number;
  ramMb: number;
  availabilityZone: string;
  privateIp: string;
  publicIp: string | null;
  tags: Record<string, string>;
  /** `bootIndex` 0 is the system disk. */
  disks: { id: string; device: string; sizeGb: number; bootIndex: number; deleteOnTermination: boolean }[];
  imageName: string;
  osType: "Linux" | "Windows";
  created: string;
  updated: string;
  /** The unfinished job holding this server, if any. */
  busyJobId: string | null;
  /** Nova `locked`: management operations are refused. */
  locked: boolean;
  keyName: string;
  imageId: string;
  securityGroups: string[];
  /** Dedicated host it runs on; null = public resource pool. */
  dedicatedHostId: string | null;
}

export interface ServerPatch {
  name?: string;
  /** Sets a stable state (vm_state/power_state follow); clears any task state. */
  status?: ServerStatus;
  /** Must be a flavor of the catalog. */
  flavorId?: string;
  /** Replaces all tags. */
  tags?: Record<string, string>;
  /** Binds (string) or unbinds (null) an EIP. */
  publicIp?: string | null;
  availabilityZone?: string;
  description?: string;
  /** Locks or unlocks the server (as Nova `lock`/`unlock` would, without an action record). */
  locked?: boolean;
  /** Puts the server on one of the world's dedicated hosts, or (null) in the public resource pool. */
  dedicatedHostId?: string | null;
}

export interface AddServerSpec {
  name: string;
  id?: string;
  flavorId?: string;
  status?: "ACTIVE" | "SHUTOFF" | "ERROR";
  availabilityZone?: string;
  tags?: Record<string, string>;
  /** Give the server an EIP. */
  publicIp?: boolean;
  image?: OsImageKey;
  /** Drives default open ports and disks (web, api, db, cache, worker, …). */
  role?: string;
  dataDisksGb?: number[];
  host?: HostPatch;
  /** Open ports; the role's defaults when omitted. */
  ports?: AddPortSpec[];
}

export interface FlavorView {
  id: string;
  vcpus: number;
  ramMb: number;
}

/**
 * In-process control of the simulated cloud (also served as JSON under `/__sim/`). Reads see jobs
 * settled up to the current simulator time. Unknown IDs and invalid values throw `SimControlError`.
 */
export interface SimulatorControl extends ResourceControl, HssControl {
  /** Simulator time (ms since epoch). */
  now(): number;
  /** Moves simulator time forward: jobs progress, tokens age, manual-clock timers fire. */
  advance(ms: number): void;
  /** All servers, newest first. */
  servers(): ServerView[];
  /** By ID, or by name (the first match when names are duplicated). */
  server(idOrName: string): ServerView | undefined;
  /** Every server with exactly this name. */
  findServers(name: string): ServerView[];
  setServer(id: string, patch: ServerPatch): ServerView;
  addServer(spec: AddServerSpec): ServerView;
  /** Removes a server at once (no job), with its HSS host and ports; false when unknown. */
  deleteServer(id: string): boolean;
  flavors(): FlavorView[];
  /** Makes the next job(s) fail, entirely or for the given servers only. */
  failNextJob(options?: FailJobOptions): void;
  clearJobFailures(): void;
  /** Jobs still on record (finished ones are purged after the retention period). */
  jobs(): JobSummary[];
  job(id: string): JobSummary | undefined;
  jobTiming(): JobTiming;
  setJobTiming(patch: Partial<JobTiming>): JobTiming;
  faults(): FaultSettings;
  /** Changes latency, 429/5xx rates and drop-after-commit; unspecified fields keep their value. */
  setFaults(patch: Partial<FaultSettings>): FaultSettings;
  /** The next `count` matching requests fail with `status` (429/5xx), or with a documented error `code`. */
  failNextRequests(options: FailRequestsOptions): void;
  clearFaults(): void;
  /** Cloud API requests received, oldest first (bounded). */
  requests(): RequestLogEntry[];
  clearRequests(): void;
  /** Regenerates the world from the seed and forgets jobs, faults and the request log. */
  reset(): void;
}

function serverView(core: SimCore, s: SimServer): ServerView {
  const flavor = core.store.flavors.get(s.flavorId);
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    vmState: s.vmState,
    taskState: s.taskState,
    powerState: s.powerState,
    flavorId: s.flavorId,
    vcpus: flavor?.vcpus ?? 0,
    ramMb: flavor?.ramMb ?? 0,
    availabilityZone: s.availabilityZone,
    privateIp: s.privateIp,
    publicIp: s.publicIp,
    tags: Object.fromEntries(s.tags.map((t) => [t.key, t.value])),
    disks: s.disks.map((d) => ({
      id: d.id,
      device: d.device,
      sizeGb: d.sizeGb,
      bootIndex: d.bootIndex,
      deleteOnTermination: d.deleteOnTermination,
    })),
    imageName: s.image.name,
    osType: s.image.osType,
    created: new Date(s.created).toISOString(),
    updated: new Date(s.updated).toISOString(),
    busyJobId: s.busyJobId,
    locked: s.locked,
    keyName: s.keyName,
    imageId: s.image.id,
    securityGroups: s.securityGroups.map((g) => g.name),
    dedicatedHostId: s.dedicatedHostId,
  };
}

const STATUSES: readonly ServerStatus[] = [
  "ACTIVE",
  "SHUTOFF",
  "BUILD",
  "ERROR",
  "REBOOT",
  "HARD_REBOOT",
  "RESIZE",
  "VERIFY_RESIZE",
  "REVERT_RESIZE",
  "MIGRATING",
  "REBUILD",
  "UNKNOWN",
];

export function createSimulatorControl(core: SimCore, regenerate: () => void): SimulatorControl {
  const settle = (): void => core.jobs.settle(core.now());
  const requireServer = (id: string): SimServer => {
    settle();
    const s = core.store.server(id);
    if (!s) throw new SimControlError(404, `no server ${id}`);
    return s;
  };
  const requireHost = (id: string): { host: SimHost; server: SimServer } => {
    const server = requireServer(id);
    const host = core.store.host(id);
    if (!host) throw new SimControlError(404, `no HSS host ${id}`);
    return { host, server };
  };
  const control: SimulatorControl = {
    ...createResourceControl(core, requireServer),
    ...createHssControl(core, settle, requireHost),
    now: () => core.now(),
    advance(ms) {
      if (!(ms >= 0) || !Number.isFinite(ms))
        throw new SimControlError(400, "advance needs a non-negative number of ms");
      if (isManualClock(core.clock)) core.clock.advance(ms);
      else core.clockOffset += ms;
      settle();
    },
    servers() {
      settle();
      return core.store.servers().map((s) => serverView(core, s));
    },
    server(idOrName) {
      settle();
      const s = core.store.server(idOrName) ?? core.store.servers().find((x) => x.name === idOrName);
      return s ? serverView(core, s) : undefined;
    },
    findServers(name) {
      settle();
      return core.store
        .servers()
        .filter((s) => s.name === name)
        .map((s) => serverView(core, s));
    },
    setServer(id, patch) {
      const s = requireServer(id);
      if (!isObject(patch)) throw new SimControlError(400, "patch must be an object");
      if (patch.name !== undefined && typeof patch.name !== "string")
        throw new SimControlError(400, "name must be a string");
      if (patch.tags !== undefined && !isObject(patch.tags))
        throw new SimControlError(400, "tags must be an object");
      if (patch.publicIp !== undefined && patch.publicIp !== null && typeof patch.publicIp !== "string") {
        throw new SimControlError(400, "publicIp must be a string or null");
      }
      if (patch.flavorId !== undefined && !core.store.flavors.has(patch.flavorId)) {
        throw new SimControlError(400, `unknown flavor ${patch.flavorId}`);
      }
      if (patch.status !== undefined && !STATUSES.includes(patch.status)) {
        throw new SimControlError(400, `unknown status ${patch.status}`);
      }
      if (
        patch.availabilityZone !== undefined &&
        !core.store.availabilityZones.includes(patch.availabilityZone)
      ) {
        throw new SimControlError(400, `unknown availability zone ${patch.availabilityZone}`);
      }
      if (patch.name !== undefined) s.name = patch.name;
      if (patch.flavorId !== undefined) s.flavorId = patch.flavorId;
      if (patch.status !== undefined)
        Object.assign(s, stableState(patch.status), { status: patch.status, taskState: null });
      if (patch.tags !== undefined)
        s.tags = Object.entries(patch.tags).map(([key, value]) => ({ key, value: String(value) }));
      if (patch.publicIp !== undefined) s.publicIp = patch.publicIp;
      if (patch.availabilityZone !== undefined) {
        s.availabilityZone = patch.availabilityZone;
        s.networkId = core.store.plan.networkIds[patch.availabilityZone] ?? s.networkId;
      }
      if (patch.locked !== undefined && typeof patch.locked !== "boolean")
        throw new SimControlError(400, "locked must be a boolean");
      if (
        patch.dedicatedHostId !== undefined &&
        patch.dedicatedHostId !== null &&
        !core.store.dedicatedHostIds.includes(patch.dedicatedHostId)
      )
        throw new SimControlError(400, `unknown dedicated host ${String(patch.dedicatedHostId)}`);
      if (patch.description !== undefined) s.description = patch.description;
      if (patch.locked !== undefined) s.locked = patch.locked;
      if (patch.dedicatedHostId !== undefined) s.dedicatedHostId = patch.dedicatedHostId;
      s.updated = core.now();
      return serverView(core, s);
    },
    addServer(spec) {
      settle();
      if (!isObject(spec) || typeof spec.name !== "string")
        throw new SimControlError(400, "name is required");
      if (spec.tags !== undefined && !isObject(spec.tags))
        throw new SimControlError(400, "tags must be an object");
      if (spec.ports !== undefined && !Array.isArray(spec.ports))
        throw new SimControlError(400, "ports must be an array");
      if (spec.status !== undefined && !["ACTIVE", "SHUTOFF", "ERROR"].includes(spec.status)) {
        throw new SimControlError(400, "status must be ACTIVE, SHUTOFF or ERROR");
      }
      if (
        spec.dataDisksGb !== undefined &&
        (!Array.isArray(spec.dataDisksGb) || spec.dataDisksGb.some((g) => !Number.isInteger(g) || g < 1))
      ) {
        throw new SimControlError(400, "dataDisksGb must be an array of positive integers");
      }
      if (spec.id !== undefined && core.store.server(spec.id))
        throw new SimControlError(409, `server ${spec.id} exists`);
      const flavorId = spec.flavorId ?? "s6.medium.2";
      if (!core.store.flavors.has(flavorId)) throw new SimControlError(400, `unknown flavor ${flavorId}`);
      const az = spec.availabilityZone ?? core.store.availabilityZones[0]!;
      if (!core.store.availabilityZones.includes(az))
        throw new SimControlError(400, `unknown availability zone ${az}`);
      if (spec.image !== undefined && !(spec.image in OS_IMAGES))
        throw new SimControlError(400, `unknown image ${spec.image}`);
      if (spec.host !== undefined) applyHostPatch({} as SimHost, spec.host);
      const tags = Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value: String(value) }));
      const machine = buildMachine(
        core.addPrng,
        {
          ...(spec.id ? { id: spec.id } : {}),
          name: spec.name,
          role: spec.role ?? "misc",
          flavorId,
          status: spec.status ?? "ACTIVE",
          availabilityZone: az,
          tags,
          image: spec.image ?? "ubuntu22",
          eip: spec.publicIp === true,
          dataDisksGb: spec.dataDisksGb ?? [],
          created: core.now(),
          ...(spec.ports ? { ports: spec.ports.map(checkPort) } : {}),
          ...(spec.host ? { hss: spec.host } : {}),
        },
        core.store.plan,
      );
      if (spec.host) applyHostPatch(machine.host, spec.host);
      core.store.addMachine(machine);
      return serverView(core, machine.server);
    },
    deleteServer(id) {
      settle();
      return core.store.removeServer(id);
    },
    flavors: () =>
      [...core.store.flavors.values()].map((f) => ({ id: f.id, vcpus: f.vcpus, ramMb: f.ramMb })),
    failNextJob: (options) => core.jobs.failNext(options),
    clearJobFailures: () => core.jobs.clearFailures(),
    jobs: () => core.jobs.list(core.now()),
    job: (id) => core.jobs.summary(id, core.now()),
    jobTiming: () => core.jobs.timing(),
    setJobTiming: (patch) => core.jobs.setTiming(patch),
    faults: () => core.faults.settings(),
    setFaults: (patch) => core.faults.update(patch),
    failNextRequests: (options) => core.faults.failNext(options),
    clearFaults: () => core.faults.clear(),
    requests: () => core.log.entries(),
    clearRequests: () => core.log.clear(),
    reset() {
      regenerate();
      core.addPrng = createPrng(deriveSeed(core.config.seed, "added"));
      core.faults.clear();
      core.log.clear();
    },
  };
  return control;
}
