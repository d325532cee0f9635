export type {
  DropAfterCommit,
  FailRequestsOptions,
  FaultSettings,
  PathMatch,
} from "./create-fault-injector.js";
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
} from "./create-hss-control.js";
export type {
  FailJobOptions,
  JobKind,
  JobStatus,
  JobSummary,
  JobTiming,
  SubJobSummary,
} from "./create-job-engine.js";
export { createManualClock } from "./create-manual-clock.js";
export type { LoggedMutation, RequestLogEntry } from "./create-request-log.js";
export type {
  AttachDiskSpec,
  NicView,
  QuotaView,
  ResourceControl,
  ServerGroupView,
  VolumeView,
} from "./create-resource-control.js";
export type {
  AddServerSpec,
  FlavorView,
  ServerPatch,
  ServerView,
  SimulatorControl,
} from "./create-simulator-control.js";
export { SimControlError } from "./create-simulator-control.js";
export { FLAVOR_CATALOG } from "./flavor-catalog.js";
export { ADMIN_PREFIX } from "./handle-admin-request.js";
export type { ManualClock, SimClock } from "./sim-clock.js";
export { systemClock } from "./sim-clock.js";
export type { SimulatorCloudOptions, SimulatorEndpoints } from "./simulator-cloud-config.js";
export { simulatorCloudConfig, simulatorCloudEnv } from "./simulator-cloud-config.js";
export type { CloudSimulator, CloudSimulatorOptions } from "./start-cloud-simulator.js";
export { SIM_DEFAULTS, startCloudSimulator } from "./start-cloud-simulator.js";
export type { AgentStatus, PortStatus, ServerStatus } from "./world-types.js";
