import type { ChatPort } from "../app/ports.js";
import { ApprovalIdSchema, type ApprovalRequest } from "../approvals/approval-request.js";
import type { ActResult, ApprovalService } from "../approvals/approval-service.js";
import { currentStage } from "../approvals/current-stage.js";
import type { ActionHandler, InteractionContext, ViewHandler } from "../commands/types.js";
import type { Message } from "../render/message-model.js";
import { md } from "../render/message-model.js";
import type { Clock } from "../store/store.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { parseApprovalActionId, REJECT_REASON_INPUT } from "./approval-action-ids.js";
import { buildRejectModal, validateRejectReason } from "./build-reject-modal.js";
import type { DecisionAnnouncer } from "./create-decision-announcer.js";
import type { Executions } from "./create-executions.js";
import { isPolicyAllowed } from "./describe-request.js";
import { isListedApprover, listedStages } from "./is-listed-approver.js";
import { noticeToSpans } from "./notice-to-spans.js";

export interface ApprovalClickDeps {
  approvals: ApprovalService;
  clock: Clock;
  executions: Executions;
  refreshCard: (requestId: string) => Promise<void>;
  learnChat: (chat: ChatPort) => void;
  /** Says each decision in the request's thread. */
  announce: DecisionAnnouncer;
}

const ICONS = { accepted: ":ballot_box_with_check:", refused: ":raised_hand:", gone: ":hourglass:" } as const;

/** The result of an act() for the clicking user (the state machine's wording; its text is untrusted). */
function noticeOf(result: ActResult): Message {
  if (result.ok) return buildNoticeView(ICONS.accepted, noticeToSpans(result.message));
  if (result.code === "expired" || result.code === "not_pending")
    return buildNoticeView(ICONS.gone, noticeToSpans(result.message));
  return buildNoticeView(ICONS.refused, noticeToSpans(result.message));
}

/**
 * After a click or a submitted rejection: update the card on any change (and on a refusal that found the
 * card stale), say the decision in the thread, start the execution when this click approved it, tell the
 * clicking user what happened.
 */
async function settle(
  deps: ApprovalClickDeps,
  requestId: string,
  result: ActResult,
  tell: (message: Message) => Promise<void>,
): Promise<void> {
  const changed = result.ok ? result.changed : result.effects.length > 0;
  const stale = !result.ok && result.code === "not_pending";
  if (changed || stale) void deps.refreshCard(requestId);
  if (changed && result.request !== undefined) void deps.announce(result.request, result.effects);
  // A scheduled change waits for its time (the periodic pass starts it then).
  if (result.ok && result.effects.some((e) => e.type === "approved") && result.request.schedule === undefined)
    void deps.executions.runApproved(requestId);
  await tell(noticeOf(result));
}

/**
 * Approve / Reject / Cancel clicks (on the card or in `/ops approvals`), after the ack. Every click is judged
 * now: the request is loaded from the store (the button carries only its ID), the clicking user's groups are
 * read from Slack now, and the state machine applies the click atomically. Reject opens the reason modal
 * when the rule requires a reason.
 */
