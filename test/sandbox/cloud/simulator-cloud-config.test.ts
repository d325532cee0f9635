import { describe, expect, it } from "vitest";
import { loadCloudConfig } from "../../../src/cloud/load-cloud-config.js";
import { SIM_DEFAULTS, simulatorCloudConfig, simulatorCloudEnv } from "../../../src/sandbox/cloud/index.js";

const sim = {
  region: SIM_DEFAULTS.region,
  projectId: SIM_DEFAULTS.projectId,
  ak: SIM_DEFAULTS.ak,
  sk: SIM_DEFAULTS.sk,
  iamUser: { ...SIM_DEFAULTS.iamUser },
  ecsEndpoint: "http://127.0.0.1:4000",
  hssEndpoint: "http://127.0.0.1:4000",
  iamEndpoint: "http://127.0.0.1:4000",
};

describe("simulatorCloudConfig", () => {
  it("AK/SK, project and the simulator's endpoints, with the production defaults", () => {
    expect(simulatorCloudConfig(sim)).toEqual({
      region: sim.region,
      projectId: sim.projectId,
      auth: { kind: "aksk", ak: sim.ak, sk: sim.sk },
      endpoints: { ecs: sim.ecsEndpoint, hss: sim.hssEndpoint, iam: sim.iamEndpoint },
      hssEnterpriseProjectId: "all_granted_eps",
      connectTimeoutMs: 5000,
      requestTimeoutMs: 30000,
    });
  });

  it("IAM token auth and project lookup on request", () => {
    const config = simulatorCloudConfig(sim, { auth: "password", withProjectId: false });
    expect(config.auth).toEqual({
      kind: "password",
      domain: sim.iamUser.domain,
      username: sim.iamUser.name,
      password: sim.iamUser.password,
    });
    expect(config.projectId).toBeUndefined();
  });

  it("the environment passes the production loader unchanged", () => {
    const env = simulatorCloudEnv(sim);
    expect(env.HUAWEICLOUD_ECS_ENDPOINT).toBe(sim.ecsEndpoint);
    expect(loadCloudConfig(env)).toEqual({ ok: true, config: simulatorCloudConfig(sim) });
  });
});
