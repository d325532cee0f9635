import { type CloudClientDeps, createCloudClient } from "../../../src/cloud/create-cloud-client.js";
import type { CloudConfig } from "../../../src/cloud/load-cloud-config.js";
import {
  type CloudSimulator,
  type CloudSimulatorOptions,
  createManualClock,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";

export interface SimClientOptions {
  sim?: CloudSimulatorOptions;
  auth?: "aksk" | "password";
  /** Configure the project ID (default) or let the client look it up. */
  withProjectId?: boolean;
  config?: Partial<CloudConfig>;
  deps?: CloudClientDeps;
  /** The client's clock (signing dates, token renewal) follows the simulator clock. */
  clientUsesSimClock?: boolean;
}

/**
 * Starts the simulated cloud on a manual clock and a client pointed at it. The client's sleep
 * advances the simulator clock (so Retry-After and job timing cost no wall time) and is recorded.
 */
export async function startSimClient(options: SimClientOptions = {}) {
  const sim: CloudSimulator = await startCloudSimulator({ clock: createManualClock(), ...options.sim });
  const sleeps: number[] = [];
  const config: CloudConfig = {
    ...simulatorCloudConfig(sim, { auth: options.auth, withProjectId: options.withProjectId }),
    connectTimeoutMs: 2000,
    requestTimeoutMs: 10_000,
    ...options.config,
  };
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    sim.control.advance(ms);
  };
  const now = options.clientUsesSimClock ? { now: () => sim.control.now() } : {};
  const client = createCloudClient(config, { sleep, ...now, ...options.deps });
  return {
    sim,
    client,
    config,
    sleeps,
    /** For `waitForJob`: the simulator's clock, advanced by sleeping. */
    clock: { now: () => sim.control.now(), sleep },
    async close() {
      await client.close();
      await sim.close();
    },
  };
}

export type SimClient = Awaited<ReturnType<typeof startSimClient>>;
