import type { Actor } from "../app/ports.js";
import type { HandlerContext, ScheduleIntent } from "../commands/types.js";
import { actionForType } from "../intents/index.js";
import { buildPolicyRefusalView, refusalReasonOf } from "../operations/build-policy-refusal-view.js";
import { evaluateQuestion } from "../operations/decide-policy.js";
import { isListedApprover } from "../operations/is-listed-approver.js";
import { code, localTime, type Message, md, userMention } from "../render/message-model.js";
import { abortUpdate, writeUpdate } from "../store/store.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { summarizeSchedule } from "./describe-schedule.js";
import type { ScheduleDeps } from "./schedule-deps.js";
import { readSchedule, SCHEDULES_SET, type Schedule, scheduleKey } from "./schedule-record.js";

type ChangeIntent = Extract<
  ScheduleIntent,
  { type: "ops.schedule.pause" | "ops.schedule.resume" | "ops.schedule.delete" }
>;

const VERBS = {
  "ops.schedule.pause": { verb: "pause", done: "paused", audit: "schedule.paused" },
  "ops.schedule.resume": { verb: "resume", done: "resumed", audit: "schedule.resumed" },
  "ops.schedule.delete": { verb: "delete", done: "deleted", audit: "schedule.deleted" },
} as const;

/**
 * Whether the user may pause, resume or delete the schedule, besides the policy: its owner, or one of its
 * approvers by the groups they are in now (same team). Having approved it once gives no lasting right: an
 * approver who left the approvers' group may no longer change it.
 */
function mayChange(schedule: Schedule, actor: Actor, groups: readonly string[]): boolean {
  if (actor.teamId !== schedule.owner.teamId) return false;
  if (actor.userId === schedule.owner.userId) return true;
  return isListedApprover({ approvers: schedule.approvers }, { ...actor, groups }, schedule.owner);
}

/**
 * `/ops schedule pause|resume|delete <id>`: decided by the policy (`ops:schedule:update`, as of now, with the
 * requester's groups read now; it allows or refuses, nothing waits for approval), then for the owner or one of
 * its approvers, same team. Every change and every refusal is audited. Resuming goes on from now.
 */
export async function changeSchedule(
  deps: ScheduleDeps,
  intent: ChangeIntent,
  ctx: HandlerContext,
): Promise<Message> {
  const { verb, done, audit } = VERBS[intent.type];
  const id = intent.scheduleId;
  const notFound = buildNoticeView(
    ":x:",
    md`There is no schedule ${code(id)}. ${code("/ops schedule list")} shows them.`,
  );
  const schedule = await readSchedule(deps.store, id);
  if (schedule === undefined) return notFound;
  const { actor, channelId, channelName } = ctx.request;
  const action = actionForType(intent.type);
  const groups = await ctx.chat.userGroupsOf(actor.userId);
  const decision = evaluateQuestion(
    deps.policy(),
    {
      action,
      requesterId: actor.userId,
      channel: { id: channelId, ...(channelName !== undefined && { name: channelName }) },
      targets: [],
      flags: {},
      at: deps.clock.now(),
    },
    [...groups],
  );
  const refused = buildPolicyRefusalView(decision, "schedule changes");
  const refusal = {
    actorId: actor.userId,
    teamId: actor.teamId,
    requesterId: schedule.owner.userId,
    action,
    ruleIds: decision.rules.map((r) => r.id),
  };
  if (refused !== undefined) {
    const why = refusalReasonOf(decision, "schedule changes") ?? "";
    await deps.audit.record({
      ...refusal,
      type: "policy.decided",
      decision: decision.effect,
      message: `not allowed to ${verb} schedule ${id}: ${schedule.commandLine}`,
      detail: { scheduleId: id, channel: channelId, reference: ctx.request.requestId, why },
    });
    ctx.logger.info({ schedule: id, rules: refusal.ruleIds }, `schedule ${verb} refused by the policy`);
    return refused;
  }
  if (!mayChange(schedule, actor, groups)) {
    await deps.audit.record({
      ...refusal,
      type: "request.refused",
      message: `not allowed to ${verb} schedule ${id}: ${schedule.commandLine}`,
      detail: {
        scheduleId: id,
        channel: channelId,
        reference: ctx.request.requestId,
        reason: "neither its owner nor one of its approvers",
      },
    });
    ctx.logger.info({ schedule: id }, `schedule ${verb} refused: not its owner or an approver`);
    return buildNoticeView(
      ":raised_hand:",
      md`Only the owner of schedule ${code(id)} (${userMention(schedule.owner.userId)}) or one of its approvers may ${verb} it.`,
    );
  }
  const now = deps.clock.now();
  const actorId = ctx.request.actor.userId;
  if (intent.type === "ops.schedule.delete") {
    const deleted = await deps.store.delete(scheduleKey(id));
    await deps.store.removeFromSet(SCHEDULES_SET, id);
    if (!deleted) return notFound;
  } else {
    const from = intent.type === "ops.schedule.pause" ? "active" : "paused";
    const result = await deps.store.update<Schedule, "gone" | "pending" | "already">(
      scheduleKey(id),
      (current) => {
        if (current === undefined) return abortUpdate("gone");
        const s = current.value;
        if (s.status === "pending") return abortUpdate("pending");
        if (s.status !== from) return abortUpdate("already");
        if (intent.type === "ops.schedule.pause")
          return writeUpdate({ ...s, status: "paused", pausedBy: actorId }, {});
        // Slots passed while paused are not missed runs: the schedule goes on from now.
        const { pausedBy: _paused, ...rest } = s;
        return writeUpdate({ ...rest, status: "active", lastSlotAt: Math.max(now, s.lastSlotAt ?? 0) }, {});
      },
      { retries: 20 },
    );
    if (!result.ok) {
      if (result.reason === "conflict") throw new Error(`schedule ${id}: too many concurrent changes`);
      if (result.detail === "gone") return notFound;
      if (result.detail === "pending")
        return buildNoticeView(
          ":x:",
          md`Schedule ${code(id)} is still waiting for approval; its card is in the channel.`,
        );
      return buildNoticeView(":information_source:", md`Schedule ${code(id)} is already ${done}.`);
    }
    if (!result.changed)
      return buildNoticeView(":information_source:", md`Schedule ${code(id)} is already ${done}.`);
  }
  await deps.audit.record({
    type: audit,
    actorId,
    teamId: ctx.request.actor.teamId,
    requesterId: schedule.owner.userId,
    requestId: schedule.requestId,
    action: schedule.action,
    message: `${done} schedule ${id}: ${schedule.commandLine}`,
    detail: { scheduleId: id, cron: schedule.cron, timeZone: schedule.timeZone },
  });
  ctx.logger.info({ schedule: id, by: actorId }, `schedule ${done}`);
  const next = summarizeSchedule(schedule, now).nextRuns[0];
  const tail =
    intent.type === "ops.schedule.pause"
      ? md` It runs nothing until ${code(`/ops schedule resume ${id}`)}.`
      : intent.type === "ops.schedule.resume"
        ? md` Next run: ${next !== undefined ? [localTime(next)] : md`none`}.`
        : md` It will not run again.`;
  return buildNoticeView(
    ":white_check_mark:",
    md`Schedule ${code(id)} (${code(schedule.commandLine)}) ${done}.${tail}`,
  );
}
