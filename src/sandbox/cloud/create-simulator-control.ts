import { buildMachine, type PortSpec, stableState, toPort } from "./build-machine.js";
import type { FailRequestsOptions, FaultSettings } from "./create-fault-injector.js";
import { effectiveAgentStatus, renderScanTask } from "./create-hss-routes.js";
import type { FailJobOptions, JobSummary, JobTiming } from "./create-job-engine.js";
import { createPrng, deriveSeed } from "./create-prng.js";
import type { RequestLogEntry } from "./create-request-log.js";
import { OS_IMAGES, type OsImageKey } from "./os-images.js";
import { isManualClock } from "./sim-clock.js";
import type { SimCore } from "./sim-core.js";
import type {
  AgentStatus,
  AssetValue,
  DetectResult,
  PortStatus,
  ProtectStatus,
  ServerStatus,
  SimHost,
  SimPort,
  SimServer,
} from "./world-types.js";

/** Thrown by the control interface for unknown IDs and invalid patches (the admin API maps `status`). */
export class SimControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = "SimControlError";
  }
}

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
  disks: { id: string; device: string; sizeGb: number; bootIndex: number }[];
  imageName: string;
  osType: "Linux" | "Windows";
  created: string;
  updated: string;
  /** The unfinished job holding this server, if any. */
  busyJobId: string | null;
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

export interface HostView {
  hostId: string;
  hostName: string;
  /** As HSS reports it (an online agent of a stopped server reads offline). */
  agentStatus: string;
  /** As stored. */
  storedAgentStatus: AgentStatus;
  protectStatus: ProtectStatus;
  version: string;
  detectResult: DetectResult;
  vulnerability: number;
  baseline: number;
  intrusion: number;
  assetValue: AssetValue;
  osType: "Linux" | "Windows";
  osName: string;
  osVersion: string;
  labels: string[];
}

export interface HostPatch {
  agentStatus?: AgentStatus;
  protectStatus?: ProtectStatus;
  version?: string;
  detectResult?: DetectResult;
  vulnerability?: number;
  baseline?: number;
  intrusion?: number;
  assetValue?: AssetValue;
  osName?: string;
  osVersion?: string;
  kernelVersion?: string;
  labels?: string[];
}

export interface AddPortSpec {
  port: number;
  type?: "TCP" | "UDP";
  laddr?: string;
  status?: PortStatus;
  pid?: number;
  path: string;
}

export interface PortView {
  hostId: string;
  port: number;
  type: "TCP" | "UDP";
  laddr: string;
  status: PortStatus;
  pid: number;
  path: string;
}

export interface FlavorView {
  id: string;
  vcpus: number;
  ramMb: number;
}

export interface ScanTaskView {
  id: string;
  status: "running" | "finished";
  vulTypes: string[];
  hostCount: number;
  succeeded: number;
  failed: number;
  scanning: number;
}

/**
 * In-process control of the simulated cloud (also served as JSON under `/__sim/`). Reads see jobs
 * settled up to the current simulator time. Unknown IDs and invalid values throw `SimControlError`.
 */
export interface SimulatorControl {
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
  host(id: string): HostView | undefined;
  setHost(id: string, patch: HostPatch): HostView;
  ports(hostId: string): PortView[];
  addPort(hostId: string, spec: AddPortSpec): PortView;
  scanTasks(): ScanTaskView[];
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
  /** The next `count` matching requests fail with `status`. */
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
    disks: s.disks.map((d) => ({ id: d.id, device: d.device, sizeGb: d.sizeGb, bootIndex: d.bootIndex })),
    imageName: s.image.name,
    osType: s.image.osType,
    created: new Date(s.created).toISOString(),
    updated: new Date(s.updated).toISOString(),
    busyJobId: s.busyJobId,
  };
}

