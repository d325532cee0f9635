import type { VolumeAttachment } from "./types.js";

/**
 * The system disk among an ECS's block devices: boot index 0 (doc Table 5-55: "0 indicates the
 * system disk"). Undefined when none has it, e.g. after the system disk was detached or when the
 * response carried no boot index; a caller about to detach must then not assume it is a data disk.
 */
export function findSystemDisk(attachments: readonly VolumeAttachment[]): VolumeAttachment | undefined {
  return attachments.find((a) => a.bootIndex === 0);
}

/** The first device of a disk bus (`/dev/vda`, `/dev/sda`, `/dev/xvda`, `/dev/hda`). */
const FIRST_DEVICE = /^\/dev\/(x?vd|sd|hd)a$/;

/**
 * Whether `attachment` is the system disk of the ECS whose disks are `attachments`: the one with boot index 0
 * ({@link findSystemDisk}). Only when no disk carries a boot index at all does the device name decide (the
 * first device of a bus): the cautious reading, so a disk that may be the system disk is never taken for a
 * data disk. A disk with a non-zero boot index is a data disk whatever its device name.
 */
export function isSystemDisk(
  attachment: VolumeAttachment,
  attachments: readonly VolumeAttachment[],
): boolean {
  const system = findSystemDisk(attachments);
  if (system !== undefined) return attachment === system;
  return (
    attachment.bootIndex === undefined &&
    attachment.device !== undefined &&
    FIRST_DEVICE.test(attachment.device)
  );
}
