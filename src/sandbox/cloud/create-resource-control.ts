import { novaRequestId } from "./build-machine.js";
import { SimControlError } from "./control-error.js";
import { countQuotaUsage, type QuotaUsage } from "./count-quota-usage.js";
import { diskForVolume } from "./job-effects.js";
import type { SimCore } from "./sim-core.js";
import type { SimQuotaLimits, SimServer } from "./world-types.js";

/** An EVS disk not attached to any ECS. */
export interface VolumeView {
  id: string;
  sizeGb: number;
  /** The unfinished attach job that claimed it, if any. */
  reservedBy: string | null;
}

export interface AttachDiskSpec {
  /** An available disk; a new one of `sizeGb` when absent. */
  volumeId?: string;
  /** Size of a new disk (default 100 GB). */
  sizeGb?: number;
  /** Default: the next free `/dev/vdX`; `/dev/vda` on an ECS without one attaches a system disk. */
  device?: string;
}

export interface ServerGroupView {
  id: string;
  name: string;
  policies: string[];
  members: string[];
}

export interface NicView {
  portId: string;
  mac: string;
  networkId: string;
  ip: string;
}

/** Quota limits and the usage counted from the fleet. */
export interface QuotaView extends SimQuotaLimits, QuotaUsage {}

/**
 * Control of the resources around servers: disks, NICs, console lines, ECS groups, quotas. Changes
 * apply at once (no job); unknown IDs and invalid values throw `SimControlError`.
 */
export interface ResourceControl {
  /** Available EVS disks. */
  volumes(): VolumeView[];
  /** Adds an available disk (default 100 GB). */
  addVolume(spec?: { id?: string; sizeGb?: number }): VolumeView;
  /** Attaches a disk at once; returns the server's disks. */
  attachDisk(serverId: string, spec?: AttachDiskSpec): { id: string; device: string; bootIndex: number }[];
  /** Detaches a disk at once (the system disk too); it becomes available. */
  detachDisk(serverId: string, volumeId: string): VolumeView;
  /** Adds a NIC on the secondary subnet. */
  addNic(serverId: string): NicView;
  /** Appends lines to the server's console log (after the derived boot log). */
  appendConsoleOutput(serverId: string, lines: string[]): number;
  serverGroups(): ServerGroupView[];
  /** Adds an anti-affinity ECS group with these members (server IDs). */
  addServerGroup(spec: { name: string; members?: string[] }): ServerGroupView;
  /** Dedicated host IDs cold migration can target. */
  dedicatedHosts(): string[];
  quotas(): QuotaView;
  /** Changes quota limits (e.g. to bring the fleet near a limit). */
  setQuotas(patch: Partial<SimQuotaLimits>): QuotaView;
}

const isObject = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);

function volumeView(v: { id: string; sizeGb: number; reservedBy: string | null }): VolumeView {
  return { id: v.id, sizeGb: v.sizeGb, reservedBy: v.reservedBy };
}

