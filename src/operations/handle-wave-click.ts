import type { ChatPort } from "../app/ports.js";
import { ApprovalIdSchema } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditEntryInput } from "../audit/audit-entry.js";
import type { AuditLog, PreparedAuditEntry } from "../audit/create-audit-log.js";
import type { ActionHandler } from "../commands/types.js";
import type { Logger } from "../log/create-logger.js";
import type { Message } from "../render/message-model.js";
import { type Clock, NO_CHANGE, type Store } from "../store/store.js";
import { StoreUnavailableError } from "../store/store-unavailable-error.js";
import { buildWaveControlReply } from "../views/build-wave-views.js";
import { parseWaveActionId } from "../waves/wave-action-ids.js";
import { type WaveRunRecord, WaveRunRecordSchema, waveRunKey } from "../waves/wave-run-record.js";
import { POLICY_ACTOR } from "./describe-request.js";
import { isListedApprover } from "./is-listed-approver.js";

export interface WaveClickDeps {
  approvals: Pick<ApprovalService, "get">;
  store: Store;
  /** Must write to `store`: a control and its audit record commit in one write. */
  audit: AuditLog;
  clock: Clock;
  learnChat: (chat: ChatPort) => void;
  /** Shows the new control state in the thread's wave list at once. */
  onWaves: (record: WaveRunRecord) => void;
}

/**
 * Pause / Resume / Abort of a run in waves. The clicker is authorized now, by user ID: the requester, anyone
 * who approved the request, or anyone the request's approval rules list as an approver (groups read now),
 * of the requester's team. The control is one CAS on the wave record with its audit record riding on it; the
 * driver (whichever replica holds the run) reads it before each wave. Abort lets the running wave finish.
 * When the audit log cannot record it, a Resume changes nothing and the clicker is told so; a Pause or an
 * Abort (stopping is the safe direction) is applied anyway, logged at error and its entry tried once more.
 */
export function createWaveClickHandler(deps: WaveClickDeps): ActionHandler {
  if (deps.audit.store !== deps.store)
    throw new Error(
      "the audit log must use the wave records' store, so a control and its audit record commit together",
    );
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
    const at = deps.clock.now();
    const entry: AuditEntryInput = {
      type: "execution.step",
      at,
      actorId: user.userId,
      requestId: id,
      executionId: runId,
      message: `waves ${control === "run" ? "resumed" : control}`,
      detail: { phase: "waves_control", control },
    };
    // Why nothing changed, read inside the update: the run ended (by an Abort or otherwise), someone is
    // aborting it, or it is already as asked.
    let seen: WaveRunRecord | undefined;
    const apply = (audit?: PreparedAuditEntry) =>
      deps.store.update<WaveRunRecord>(
        waveRunKey(runId),
        (current) => {
          if (current === undefined) return NO_CHANGE;
          const record = WaveRunRecordSchema.parse(current.value);
          seen = record;
          // Aborting is final: neither Pause nor Resume takes it back.
          if (record.status !== "running" || record.control === control || record.control === "aborting")
            return NO_CHANGE;
          return { ...record, control, controlBy: user.userId, controlAt: at };
        },
        { retries: 10, ...(audit !== undefined && { append: [audit.append] }) },
      );
    // As every transition: the control and its audit record commit together (the entry rides on the write).
    let audited: PreparedAuditEntry | undefined;
    let result: Awaited<ReturnType<typeof apply>> | undefined;
    try {
      audited = deps.audit.prepare(entry);
      result = await apply(audited);
    } catch (error) {
      // The store itself down: nothing can be written, audited or not (answered as such by the caller).
      if (error instanceof StoreUnavailableError) throw error;
      if (verb === "resume") {
        // Resuming lets the change go on changing servers: never unrecorded. Nothing changed.
        log.error({ err: error }, "wave resume refused: the audit log could not record it");
        await tell(buildWaveControlReply("resume_not_audited"));
        return;
      }
      // Stopping is the safe direction: a failing audit log never keeps anyone from pausing or aborting.
      log.error({ err: error }, "could not audit the wave control with it: applying it unaudited");
      audited = undefined;
      result = await apply();
    }
    if (!result.ok || (!result.changed && result.current === undefined)) {
      await tell(buildWaveControlReply("unknown"));
      return;
    }
    if (!result.changed) {
      await tell(unchangedReply(seen));
      return;
    }
    if (audited !== undefined) audited.publish();
    else await recordLate(deps.audit, entry, log);
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

/**
 * A Pause or an Abort applied without its audit record: the entry is tried once more on its own (the
 * audited write may have failed for a moment); still refused, it is logged at error with what it says, so
 * the log holds what the audit log misses.
 */
async function recordLate(audit: AuditLog, entry: AuditEntryInput, log: Logger): Promise<void> {
  try {
    await audit.record(entry);
    log.warn("the wave control was audited on a second try, apart from its write");
  } catch (error) {
    log.error(
      { err: error, unaudited: { message: entry.message, at: entry.at, actorId: entry.actorId } },
      "the wave control was applied but is not in the audit log",
    );
  }
}
