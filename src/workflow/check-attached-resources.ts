import { CloudError } from "../cloud/errors.js";
import { isSystemDisk } from "../cloud/find-system-disk.js";
import type { CloudClient, Server } from "../cloud/types.js";
import { plural } from "../render/escape-mrkdwn.js";
import type { AttachedEip, AttachedVolume, PreflightTarget } from "./preflight-types.js";
import type { FlowParameters } from "./types.js";
import { writePreflightProblem } from "./write-preflight-problem.js";

/**
 * Delete: the disks and EIPs attached to `server` (target `t`) and whether each is kept or goes with it (the
 * system disk always goes; data disks and EIPs as the request's parameters say), written onto the target with
 * a warning for each data disk deleted and EIP released. Attachments that cannot be read: a warning.
 */
export async function checkAttachedResources(
  ecs: Pick<CloudClient["ecs"], "listVolumeAttachments">,
  t: PreflightTarget,
  server: Server,
  params: FlowParameters,
  signal: AbortSignal | undefined,
): Promise<void> {
  const eips: AttachedEip[] = server.addresses
    .filter((a) => a.type === "floating")
    .map((a) => ({ address: a.addr, fate: params.deleteEip === true ? "released" : "kept" }));
  try {
    const attachments = await ecs.listVolumeAttachments(t.id, signal);
    const volumes: AttachedVolume[] = attachments.map((a) => {
      const system = isSystemDisk(a, attachments);
      return {
        id: a.volumeId,
        ...(a.device !== undefined && { device: a.device }),
        system,
        fate: system || params.deleteVolume === true ? "deleted" : "kept",
      };
    });
    t.attached = { volumes, eips };
    const dataDeleted = volumes.filter((v) => !v.system && v.fate === "deleted").length;
    if (dataDeleted > 0) {
      writePreflightProblem(
        t,
        "warning",
        "data_disks_deleted",
        `${t.name}: ${plural(dataDeleted, "data disk")} will be deleted`,
      );
    }
  } catch (err) {
    if (!(err instanceof CloudError)) throw err;
    t.attached = { unknown: `${err.code}: ${err.message}` };
    writePreflightProblem(
      t,
      "warning",
      "attachments_unreadable",
      `${t.name}: attached disks could not be read (${err.code})`,
    );
  }
  const released = eips.filter((e) => e.fate === "released").length;
  if (released > 0) {
    writePreflightProblem(
      t,
      "warning",
      "eips_released",
      `${t.name}: ${plural(released, "EIP")} will be released`,
    );
  }
}
