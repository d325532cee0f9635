import { type PortSpec, toPort } from "./build-machine.js";
import { SimControlError } from "./control-error.js";
import { renderScanTask, scanTaskStatus } from "./create-hss-routes.js";
import type {
  AddPortSpec,
  HostPatch,
  HostView,
  HssControl,
  PortView,
  ScanFailureSpec,
  ScanHostSpec,
  ScanTaskView,
} from "./hss-control.js";
import { effectiveAgentStatus } from "./list-hss-hosts.js";
import type { SimCore } from "./sim-core.js";
import type { SimHost, SimPort, SimScanHost, SimScanTask, SimServer } from "./world-types.js";

export type {
  AddPortSpec,
  AddScanTaskSpec,
  FinishScanTaskOptions,
  HostPatch,
  HostView,
  HssControl,
  PortView,
  ScanFailureSpec,
  ScanHostRef,
  ScanHostSpec,
  ScanTaskView,
} from "./hss-control.js";

/**
 * The HSS part of {@link SimulatorControl}. `settle` brings jobs up to the simulator's time before a read;
 * `requireHost` finds a server's HSS host or throws 404.
 */
export function createHssControl(
  core: SimCore,
  settle: () => void,
  requireHost: (id: string) => { host: SimHost; server: SimServer },
): HssControl {
  return {
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
    scanTasks: () => core.store.scanTasks().map(scanTaskView),
    scanTask(id) {
      const t = core.store.scanTask(id);
      return t ? scanTaskView(t) : undefined;
    },
    addScanTask(spec) {
      settle();
      if (!isObject(spec)) throw new SimControlError(400, "scan task spec must be an object");
      if (spec.id !== undefined && (typeof spec.id !== "string" || !/^[\w-]+$/.test(spec.id)))
        throw new SimControlError(400, "id must be letters, digits, _ or -");
      if (spec.id !== undefined && core.store.scanTask(spec.id))
        throw new SimControlError(409, `scan task ${spec.id} exists`);
      if (spec.scanType !== undefined && spec.scanType !== "manual" && spec.scanType !== "schedule")
        throw new SimControlError(400, "scanType must be manual or schedule");
      if (spec.status !== undefined && spec.status !== "running" && spec.status !== "finished")
        throw new SimControlError(400, "status must be running or finished");
      if (
        spec.vulTypes !== undefined &&
        (!Array.isArray(spec.vulTypes) ||
          spec.vulTypes.length === 0 ||
          spec.vulTypes.some((v) => typeof v !== "string" || v === ""))
      ) {
        throw new SimControlError(400, "vulTypes must be a non-empty array of strings");
      }
      if (spec.startTime !== undefined && (!Number.isInteger(spec.startTime) || spec.startTime < 0))
        throw new SimControlError(400, "startTime must be a ms timestamp");
      if (!Array.isArray(spec.hosts)) throw new SimControlError(400, "hosts must be an array");
      const status = spec.status ?? "running";
      const vulTypes = spec.vulTypes ? [...spec.vulTypes] : ["linux_vul"];
      const seen = new Set<string>();
      const hosts = spec.hosts.map((h): SimScanHost => {
        const hs: ScanHostSpec = typeof h === "string" ? { host: h } : h;
        if (!isObject(hs) || typeof hs.host !== "string")
          throw new SimControlError(
            400,
            "each host is a server ID/name or { host, scanStatus?, failedReasons? }",
          );
        const server = core.store.server(hs.host) ?? core.store.servers().find((x) => x.name === hs.host);
        const host = server && core.store.host(server.id);
        if (!server || !host) throw new SimControlError(404, `no HSS host ${hs.host}`);
        if (seen.has(server.id)) throw new SimControlError(400, `host ${hs.host} is listed twice`);
        seen.add(server.id);
        const scanStatus = hs.scanStatus ?? (status === "running" ? "scanning" : "success");
        if (!SCAN_STATUSES.includes(scanStatus))
          throw new SimControlError(400, "scanStatus must be scanning, success or failed");
        if (scanStatus === "scanning" && status === "finished")
          throw new SimControlError(400, "a finished task cannot have scanning hosts");
        if (scanStatus !== "failed" && hs.failedReasons !== undefined)
          throw new SimControlError(400, "failedReasons only apply to failed hosts");
        return {
          hostId: server.id,
          hostName: server.name,
          publicIp: server.publicIp ?? "",
          privateIp: server.privateIp,
          assetValue: host.assetValue,
          scanStatus,
          failedReasons: scanStatus === "failed" ? checkReasons(hs.failedReasons, vulTypes) : [],
        };
      });
      const now = core.now();
      const task: SimScanTask = {
        id: spec.id ?? core.addPrng.hex(32),
        scanType: spec.scanType ?? "manual",
        status,
        startTime: spec.startTime ?? now,
        endTime: status === "finished" ? now : -1,
        vulTypes,
        hosts,
      };
      core.store.addScanTask(task);
      return scanTaskView(task);
    },
    finishScanTask(id, options = {}) {
      settle();
      const task = core.store.scanTask(id);
      if (!task) throw new SimControlError(404, `no scan task ${id}`);
      if (!isObject(options)) throw new SimControlError(400, "options must be an object");
      if (scanTaskStatus(task) === "finished")
        throw new SimControlError(409, `scan task ${id} is already finished`);
      const status = options.status ?? "finished";
      if (status !== "running" && status !== "finished")
        throw new SimControlError(400, "status must be running or finished");
      if (options.failed !== undefined && !Array.isArray(options.failed))
        throw new SimControlError(400, "failed must be an array");
      if (options.succeeded !== undefined && !Array.isArray(options.succeeded))
        throw new SimControlError(400, "succeeded must be an array");
      const find = (ref: unknown): SimScanHost => {
        if (typeof ref !== "string") throw new SimControlError(400, "hosts are named by ID or name");
        const h = task.hosts.find((x) => x.hostId === ref) ?? task.hosts.find((x) => x.hostName === ref);
        if (!h) throw new SimControlError(400, `host ${ref} is not part of scan task ${id}`);
        return h;
      };
      const outcomes = new Map<SimScanHost, SimScanHost["failedReasons"] | null>();
      for (const ref of options.failed ?? []) {
        const r = typeof ref === "string" ? { host: ref } : ref;
        if (!isObject(r))
          throw new SimControlError(400, "each failed host is a name/ID or { host, failedReasons? }");
        const h = find(r.host);
        if (outcomes.has(h)) throw new SimControlError(400, `host ${r.host} is listed twice`);
        outcomes.set(h, checkReasons(r.failedReasons, task.vulTypes));
      }
      for (const ref of options.succeeded ?? []) {
        const h = find(ref);
        if (outcomes.has(h)) throw new SimControlError(400, `host ${ref} is listed twice`);
        outcomes.set(h, null);
      }
      // Validated in full above: apply only now, so a rejected call changes nothing.
      for (const [h, reasons] of outcomes) {
        h.scanStatus = reasons ? "failed" : "success";
        h.failedReasons = reasons ?? [];
      }
      if (status === "finished") {
        for (const h of task.hosts) if (h.scanStatus === "scanning") h.scanStatus = "success";
        task.endTime = core.now();
      }
      task.status = status;
      return scanTaskView(task);
    },
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
    asset: host.asset,
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

function scanTaskView(t: SimScanTask): ScanTaskView {
  const r = renderScanTask(t);
  return {
    id: t.id,
    status: scanTaskStatus(t),
    vulTypes: [...t.vulTypes],
    hostCount: t.hosts.length,
    succeeded: r.success_host_num as number,
    failed: r.failed_host_num as number,
    scanning: r.scanning_host_num as number,
  };
}

const SCAN_STATUSES: readonly string[] = ["scanning", "success", "failed"];
const DEFAULT_FAILURE = "Scan failed.";

function checkReasons(value: unknown, vulTypes: readonly string[]): SimScanHost["failedReasons"] {
  if (value === undefined) return [{ vulType: vulTypes[0] ?? "linux_vul", failedReason: DEFAULT_FAILURE }];
  if (!Array.isArray(value) || value.length === 0)
    throw new SimControlError(400, "failedReasons must be a non-empty array");
  return value.map((r: unknown) => {
    const reason = r as ScanFailureSpec;
    if (!isObject(r) || typeof reason.failedReason !== "string" || reason.failedReason === "")
      throw new SimControlError(400, "each failed reason needs a failedReason string");
    if (reason.vulType !== undefined && typeof reason.vulType !== "string")
      throw new SimControlError(400, "vulType must be a string");
    return { vulType: reason.vulType ?? vulTypes[0] ?? "linux_vul", failedReason: reason.failedReason };
  });
}

/** A plain object (not null, not an array): what every spec and patch must be. */
export function isObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Checks a port spec of the control interface (port 1-65535, a path, type and status if given), or throws a 400. */
export function checkPort(spec: AddPortSpec): PortSpec {
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

/** The values a host patch may set for each enumerated field (what the real HSS reports, nothing else). */
const HOST_ENUMS: Partial<Record<keyof HostPatch, readonly string[]>> = {
  agentStatus: ["online", "offline", "not_installed", "install_failed", "installing"],
  protectStatus: ["opened", "closed", "protection_exception"],
  detectResult: ["undetected", "clean", "risk", "scanning"],
  assetValue: ["important", "common", "test"],
};

/** Checks `patch` in full (throws a 400 on any bad field), then applies its defined fields to `host`. */
export function applyHostPatch(host: SimHost, patch: HostPatch): void {
  if (!isObject(patch)) throw new SimControlError(400, "host patch must be an object");
  for (const key of ["vulnerability", "baseline", "intrusion", "asset"] as const) {
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