function hostView(host: SimHost, server: SimServer): HostView {
  return {
    hostId: host.hostId,
    hostName: server.name,
    agentStatus: effectiveAgentStatus(host, server),
    storedAgentStatus: host.agentStatus,
    protectStatus: host.protectStatus,
    version: host.version,
    detectResult: host.detectResult,
    vulnerability: host.vulnerability,
    baseline: host.baseline,
    intrusion: host.intrusion,
    assetValue: host.assetValue,
    osType: host.osType,
    osName: host.osName,
    osVersion: host.osVersion,
    labels: [...host.labels],
  };
}

function portView(p: SimPort): PortView {
  return {
    hostId: p.hostId,
    port: p.port,
    type: p.type,
    laddr: p.laddr,
    status: p.status,
    pid: p.pid,
    path: p.path,
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

function isObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkPort(spec: AddPortSpec): PortSpec {
  if (!isObject(spec)) throw new SimControlError(400, "port spec must be an object");
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65_535) {
    throw new SimControlError(400, "port must be an integer in 1..65535");
  }
  if (typeof spec.path !== "string" || spec.path === "") throw new SimControlError(400, "path is required");
  if (spec.type !== undefined && spec.type !== "TCP" && spec.type !== "UDP") {
    throw new SimControlError(400, "type must be TCP or UDP");
  }
  if (spec.status !== undefined && !["danger", "unknow", "normal"].includes(spec.status)) {
    throw new SimControlError(400, "status must be danger, unknow or normal");
  }
  return { ...spec };
}

/** Builds the control interface over the shared core; `regenerate` rebuilds store + jobs for reset(). */
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
      if (patch.description !== undefined) s.description = patch.description;
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
    host(id) {
      settle();
      const server = core.store.server(id);
      const host = core.store.host(id);
      return server && host ? hostView(host, server) : undefined;
    },
    setHost(id, patch) {
      const { host, server } = requireHost(id);
      applyHostPatch(host, patch);
      return hostView(host, server);
    },
    ports(hostId) {
      requireHost(hostId);
      return core.store.ports(hostId).map(portView);
    },
    addPort(hostId, spec) {
      requireHost(hostId);
      const port = toPort(core.addPrng, hostId, checkPort(spec));
      core.store.ports(hostId).push(port);
      return portView(port);
    },
    scanTasks: () =>
      core.store.scanTasks().map((t) => {
        const r = renderScanTask(t);
        return {
          id: t.id,
          status: r.task_status as "running" | "finished",
          vulTypes: [...t.vulTypes],
          hostCount: t.hosts.length,
          succeeded: r.success_host_num as number,
          failed: r.failed_host_num as number,
          scanning: t.hosts.filter((h) => h.scanStatus === "scanning").length,
        };
      }),
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

const HOST_ENUMS: Partial<Record<keyof HostPatch, readonly string[]>> = {
  agentStatus: ["online", "offline", "not_installed", "install_failed", "installing"],
  protectStatus: ["opened", "closed", "protection_exception"],
  detectResult: ["undetected", "clean", "risk", "scanning"],
  assetValue: ["important", "common", "test"],
};

function applyHostPatch(host: SimHost, patch: HostPatch): void {
  if (!isObject(patch)) throw new SimControlError(400, "host patch must be an object");
  for (const key of ["vulnerability", "baseline", "intrusion"] as const) {
    const v = patch[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new SimControlError(400, `${key} must be an integer >= 0`);
    }
  }
  for (const [key, allowed] of Object.entries(HOST_ENUMS)) {
    const v = patch[key as keyof HostPatch];
    if (v !== undefined && !allowed.includes(v as string)) {
      throw new SimControlError(400, `${key} must be one of ${allowed.join(", ")}`);
    }
  }
  if (
    patch.labels !== undefined &&
    (!Array.isArray(patch.labels) || patch.labels.some((l) => typeof l !== "string"))
  ) {
    throw new SimControlError(400, "labels must be an array of strings");
  }
  const { labels, ...rest } = patch;
  Object.assign(host, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
  if (labels) host.labels = [...labels];
}
