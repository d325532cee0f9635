import { pino } from "pino";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { createAuditLog } from "../../../src/audit/create-audit-log.js";
import { createCloudClient } from "../../../src/cloud/create-cloud-client.js";
import type { CloudConfig } from "../../../src/cloud/load-cloud-config.js";
import {
  type CloudSimulator,
  createManualClock,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { createMemoryStore } from "../../../src/store/create-memory-store.js";
import type { Store } from "../../../src/store/store.js";
import type { FlowEvent } from "../../../src/workflow/flow-events.js";
import type { Operation } from "../../../src/workflow/flow-vocabulary.js";
import { loadFlows } from "../../../src/workflow/load-flows.js";
import type {
  ExecuteFlowDeps,
  ExecuteFlowSpec,
  FlowParameters,
  FlowSet,
  FlowTarget,
} from "../../../src/workflow/types.js";

/**
 * The simulated cloud on a manual clock, a real client pointed at it over loopback, a memory store and an
 * audit log on the simulator's time, and the shipped flows. Every sleep (client retries, job polling)
 * advances the simulator's clock, so jobs progress without wall time and runs are deterministic.
 */
export async function startWorkflowEnv() {
  const sim: CloudSimulator = await startCloudSimulator({
    clock: createManualClock(),
    jobTiming: { initMs: 200, runningMs: 1000 },
  });
  const sleep = async (ms: number) => {
    sim.control.advance(ms);
  };
  const config: CloudConfig = {
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  };
  const cloud = createCloudClient(config, { sleep });
  const clock = { now: () => sim.control.now() };
  const loaded = await loadFlows("flows");
  if (!loaded.ok) throw new Error(`shipped flows invalid: ${JSON.stringify(loaded.errors)}`);
  const flows: FlowSet = loaded.flows;
  const logger = pino({ level: "silent" });

  const env = {
    sim,
    cloud,
    clock,
    flows,
    sleep,
    logger,
    /** Fresh store, audit log and event list for one test. */
    fresh(store: Store = createMemoryStore({ clock })) {
      const events: FlowEvent[] = [];
      const audit = createAuditLog({ store, logger, clock });
      const deps: ExecuteFlowDeps = {
        cloud,
        flows,
        store,
        audit,
        clock,
        sleep,
        onEvent: (e) => {
          events.push(e);
        },
      };
      return { store, audit, events, deps };
    },
    id: (name: string) => {
      const s = sim.control.server(name);
      if (!s) throw new Error(`no server ${name}`);
      return s.id;
    },
    /** The approved pre-state of servers as they are now in the simulator. */
    targets: (...names: string[]): FlowTarget[] =>
      names.map((name) => {
        const s = sim.control.server(name)!;
        return { id: s.id, name: s.name, status: s.status, flavor: s.flavorId };
      }),
    /** Mutating requests (POST/DELETE) the simulator received. */
    mutations: () => sim.control.requests().filter((r) => r.method === "POST" || r.method === "DELETE"),
    async close() {
      await cloud.close();
      await sim.close();
    },
  };
  return env;
}

export type WorkflowEnv = Awaited<ReturnType<typeof startWorkflowEnv>>;

/**
 * The file's environment: started before its tests, closed after them, the simulator reset before each test.
 * The object is filled in when the file starts, so use it inside tests and hooks only.
 */
export function useWorkflowEnv(): WorkflowEnv {
  const env = {} as WorkflowEnv;
  beforeAll(async () => {
    Object.assign(env, await startWorkflowEnv());
  });
  afterAll(async () => {
    await env.close?.();
  });
  beforeEach(() => {
    env.sim.control.reset();
  });
  return env;
}

/** Builds execution specs with fresh run and request IDs (`<prefix>-1`, `apr_<prefix>1`, …). */
export function createSpecFactory(prefix: string) {
  let seq = 0;
  return (operation: Operation, targets: FlowTarget[], parameters: FlowParameters = {}): ExecuteFlowSpec => {
    seq++;
    return {
      runId: `${prefix}-${seq}`,
      requestId: `apr_${prefix}${seq}`,
      operation,
      targets,
      parameters,
      actorId: "U0APPROVER",
    };
  };
}
