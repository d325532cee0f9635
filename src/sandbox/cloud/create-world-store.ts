import type { Machine, NetworkPlan } from "./build-machine.js";
import { FLAVOR_CATALOG } from "./flavor-catalog.js";
import type { GeneratedWorld } from "./generate-world.js";
import type {
  SimDisk,
  SimFlavor,
  SimHost,
  SimPort,
  SimQuotaLimits,
  SimScanTask,
  SimServer,
  SimServerGroup,
  SimVolume,
} from "./world-types.js";

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
  /**
   * Removes a server with its HSS host and ports; false when unknown. With `keepDataDisks`, disks
   * not deleted on termination become available EVS disks (a delete without `delete_volume`).
   */
  removeServer(id: string, options?: { keepDataDisks?: boolean }): boolean;
  /** EVS disks attached to no ECS, in creation order. */
  freeVolumes(): readonly SimVolume[];
  freeVolume(id: string): SimVolume | undefined;
  /** Throws when the ID is already a disk of the world. */
  addFreeVolume(volume: SimVolume): void;
  /** The ECS a disk is attached to, if any. */
  diskOwner(volumeId: string): string | undefined;
  /** Attaches a disk (an available one leaves the free list). */
  attachDisk(server: SimServer, disk: SimDisk): void;
  /** Replaces an attached disk by a new one in the same slot (a rebuilt system disk); the old one is gone. */
  replaceDisk(server: SimServer, oldId: string, disk: SimDisk): void;
  /** Detaches a disk, which becomes available; undefined when it is not attached to this server. */
  detachDisk(server: SimServer, volumeId: string): SimDisk | undefined;
  serverGroups(): readonly SimServerGroup[];
  serverGroup(id: string): SimServerGroup | undefined;
  addServerGroup(group: SimServerGroup): void;
  readonly dedicatedHostIds: readonly string[];
  readonly keyPairs: readonly string[];
  /** Mutable through the control interface. */
  quotaLimits: SimQuotaLimits;
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
  const free = new Map(world.resources.volumes.map((v) => [v.id, { ...v }]));
  const owners = new Map<string, string>();
  const groups = new Map(world.resources.serverGroups.map((g) => [g.id, { ...g, members: [...g.members] }]));
  let ordered: SimServer[] | null = null;

  const addMachine = (m: Machine): void => {
    if (servers.has(m.server.id)) throw new Error(`server ${m.server.id} already exists`);
    servers.set(m.server.id, m.server);
    hosts.set(m.host.hostId, m.host);
    ports.set(m.server.id, m.ports);
    for (const d of m.server.disks) owners.set(d.id, m.server.id);
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
    removeServer(id, options = {}) {
      const server = servers.get(id);
      if (!server) return false;
      servers.delete(id);
      hosts.delete(id);
      ports.delete(id);
      for (const d of server.disks) {
        owners.delete(d.id);
        if (options.keepDataDisks && !d.deleteOnTermination)
          free.set(d.id, { id: d.id, sizeGb: d.sizeGb, reservedBy: null });
      }
      for (const g of groups.values()) g.members = g.members.filter((m) => m !== id);
      ordered = null;
      return true;
    },
    freeVolumes: () => [...free.values()],
    freeVolume: (id) => free.get(id),
    addFreeVolume(volume) {
      if (free.has(volume.id) || owners.has(volume.id)) throw new Error(`disk ${volume.id} already exists`);
      free.set(volume.id, volume);
    },
    diskOwner: (volumeId) => owners.get(volumeId),
    attachDisk(server, disk) {
      free.delete(disk.id);
      server.disks.push(disk);
      owners.set(disk.id, server.id);
    },
    replaceDisk(server, oldId, disk) {
      const at = server.disks.findIndex((d) => d.id === oldId);
      if (at < 0) return;
      server.disks[at] = disk;
      owners.delete(oldId);
      owners.set(disk.id, server.id);
    },
    detachDisk(server, volumeId) {
      const at = server.disks.findIndex((d) => d.id === volumeId);
      if (at < 0) return undefined;
      const [disk] = server.disks.splice(at, 1);
      owners.delete(volumeId);
      free.set(volumeId, { id: volumeId, sizeGb: disk!.sizeGb, reservedBy: null });
      return disk;
    },
    serverGroups: () => [...groups.values()],
    serverGroup: (id) => groups.get(id),
    addServerGroup(group) {
      if (groups.has(group.id)) throw new Error(`server group ${group.id} already exists`);
      groups.set(group.id, group);
    },
    dedicatedHostIds: world.resources.dedicatedHostIds,
    keyPairs: world.resources.keyPairs,
    quotaLimits: { ...world.resources.quotaLimits },
    scanTasks: () => [...tasks.values()],
    scanTask: (id) => tasks.get(id),
    addScanTask(task) {
      if (tasks.has(task.id)) throw new Error(`scan task ${task.id} already exists`);
      tasks.set(task.id, task);
    },
  };
}
