/**
 * The HSS side of the simulator's control interface as callers see it: the views of hosts, open ports
 * and scan tasks, the patches and specs that change them, and {@link HssControl} itself.
 */
import type { HostFacts } from "./build-machine.js";
import type {
  AgentStatus,
  AssetValue,
  DetectResult,
  PortStatus,
  ProtectStatus,
  ScanStatus,
} from "./world-types.js";

/** A host as the control shows it: its pinnable facts, with the agent status as HSS reports it. */
export interface HostView extends Omit<HostFacts, "agentStatus"> {
  hostId: string;
  hostName: string;
  /** As HSS reports it (an online agent of a stopped server reads offline). */
  agentStatus: string;
  /** As stored. */
  storedAgentStatus: AgentStatus;
  /** Asset risks (HSS's `asset`). */
  asset: number;
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
  /** Asset risks (HSS's `asset`). */
  asset?: number;
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

export interface ScanTaskView {
  id: string;
  status: "running" | "finished";
  vulTypes: string[];
  hostCount: number;
  succeeded: number;
  failed: number;
  scanning: number;
}

/** A failure reason of a scan host; `vulType` defaults to the task's first vulnerability type. */
export interface ScanFailureSpec {
  vulType?: string;
  failedReason: string;
}

/** One host of a scan task added through the control interface. */
export interface ScanHostSpec {
  /** Server ID or name; the server must have an HSS host. */
  host: string;
  /** Default: `scanning` in a running task, `success` in a finished one. */
  scanStatus?: ScanStatus;
  /** Only for `failed` hosts; default one generic reason. */
  failedReasons?: ScanFailureSpec[];
}

export interface AddScanTaskSpec {
  /** Default: a random 32-hex-digit ID. */
  id?: string;
  /** Default `manual`. */
  scanType?: "manual" | "schedule";
  /** Default `["linux_vul"]`. */
  vulTypes?: string[];
  /** Default `running`; a finished task cannot have `scanning` hosts. */
  status?: "running" | "finished";
  /** ms since epoch; default now. */
  startTime?: number;
  /** Server IDs/names (default status) or full specs. */
  hosts: (string | ScanHostSpec)[];
}

/** A host named in `finishScanTask`: by the host ID or name it has in the task. */
export type ScanHostRef = string | { host: string; failedReasons?: ScanFailureSpec[] };

export interface FinishScanTaskOptions {
  /**
   * Default `finished`: the task ends now and every host still scanning that is not listed in
   * `failed` succeeds. `running` only applies the listed host outcomes (progress of a running task).
   */
  status?: "running" | "finished";
  /** Hosts that failed, with reasons (default one generic reason). */
  failed?: ScanHostRef[];
  /** Hosts that succeeded. */
  succeeded?: string[];
}

/** The HSS side of the simulator's control interface: hosts, their open ports and vulnerability scan tasks. */
export interface HssControl {
  host(id: string): HostView | undefined;
  setHost(id: string, patch: HostPatch): HostView;
  ports(hostId: string): PortView[];
  addPort(hostId: string, spec: AddPortSpec): PortView;
  scanTasks(): ScanTaskView[];
  scanTask(id: string): ScanTaskView | undefined;
  /** Adds a vulnerability scan task over existing hosts (a snapshot of their names and IPs). */
  addScanTask(spec: AddScanTaskSpec): ScanTaskView;
  /** Sets the outcome of a running task's hosts and (by default) finishes it; 409 when already finished. */
  finishScanTask(id: string, options?: FinishScanTaskOptions): ScanTaskView;
}
