import type { ApprovalRequest } from "../approvals/approval-request.js";
import { POLICY_ACTOR } from "../operations/describe-request.js";
import { abortUpdate, NO_CHANGE, writeUpdate } from "../store/store.js";
import type { ScheduleDeps } from "./schedule-deps.js";
import { type Schedule, scheduleKey } from "./schedule-record.js";

export type ActivationResult = { ok: true; schedule: Schedule } | { ok: false; error: string };

/**
 * Makes a schedule active once its creation request is approved and claimed (the execution of an
 * `ops:schedule:create` request). Idempotent: a schedule already active stays as it is. Its first slot is the
 * first after now: nothing from before the approval runs late. The people whose approvals counted become its
 * approvers (they may pause, resume and delete it).
 */
export async function activateSchedule(
  deps: Pick<ScheduleDeps, "store" | "audit" | "clock">,
  request: ApprovalRequest,
): Promise<ActivationResult> {
  const id = request.parameters.scheduleId;
  if (typeof id !== "string") return { ok: false, error: "the request names no schedule" };
  const now = deps.clock.now();
  const approvedBy = request.approvals.map((a) => a.userId).filter((u) => u !== POLICY_ACTOR);
  const result = await deps.store.update<Schedule, string>(
    scheduleKey(id),
    (current) => {
      if (current === undefined) return abortUpdate("the schedule was deleted before it was approved");
      const s = current.value;
      if (s.requestId !== request.id) return abortUpdate("the schedule belongs to another request");
      if (s.status !== "pending") return NO_CHANGE;
      return writeUpdate({ ...s, status: "active", activatedAt: now, lastSlotAt: now, approvedBy }, {});
    },
    { retries: 20 },
  );
  if (!result.ok)
    return { ok: false, error: result.reason === "aborted" ? result.detail : "too many concurrent changes" };
  const schedule = result.changed ? result.value : (result.current?.value as Schedule);
  if (result.changed) {
    await deps.audit.record({
      type: "schedule.activated",
      actorId: approvedBy.at(-1) ?? POLICY_ACTOR,
      teamId: schedule.owner.teamId,
      requesterId: schedule.owner.userId,
      requestId: request.id,
      action: schedule.action,
      bindingHash: request.bindingHash,
      serverIds: request.targets.map((t) => t.id),
      message: `schedule ${id} active: ${schedule.commandLine} (${schedule.cron}, ${schedule.timeZone})`,
      detail: { scheduleId: id, maxTargets: schedule.maxTargets, approvedBy },
    });
  }
  return { ok: true, schedule };
}
