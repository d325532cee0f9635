/** Public surface of the Huawei Cloud client. */
export { type CloudClientDeps, createCloudClient } from "./create-cloud-client.js";
export { ECS_BATCH_LIMIT } from "./create-ecs-api.js";
export {
  DEFAULT_RETRY,
  defaultSleep,
  type RetryOptions,
  type TransportLogger,
} from "./create-transport.js";
export type * from "./ecs-operation-types.js";
export {
  CloudError,
  ErrorCodes,
  type InternalError,
  OutcomeUnknownError,
  type OutcomeUnknownReason,
  parseCloudError,
} from "./errors.js";
export { findSystemDisk, isSystemDisk } from "./find-system-disk.js";
export { isUnknownPortStatus } from "./hss-schemas.js";
export {
  CLOUD_ENV_VARS,
  type CloudAuth,
  type CloudConfig,
  CloudConfigError,
  type CloudEnvVar,
  type ConfigIssue,
  loadCloudConfig,
  loadCloudConfigOrThrow,
} from "./load-cloud-config.js";
export type * from "./types.js";
export {
  type ExpectedOutcome,
  type JobProgress,
  type JobWaitResult,
  type ServerJobResult,
  type ServerStateResult,
  serverResultsOf,
  type WaitForJobOptions,
  waitForJob,
} from "./wait-for-job.js";
