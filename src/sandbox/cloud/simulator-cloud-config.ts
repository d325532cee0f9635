import { type CloudConfig, loadCloudConfigOrThrow } from "../../cloud/load-cloud-config.js";
import type { CloudSimulator } from "./start-cloud-simulator.js";

/** What of a running simulator the cloud client needs to reach it. */
export type SimulatorEndpoints = Pick<
  CloudSimulator,
  "region" | "projectId" | "ak" | "sk" | "iamUser" | "ecsEndpoint" | "hssEndpoint" | "iamEndpoint"
>;

export interface SimulatorCloudOptions {
  /** `aksk` (default): the simulator's AK/SK; `password`: its IAM user, so the client fetches a token. */
  auth?: "aksk" | "password";
  /** Default true; false leaves the project ID out, so the client looks it up through IAM. */
  withProjectId?: boolean;
}

/**
 * The `HUAWEICLOUD_*` environment that points the cloud client at a running simulator, for code that
 * configures the client the production way (a child process, `loadCloudConfig`).
 */
export function simulatorCloudEnv(
  sim: SimulatorEndpoints,
  options: SimulatorCloudOptions = {},
): Record<string, string> {
  const credentials: Record<string, string> =
    options.auth === "password"
      ? {
          HUAWEICLOUD_IAM_DOMAIN: sim.iamUser.domain,
          HUAWEICLOUD_IAM_USERNAME: sim.iamUser.name,
          HUAWEICLOUD_IAM_PASSWORD: sim.iamUser.password,
        }
      : { HUAWEICLOUD_SDK_AK: sim.ak, HUAWEICLOUD_SDK_SK: sim.sk };
  return {
    HUAWEICLOUD_SDK_REGION: sim.region,
    ...credentials,
    ...(options.withProjectId === false ? {} : { HUAWEICLOUD_SDK_PROJECT_ID: sim.projectId }),
    HUAWEICLOUD_ECS_ENDPOINT: sim.ecsEndpoint,
    HUAWEICLOUD_HSS_ENDPOINT: sim.hssEndpoint,
    HUAWEICLOUD_IAM_ENDPOINT: sim.iamEndpoint,
  };
}

/**
 * A `CloudConfig` for a running simulator, validated by `loadCloudConfig` exactly as the production
 * environment is (the defaults — timeouts, HSS enterprise project — are the production ones).
 * Throws `CloudConfigError` if the simulator's settings would not pass as an environment.
 */
export function simulatorCloudConfig(
  sim: SimulatorEndpoints,
  options: SimulatorCloudOptions = {},
): CloudConfig {
  return loadCloudConfigOrThrow(simulatorCloudEnv(sim, options));
}
