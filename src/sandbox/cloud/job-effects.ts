import type { Prng } from "./create-prng.js";
import type { WorldStore } from "./create-world-store.js";
import type { JobParams } from "./job-kinds.js";
import { nextDataDevice } from "./next-data-device.js";
import type { SimDisk, SimServer, SimVolume } from "./world-types.js";

/** Reinstall / change OS: a new system disk from the (new) image, with the requested key pair. */
export function rebuildSystemDisk(store: WorldStore, prng: Prng, server: SimServer, params: JobParams): void {
  const old = server.disks.find((d) => d.bootIndex === 0);
  if (params.image) {
    server.image = params.image;
    const host = store.host(server.id);
    if (host) {
      Object.assign(host, {
        osType: params.image.osType,
        osName: params.image.osName,
        osVersion: params.image.osVersion,
        kernelVersion: params.image.kernelVersion,
        osImage: params.image.name,
      });
    }
  }
  if (params.keyName !== undefined) server.keyName = params.keyName;
  if (!old) return;
  store.replaceDisk(server, old.id, { ...old, id: prng.uuid() });
}

/**
 * The disk an available volume becomes once attached: the requested device or the next free one;
 * `/dev/vda` (or `sda`) on a server without a system disk makes it the system disk (boot index 0).
 */
export function diskForVolume(server: SimServer, volume: SimVolume, device?: string): SimDisk {
  const name = device ?? nextDataDevice(server);
  const asSystem = !server.disks.some((d) => d.bootIndex === 0) && /^\/dev\/[sv]da$/.test(name);
  return {
    id: volume.id,
    device: name,
    sizeGb: volume.sizeGb,
    bootIndex: asSystem ? 0 : Math.max(0, ...server.disks.map((d) => d.bootIndex)) + 1,
    bus: "virtio",
    pciAddress: `0000:02:${String(server.disks.length + 1).padStart(2, "0")}.0`,
    deleteOnTermination: asSystem,
  };
}

/** Attach: the reserved available disk joins the server. */
export function attachVolume(store: WorldStore, server: SimServer, params: JobParams): void {
  const volume = params.volumeId ? store.freeVolume(params.volumeId) : undefined;
  if (volume) store.attachDisk(server, diskForVolume(server, volume, params.device));
}
