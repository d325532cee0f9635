import type { VolumeAttachment } from "./types.js";

/**
 * The system disk among an ECS's block devices: boot index 0 (doc Table 5-55: "0 indicates the
 * system disk"). Undefined when none has it, e.g. after the system disk was detached or when the
 * response carried no boot index; a caller about to detach must then not assume it is a data disk.
 */
export function findSystemDisk(attachments: readonly VolumeAttachment[]): VolumeAttachment | undefined {
  return attachments.find((a) => a.bootIndex === 0);
}
