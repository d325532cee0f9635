import type { ChatPort } from "../app/ports.js";
import { ApprovalIdSchema } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { ActionHandler } from "../commands/types.js";
import type { Message } from "../render/message-model.js";
import { type Clock, NO_CHANGE, type Store } from "../store/store.js";
import { buildWaveControlReply } from "../views/build-wave-views.js";
import { parseWaveActionId } from "../waves/wave-action-ids.js";
import { type WaveRunRecord, WaveRunRecordSchema, waveRunKey } from "../waves/wave-run-record.js";
import { POLICY_ACTOR } from "./describe-request.js";
import { isListedApprover } from "./is-listed-approver.js";

export interface WaveClickDeps {
  approvals: Pick<ApprovalService, "get">;
  store: Store;
  audit: AuditLog;
  clock: Clock;
  learnChat: (chat: ChatPort) => void;
  /** Shows the new control state in the thread's wave list at once. */
  onWaves: (record: WaveRunRecord) => void;
}

/**
 * Pause / Resume / Abort of a run in waves. The clicker is authorized now, by user ID: the requester, anyone
 * who approved the request, or anyone the request's approval rules list as an approver (groups read now),
 * of the requester's team. The control is one CAS on the wave record, audited; the driver (whichever replica
 * holds the run) reads it before each wave. Abort lets the running wave finish.
 */
export function createWaveClickHandler(deps: WaveClickDeps): ActionHandler {
  return async (action, ctx) => {
    deps.learnChat(ctx.chat);
    const tell = async (message: Message) => {
      try {
        if (ctx.responder) await ctx.responder.respond(message);
        else if (action.channelId !== undefined)
          await ctx.chat.postEphemeral(action.channelId, action.actor.userId, message);
      } catch (error) {
        ctx.logger.warn({ err: error }, "could not tell the clicking user");
      }
    };
    const verb = parseWaveActionId(action.actionId);
    const id = action.value ?? "";
    const request =
      verb !== undefined && ApprovalIdSchema.safeParse(id).success ? await deps.approvals.get(id) : undefined;
    const runId = request?.execution?.executionId;
    if (verb === undefined || request === undefined || runId === undefined) {
      await tell(buildWaveControlReply("unknown"));
      return;
    }
    const user = action.actor;
    const allowed =
      user.teamId === request.requester.teamId &&
      (user.userId === request.requester.userId ||
        request.approvals.some((a) => a.userId === user.userId && a.userId !== POLICY_ACTOR) ||
        isListedApprover(
          request.requirement,
          { ...user, groups: await ctx.chat.userGroupsOf(user.userId) },
          request.requester,
        ));
    const log = ctx.logger.child({ approval: id, run: runId, verb, user: user.userId });
    if (!allowed) {
      log.info("wave control refused: not the requester or an approver");
      await tell(buildWaveControlReply("not_allowed"));
      return;
    }
    const control = verb === "pause" ? "paused" : verb === "resume" ? "run" : "aborting";
    // Why nothing changed, read inside the update: the run ended (by an Abort or otherwise), someone is
    // aborting it, or it is already as asked.
    let seen: WaveRunRecord | undefined;
    const result = await deps.store.update<WaveRunRecord>(
      waveRunKey(runId),
      (current) => {
        if (current === undefined) return NO_CHANGE;
        const record = WaveRunRecordSchema.parse(current.value);
        seen = record;
        // Aborting is final: neither Pause nor Resume takes it back.
        if (record.status !== "running" || record.control === control || record.control === "aborting")
          return NO_CHANGE;
        return { ...record, control, controlBy: user.userId, controlAt: deps.clock.now() };
      },
      { retries: 10 },
    );
    if (!result.ok || (!result.changed && result.current === undefined)) {
      await tell(buildWaveControlReply("unknown"));
      return;
    }
    if (!result.changed) {
      await tell(unchangedReply(seen));
      return;
    }
    await deps.audit
      .record({
        type: "execution.step",
        actorId: user.userId,
        requestId: id,
        executionId: runId,
        message: `waves ${control === "run" ? "resumed" : control}`,
        detail: { phase: "waves_control", control },
      })
      .catch((error: unknown) => log.warn({ err: error }, "could not audit the wave control"));
    log.info({ control }, "wave control");
    deps.onWaves(result.value);
    await tell(
      buildWaveControlReply(verb === "pause" ? "paused" : verb === "resume" ? "resumed" : "aborting"),
    );
  };
}

/**
 * The answer to a click that changed nothing: a run a person aborted or is aborting says so (and by whom),
 * never "it is already so" to a Pause on an aborting run; any other finished run has nothing to steer.
 */
function unchangedReply(record: WaveRunRecord | undefined): Message {
  if (record === undefined) return buildWaveControlReply("unknown");
  const by = record.stop?.kind === "abort" ? (record.stop.by ?? record.controlBy) : record.controlBy;
  if (record.status === "running")
    return record.control === "aborting"
      ? buildWaveControlReply("being_aborted", by)
      : buildWaveControlReply("unchanged");
  // Aborted by a person (a record from before the reason was kept: a person's control was an Abort).
  if (
    record.status === "aborted" &&
    (record.stop?.kind === "abort" || (record.stop === undefined && record.controlBy !== undefined))
  )
    return buildWaveControlReply("aborted", by);
  return buildWaveControlReply("finished");
}