/** `requireServer` settles jobs first; the reads here do the same, so they see what jobs have done by now. */
export function createResourceControl(
  core: SimCore,
  requireServer: (id: string) => SimServer,
): ResourceControl {
  const settle = (): void => core.jobs.settle(core.now());
  const idPattern = /^[\w-]+$/;
  const control: ResourceControl = {
    volumes() {
      settle();
      return core.store.freeVolumes().map(volumeView);
    },
    addVolume(spec = {}) {
      if (!isObject(spec)) throw new SimControlError(400, "volume spec must be an object");
      const sizeGb = spec.sizeGb ?? 100;
      if (!Number.isInteger(sizeGb) || sizeGb < 1)
        throw new SimControlError(400, "sizeGb must be a positive integer");
      if (spec.id !== undefined && (typeof spec.id !== "string" || !idPattern.test(spec.id)))
        throw new SimControlError(400, "id must be letters, digits, _ or -");
      const id = spec.id ?? core.addPrng.uuid();
      if (core.store.freeVolume(id) || core.store.diskOwner(id))
        throw new SimControlError(409, `disk ${id} exists`);
      const volume = { id, sizeGb, reservedBy: null };
      core.store.addFreeVolume(volume);
      return volumeView(volume);
    },
    attachDisk(serverId, spec = {}) {
      const server = requireServer(serverId);
      if (!isObject(spec)) throw new SimControlError(400, "disk spec must be an object");
      if (
        spec.device !== undefined &&
        (typeof spec.device !== "string" || !/^\/dev\/[a-z]+$/.test(spec.device))
      )
        throw new SimControlError(400, "device must look like /dev/vdb");
      if (spec.device !== undefined && server.disks.some((d) => d.device === spec.device))
        throw new SimControlError(409, `device ${spec.device} is in use`);
      const volume =
        spec.volumeId === undefined ? control.addVolume({ sizeGb: spec.sizeGb ?? 100 }) : undefined;
      const id = volume?.id ?? spec.volumeId!;
      const free = core.store.freeVolume(id);
      if (!free) throw new SimControlError(404, `no available disk ${id}`);
      if (free.reservedBy)
        throw new SimControlError(409, `disk ${id} is being attached by job ${free.reservedBy}`);
      core.store.attachDisk(server, diskForVolume(server, free, spec.device));
      server.updated = core.now();
      return server.disks.map((d) => ({ id: d.id, device: d.device, bootIndex: d.bootIndex }));
    },
    detachDisk(serverId, volumeId) {
      const server = requireServer(serverId);
      const disk = core.store.detachDisk(server, volumeId);
      if (!disk) throw new SimControlError(404, `disk ${volumeId} is not attached to ${serverId}`);
      server.updated = core.now();
      return volumeView(core.store.freeVolume(volumeId)!);
    },
    addNic(serverId) {
      const server = requireServer(serverId);
      const { plan } = core.store;
      const n = plan.nextSecondary++;
      const nic = {
        portId: core.addPrng.uuid(),
        mac: `fa:16:3e:${core.addPrng.hex(2)}:${core.addPrng.hex(2)}:${core.addPrng.hex(2)}`,
        networkId: plan.secondaryNetworkId,
        ip: `172.16.${Math.floor(n / 240) % 256}.${10 + (n % 240)}`,
      };
      server.extraNics.push(nic);
      server.actions.push({
        action: "attach_interface",
        requestId: novaRequestId(core.addPrng),
        startTime: core.now(),
        message: null,
      });
      server.updated = core.now();
      return { ...nic };
    },
    appendConsoleOutput(serverId, lines) {
      const server = requireServer(serverId);
      if (!Array.isArray(lines) || lines.some((l) => typeof l !== "string"))
        throw new SimControlError(400, "lines must be an array of strings");
      server.consoleLines.push(...lines.flatMap((l) => l.split("\n")));
      return server.consoleLines.length;
    },
    serverGroups() {
      settle();
      return core.store
        .serverGroups()
        .map((g) => ({ id: g.id, name: g.name, policies: [...g.policies], members: [...g.members] }));
    },
    addServerGroup(spec) {
      if (!isObject(spec) || typeof spec.name !== "string" || spec.name === "" || spec.name.length > 255)
        throw new SimControlError(400, "name must be 1 to 255 characters");
      const members = spec.members ?? [];
      if (!Array.isArray(members)) throw new SimControlError(400, "members must be an array of server IDs");
      for (const id of members) requireServer(id);
      if (members.length > core.store.quotaLimits.maxServerGroupMembers)
        throw new SimControlError(
          400,
          `an ECS group holds at most ${core.store.quotaLimits.maxServerGroupMembers} ECSs`,
        );
      const group = {
        id: core.addPrng.uuid(),
        name: spec.name,
        policies: ["anti-affinity"],
        members: [...new Set(members)],
      };
      core.store.addServerGroup(group);
      return { ...group, policies: [...group.policies], members: [...group.members] };
    },
    dedicatedHosts: () => [...core.store.dedicatedHostIds],
    quotas() {
      settle();
      return { ...core.store.quotaLimits, ...countQuotaUsage(core.store) };
    },
    setQuotas(patch) {
      if (!isObject(patch)) throw new SimControlError(400, "patch must be an object");
      const limits = core.store.quotaLimits;
      for (const [key, value] of Object.entries(patch)) {
        if (!(key in limits)) throw new SimControlError(400, `unknown quota ${key}`);
        if (!Number.isInteger(value) || (value as number) < -1)
          throw new SimControlError(400, `${key} must be an integer >= -1`);
      }
      Object.assign(limits, patch);
      return control.quotas();
    },
  };
  return control;
}