export function createApprovalClickHandler(deps: ApprovalClickDeps): ActionHandler {
  return async (action, ctx) => {
    deps.learnChat(ctx.chat);
    const user = action.actor;
    const tell = async (message: Message, request?: ApprovalRequest) => {
      try {
        if (ctx.responder) await ctx.responder.respond(message);
        else {
          const channel = action.channelId ?? request?.channel;
          if (channel !== undefined) await ctx.chat.postEphemeral(channel, user.userId, message);
        }
      } catch (error) {
        ctx.logger.warn({ err: error }, "could not tell the clicking user");
      }
    };
    const verb = parseApprovalActionId(action.actionId);
    const id = action.value ?? "";
    if (verb === undefined || !ApprovalIdSchema.safeParse(id).success) {
      ctx.logger.warn({ actionId: action.actionId }, "malformed approval button");
      await tell(buildNoticeView(":grey_question:", md`This button is not valid.`));
      return;
    }
    const request = await deps.approvals.get(id);
    // A change the policy allowed has no approvers' buttons, except Cancel while it waits for its time.
    const cancellable = verb === "cancel" && request?.schedule !== undefined;
    if (request === undefined || (isPolicyAllowed(request) && !cancellable)) {
      await tell(buildNoticeView(":grey_question:", md`This approval request does not exist (any more).`));
      return;
    }
    const log = ctx.logger.child({ approval: id, verb });

    if (verb === "cancel") {
      // A scheduled change may also be called off by an approver (judged with their groups now). One the policy
      // allowed has no approvers: only its requester may (the state machine says so to anyone else).
      const isApprover =
        request.schedule !== undefined && !isPolicyAllowed(request)
          ? isListedApprover(
              request.requirement,
              { ...user, groups: await ctx.chat.userGroupsOf(user.userId) },
              request.requester,
            )
          : false;
      const result = await deps.approvals.act(id, { type: "cancel", userId: user.userId }, { isApprover });
      log.info({ ok: result.ok, code: result.ok ? undefined : result.code }, "cancel click");
      await settle(deps, id, result, (m) => tell(m, request));
      return;
    }

    const groups = await ctx.chat.userGroupsOf(user.userId);
    const isApprover = isListedApprover(request.requirement, { ...user, groups }, request.requester);
    const stages = listedStages(request.requirement, { ...user, groups }, request.requester);
    const reasonRequired = currentStage(request)?.stage.reasonRequired ?? request.requirement.reasonRequired;
    if (
      verb === "reject" &&
      reasonRequired &&
      isApprover &&
      request.status === "pending" &&
      deps.clock.now() < request.expiresAt
    ) {
      if (action.triggerId === undefined) {
        await tell(
          buildNoticeView(
            ":grey_question:",
            md`Slack sent no trigger to open the reason form; click Reject again.`,
          ),
          request,
        );
        return;
      }
      await ctx.chat.openModal(action.triggerId, buildRejectModal(request));
      log.info("reject click: asked for a reason");
      return;
    }
    const event =
      verb === "approve"
        ? { type: "approve" as const, userId: user.userId }
        : { type: "reject" as const, userId: user.userId };
    const result = await deps.approvals.act(id, event, { isApprover, stages });
    log.info({ ok: result.ok, code: result.ok ? undefined : result.code, isApprover }, "approval click");
    await settle(deps, id, result, (m) => tell(m, request));
  };
}

/** The reason modal: validated before the ack (non-empty), applied after it with the user's groups read now. */
export function createRejectViewHandler(deps: ApprovalClickDeps): ViewHandler {
  return {
    validate(submission) {
      return validateRejectReason(submission.values[REJECT_REASON_INPUT]);
    },
    async handle(submission, ctx: InteractionContext) {
      deps.learnChat(ctx.chat);
      const id = submission.privateMetadata;
      const user = submission.actor;
      const request = ApprovalIdSchema.safeParse(id).success ? await deps.approvals.get(id) : undefined;
      if (request === undefined) {
        ctx.logger.warn("rejection for an unknown request");
        return;
      }
      const tell = async (message: Message) => {
        try {
          await ctx.chat.postEphemeral(request.channel, user.userId, message);
        } catch (error) {
          ctx.logger.warn({ err: error }, "could not tell the rejecting user");
        }
      };
      const groups = await ctx.chat.userGroupsOf(user.userId);
      const isApprover = isListedApprover(request.requirement, { ...user, groups }, request.requester);
      const reason = submission.values[REJECT_REASON_INPUT]?.trim() ?? "";
      const result = await deps.approvals.act(
        id,
        { type: "reject", userId: user.userId, reason },
        { isApprover },
      );
      ctx.logger.info(
        { approval: id, ok: result.ok, code: result.ok ? undefined : result.code },
        "rejection submitted",
      );
      await settle(deps, id, result, tell);
    },
  };
}
