/**
 * The preflight checks of the disks an operation touches: the system disk a reinstall or change of OS wipes
 * (refused without one), the disk an attach adds (the API's own dry run, which changes nothing) and the disk a
 * detach removes (never the system disk). Results are written onto the preflight targets, like the rest of
 * `checkOperationNeeds`.
 */
import { CloudError } from "../cloud/errors.js";
import { isSystemDisk } from "../cloud/find-system-disk.js";
import type { VolumeAttachment } from "../cloud/types.js";
import type { NeedsInput } from "./check-operation-needs.js";
import type { AttachedVolume, PreflightTarget } from "./preflight-types.js";
import { checkedServerOf, writePreflightProblem } from "./write-preflight-problem.js";

async function attachmentsOf(
  input: NeedsInput,
  t: PreflightTarget,
): Promise<VolumeAttachment[] | CloudError> {
  try {
    return await input.ecs.listVolumeAttachments(t.id, input.signal);
  } catch (err) {
    if (err instanceof CloudError) return err;
    throw err;
  }
}

/** Reinstall / change OS: the system disk is wiped (refused without one); data disks are kept. */
export async function checkSystemDisk(input: NeedsInput, t: PreflightTarget): Promise<void> {
  const attachments = await attachmentsOf(input, t);
  if (attachments instanceof CloudError) {
    t.attached = { unknown: `${attachments.code}: ${attachments.message}` };
    writePreflightProblem(
      t,
      "warning",
      "attachments_unreadable",
      `${t.name}: attached disks could not be read (${attachments.code})`,
    );
    return;
  }
  const volumes: AttachedVolume[] = attachments.map((a) => {
    const system = isSystemDisk(a, attachments);
    return {
      id: a.volumeId,
      ...(a.device !== undefined && { device: a.device }),
      system,
      fate: system ? "wiped" : "kept",
    };
  });
  t.attached = { volumes, eips: [] };
  if (!volumes.some((v) => v.system)) {
    writePreflightProblem(
      t,
      "blocking",
      "no_system_disk",
      `${t.name}: has no system disk to install on; attach one first`,
    );
  } else {
    writePreflightProblem(
      t,
      "warning",
      "system_disk_wiped",
      `${t.name}: everything on its system disk is lost; data disks are kept`,
    );
  }
}

/** Attach: not attached here already, and the API's own dry run accepts it. */
export async function checkAttachable(input: NeedsInput, t: PreflightTarget): Promise<void> {
  const volumeId = input.params.volumeId;
  if (volumeId === undefined) return;
  t.volume = { id: volumeId, ...(input.params.device !== undefined && { device: input.params.device }) };
  if (checkedServerOf(input, t).volumeIds.includes(volumeId)) {
    writePreflightProblem(
      t,
      "blocking",
      "volume_already_attached",
      `${t.name}: disk ${volumeId} is attached to it already`,
    );
    return;
  }
  try {
    await input.ecs.attachVolume(t.id, volumeId, {
      dryRun: true,
      ...(input.params.device !== undefined && { device: input.params.device }),
    });
  } catch (err) {
    if (err instanceof CloudError && !err.retryable && (err.status === undefined || err.status < 500)) {
      t.problems.push({
        severity: "blocking",
        code: "attach_rejected",
        serverId: t.id,
        message: `${t.name}: Huawei Cloud refuses to attach this disk: ${err.message}`,
        cloud: { code: err.code, ...(err.requestId !== undefined && { requestId: err.requestId }) },
      });
      return;
    }
    const why = err instanceof CloudError ? err.code : err instanceof Error ? err.message : String(err);
    writePreflightProblem(
      t,
      "warning",
      "attach_dry_run_unavailable",
      `${t.name}: Huawei Cloud could not check this attach in advance (${err instanceof CloudError ? `error ${why}` : why}); it may still refuse it when it runs`,
    );
  }
}

/**
 * Detach: the disk is attached to the server and is not its system disk. When the disks cannot be read the
 * detach is refused: nothing else can show that the disk is not the system disk.
 */
export async function checkDetachable(input: NeedsInput, t: PreflightTarget): Promise<void> {
  const volumeId = input.params.volumeId;
  if (volumeId === undefined) return;
  t.volume = { id: volumeId };
  const attachments = await attachmentsOf(input, t);
  if (attachments instanceof CloudError) {
    writePreflightProblem(
      t,
      "blocking",
      "attachments_unreadable",
      `${t.name}: its disks could not be read (${attachments.code}), so the disk cannot be shown not to be its system disk`,
    );
    return;
  }
  const disk = attachments.find((a) => a.volumeId === volumeId);
  if (disk === undefined) {
    writePreflightProblem(
      t,
      "blocking",
      "volume_not_attached",
      `${t.name}: disk ${volumeId} is not attached to it`,
    );
    return;
  }
  const system = isSystemDisk(disk, attachments);
  t.volume = { id: volumeId, ...(disk.device !== undefined && { device: disk.device }), system };
  if (system) {
    writePreflightProblem(
      t,
      "blocking",
      "system_disk_detach",
      `${t.name}: disk ${volumeId} is its system disk; detaching it is refused (the server could not boot)`,
    );
  }
}
