import { describe, expect, it } from "vitest";
import type { EcsApi, Server } from "../../src/cloud/types.js";
import { reconcileFromServers } from "../../src/workflow/reconcile-from-servers.js";

function server(id: string, status: string, extra: Partial<Server> = {}): Server {
  return {
    id,
    name: id,
    status,
    flavor: { id: "s6.small.1" },
    addresses: [],
    tags: [],
    metadata: {},
    volumeIds: [],
    securityGroups: [],
    taskState: null,
    ...extra,
  };
}

/** The ECS port, answering each server's reads in turn from its script (the last answer repeats). */
function scripted(scripts: Record<string, Server[]>): Pick<EcsApi, "getServer" | "listServersByIds"> {
  const calls = new Map<string, number>();
  const read = (id: string) => {
    const n = calls.get(id) ?? 0;
    calls.set(id, n + 1);
    const script = scripts[id] ?? [];
    return script[Math.min(n, script.length - 1)]!;
  };
  return {
    getServer: async (id) => read(id),
    listServersByIds: async (ids) => ids.map(read),
  };
}

function clock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

describe("reconcileFromServers", () => {
  it("a server in ERROR fails; one that began in ERROR (a reinstall retried) only once seen out of it", async () => {
    const results = await reconcileFromServers({
      ecs: scripted({
        // An ordinary server that went to ERROR: the call failed.
        a: [server("a", "ERROR", { fault: { message: "host down" } })],
        // Began in ERROR and never left it: the retry may not have arrived.
        b: [server("b", "ERROR")],
        // Began in ERROR, seen rebuilding, then ERROR again: the retry failed.
        c: [server("c", "ERROR"), server("c", "REBUILD", { taskState: "rebuilding" }), server("c", "ERROR")],
        // Began in ERROR and came back ACTIVE: the retry worked.
        d: [server("d", "ERROR"), server("d", "ACTIVE")],
      }),
      serverIds: ["a", "b", "c", "d"],
      expect: "reinstalled",
      parameters: {},
      startedInError: ["b", "c", "d"],
      deadline: 60_000,
      ...clock(),
    });
    expect(results.map((r) => [r.serverId, r.result])).toEqual([
      ["a", "failed"],
      ["b", "unknown"],
      ["c", "failed"],
      ["d", "succeeded"],
    ]);
  });

  it("a server that shows no change: its last state and how long the bot waited, never 'the deadline'", async () => {
    const [result] = await reconcileFromServers({
      ecs: scripted({ a: [server("a", "ACTIVE")] }),
      serverIds: ["a"],
      expect: "stopped",
      parameters: {},
      deadline: 15 * 60_000,
      ...clock(),
    });
    expect(result).toMatchObject({
      result: "unknown",
      status: "ACTIVE",
      reason: "still ACTIVE after 15m of waiting, not yet SHUTOFF; the call may not have arrived",
    });
  });
});
