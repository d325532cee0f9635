import type { SimServer } from "./world-types.js";

/**
 * The device name ECS gives a data disk attached without one: the first free letter after `a`
 * (doc 5.6.1: "set them in alphabetical order"), on the bus the server already uses.
 */
export function nextDataDevice(server: SimServer): string {
  const prefix = server.disks.some((d) => d.device.startsWith("/dev/sd")) ? "/dev/sd" : "/dev/vd";
  const used = new Set(server.disks.map((d) => d.device));
  for (let c = 98; c <= 122; c++) {
    const device = `${prefix}${String.fromCharCode(c)}`;
    if (!used.has(device)) return device;
  }
  return `${prefix}z${server.disks.length}`;
}
