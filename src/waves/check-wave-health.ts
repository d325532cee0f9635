import { readHssHostsById } from "../cloud/read-hss-hosts-by-id.js";
import type { CloudClient } from "../cloud/types.js";
import type { Clock } from "../store/store.js";
import type { Operation } from "../workflow/flow-vocabulary.js";
import { readServers } from "../workflow/read-servers.js";
import { RunSuspendedError } from "../workflow/run-context.js";
import type { FlowTarget } from "../workflow/types.js";

/** The ECS status each server must show after a wave of `operation` (by server ID). */
export function expectedStatusOf(
  operation: Operation,
  targets: readonly FlowTarget[],
): (serverId: string) => string | undefined {
  const before = new Map(targets.map((t) => [t.id, t.status]));
  return (id) => {
    switch (operation) {
      case "start":
      case "reboot":
        return "ACTIVE";
      case "stop":
        return "SHUTOFF";
      default:
        // Resize, migrate…: the server ends as it was (a running one is started again).
        return before.get(id);
    }
  };
}

export interface WaveHealth {
  /** Servers not healthy by the deadline: not in the expected state, or their HSS agent not back online. */
  unhealthy: string[];
}

/**
 * The health gate after a wave: reads the servers (and, for those in `agentOnline`, their HSS hosts) until
 * every one is healthy or the deadline `until` (by the injected clock) passes. Reads only the wave's servers.
 */
export async function checkWaveHealth(
  deps: { cloud: Pick<CloudClient, "ecs" | "hss">; clock: Clock; signal?: AbortSignal },
  serverIds: readonly string[],
  expected: (serverId: string) => string | undefined,
  agentOnline: readonly string[],
  options: { until: number; pollMs: number; sleep: (ms: number, signal?: AbortSignal) => Promise<void> },
): Promise<WaveHealth> {
  // Servers that passed stay passed: each round reads only the ones still pending.
  let pending = [...serverIds];
  const agents = new Set(agentOnline);
  for (;;) {
    const checking = new Set(pending);
    const reads = await readServers(deps.cloud.ecs, pending, deps.signal);
    pending = pending.filter((id) => {
      const read = reads.get(id);
      const want = expected(id);
      return !(read?.kind === "found" && (want === undefined || read.server.status === want));
    });
    const waitingAgents = [...checking].filter((id) => agents.has(id) && !pending.includes(id));
    if (waitingAgents.length > 0) {
      const hosts = await readHssHostsById(deps.cloud.hss, waitingAgents, deps.signal);
      const back = hosts instanceof Map ? hosts : new Map();
      for (const id of waitingAgents) if (back.get(id)?.agentStatus !== "online") pending.push(id);
    }
    if (pending.length === 0 || deps.clock.now() >= options.until) return { unhealthy: pending };
    await options.sleep(Math.max(1, Math.min(options.pollMs, options.until - deps.clock.now())), deps.signal);
    if (deps.signal?.aborted) throw new RunSuspendedError("health gate");
  }
}
