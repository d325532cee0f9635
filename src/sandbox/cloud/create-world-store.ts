import type { Machine, NetworkPlan } from "./build-machine.js";
import { FLAVOR_CATALOG } from "./flavor-catalog.js";
import type { GeneratedWorld } from "./generate-world.js";
import type { SimFlavor, SimHost, SimPort, SimScanTask, SimServer } from "./world-types.js";

/**
 * The mutable state of the simulated cloud, indexed for fast reads: servers by ID plus a cached
 * newest-first ordering (Nova's default sort), which only add/remove invalidate, so listing and
 * paginating a 10,000-server fleet does not re-sort on every request.
 */
export interface WorldStore {
  readonly availabilityZones: readonly string[];
  readonly plan: NetworkPlan;
  readonly flavors: ReadonlyMap<string, SimFlavor>;
  /** All servers, newest first (ties broken by ID, descending). Do not mutate the array. */
  servers(): readonly SimServer[];
  server(id: string): SimServer | undefined;
  host(id: string): SimHost | undefined;
  ports(hostId: string): SimPort[];
  addMachine(machine: Machine): void;
  /** Removes a server with its HSS host and ports; false when unknown. */
  removeServer(id: string): boolean;
  scanTasks(): readonly SimScanTask[];
  scanTask(id: string): SimScanTask | undefined;
  /** Appends a scan task (listed after the existing ones); throws when the ID exists. */
  addScanTask(task: SimScanTask): void;
}

export function createWorldStore(world: GeneratedWorld): WorldStore {
  const flavors = new Map(FLAVOR_CATALOG.map((f) => [f.id, f]));
  const servers = new Map<string, SimServer>();
  const hosts = new Map<string, SimHost>();
  const ports = new Map<string, SimPort[]>();
  const tasks = new Map(world.scanTasks.map((t) => [t.id, t]));
  let ordered: SimServer[] | null = null;

  const addMachine = (m: Machine): void => {
    if (servers.has(m.server.id)) throw new Error(`server ${m.server.id} already exists`);
    servers.set(m.server.id, m.server);
    hosts.set(m.host.hostId, m.host);
    ports.set(m.server.id, m.ports);
    ordered = null;
  };
  for (const m of world.machines) addMachine(m);

  return {
    availabilityZones: world.availabilityZones,
    plan: world.plan,
    flavors,
    servers() {
      if (!ordered) {
        ordered = [...servers.values()].sort((a, b) =>
          b.created !== a.created ? b.created - a.created : a.id < b.id ? 1 : a.id > b.id ? -1 : 0,
        );
      }
      return ordered;
    },
    server: (id) => servers.get(id),
    host: (id) => hosts.get(id),
    ports(hostId) {
      let list = ports.get(hostId);
      if (!list) {
        list = [];
        if (servers.has(hostId)) ports.set(hostId, list);
      }
      return list;
    },
    addMachine,
    removeServer(id) {
      if (!servers.delete(id)) return false;
      hosts.delete(id);
      ports.delete(id);
      ordered = null;
      return true;
    },
    scanTasks: () => [...tasks.values()],
    scanTask: (id) => tasks.get(id),
    addScanTask(task) {
      if (tasks.has(task.id)) throw new Error(`scan task ${task.id} already exists`);
      tasks.set(task.id, task);
    },
  };
}
