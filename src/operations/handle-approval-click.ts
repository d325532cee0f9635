import type { ChatPort } from "../app/ports.js";
import { readGroupsOnce } from "../app/read-groups-once.js";
import { ApprovalIdSchema, type ApprovalRequest } from "../approvals/approval-request.js";
import type { ActResult, ApprovalService, JudgeApprovers } from "../approvals/approval-service.js";
import type { ClickAuthz } from "../approvals/approval-state.js";
import { currentStage } from "../approvals/current-stage.js";
import type { ActionHandler, InteractionContext, ViewHandler } from "../commands/types.js";
import type { Policy, Principals } from "../policy/types.js";
import type { Message } from "../render/message-model.js";
import { md } from "../render/message-model.js";
import type { Clock } from "../store/store.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { buildCancelRefusedView, buildScheduleCancelledDm } from "../views/build-schedule-views.js";
import { parseApprovalActionId, REJECT_REASON_INPUT } from "./approval-action-ids.js";
import { buildRejectModal, validateRejectReason } from "./build-reject-modal.js";
import { createCancellersOf } from "./cancel-approvers-of.js";
import type { DecisionAnnouncer } from "./create-decision-announcer.js";
import type { Executions } from "./create-executions.js";
import { isPolicyAllowed } from "./describe-request.js";
import { isListedApprover, listedStages } from "./is-listed-approver.js";
import { noticeToSpans } from "./notice-to-spans.js";
import type { RequestDetailsStore } from "./request-details.js";

export interface ApprovalClickDeps {
  approvals: ApprovalService;
  clock: Clock;
  executions: Executions;
  refreshCard: (requestId: string) => Promise<void>;
  learnChat: (chat: ChatPort) => void;
  /** Says each decision in the request's thread. */
  announce: DecisionAnnouncer;
  /** The live policy: who may cancel a scheduled change is judged on it as it is at the click. */
  policy: () => Policy;
  /** The request's recorded channel name (for rules on channel names), read at a Cancel click. */
  details: Pick<RequestDetailsStore, "get">;
}

const ICONS = { accepted: ":ballot_box_with_check:", refused: ":raised_hand:", gone: ":stopwatch:" } as const;

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
 * Who a user is for a request now: listed among its approvers, and for a staged one the stages they may approve,
 * with their groups read from Slack now. The one authorization of an approval click, and of the approvals given
 * before it when it would complete the count (`judgeApprovers`).
 */
async function authorizeNow(
  chat: Pick<ChatPort, "userGroupsOf">,
  request: Pick<ApprovalRequest, "requirement" | "requester">,
  user: { userId: string; teamId: string },
): Promise<ClickAuthz> {
  const who = { ...user, groups: await chat.userGroupsOf(user.userId) };
  return {
    isApprover: isListedApprover(request.requirement, who, request.requester),
    stages: listedStages(request.requirement, who, request.requester),
  };
}

/**
 * The approvers who approved before, authorized as their click would be now, on the same read of the groups.
 * Each was judged of the requester's team when they clicked (a user's team does not change).
 */
function judgeApprovers(
  chat: Pick<ChatPort, "userGroupsOf">,
  request: Pick<ApprovalRequest, "requirement" | "requester">,
): JudgeApprovers {
  return async (userIds) =>
    Object.fromEntries(
      await Promise.all(
        userIds.map(
          async (userId) =>
            [
              userId,
              await authorizeNow(chat, request, { userId, teamId: request.requester.teamId }),
            ] as const,
        ),
      ),
    );
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
      await cancelClick(deps, request, action.actor, ctx, log, (m) => tell(m, request));
      return;
    }

    // One read of the groups for this click: the clicking user's, and the earlier approvers' if it completes.
    const chat = readGroupsOnce(ctx.chat);
    const authz = await authorizeNow(chat, request, user);
    const { isApprover } = authz;
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
    const result = await deps.approvals.act(id, event, authz, judgeApprovers(chat, request));
    log.info({ ok: result.ok, code: result.ok ? undefined : result.code, isApprover }, "approval click");
    await settle(deps, id, result, (m) => tell(m, request));
  };
}

/**
 * Cancel, judged now by user ID. A scheduled change waiting for its time (approved, not started) may be called
 * off by its requester and by anyone the policy as it is now accepts as an approver of that action on those
 * servers (`cancelApproversOf`), whether it needed approval or the policy allowed it outright: cancelling runs
 * nothing, and the requester may be away when it should be stopped. Whether the clicker is among them is the
 * approval clicks' check (`isListedApprover`, their groups read now). Anyone else is told who may. A request
 * still waiting for approval is the requester's to cancel (its approvers reject it). The state machine applies
 * the cancel atomically and audits it (`request.cancelled`, the canceller as its actor); when someone other
 * than the requester cancelled, the requester is told by direct message.
 */
async function cancelClick(
  deps: ApprovalClickDeps,
  request: ApprovalRequest,
  user: { userId: string; teamId: string },
  ctx: InteractionContext,
  log: InteractionContext["logger"],
  tell: (message: Message) => Promise<void>,
): Promise<void> {
  const waitsForItsTime = request.status === "approved" && request.schedule !== undefined;
  const judged =
    waitsForItsTime && user.userId !== request.requester.userId
      ? await judgeCanceller(deps, request, user, ctx)
      : undefined;
  const result = await deps.approvals.act(
    request.id,
    { type: "cancel", userId: user.userId },
    { isApprover: judged?.isApprover ?? false },
  );
  log.info(
    { ok: result.ok, code: result.ok ? undefined : result.code, isApprover: judged?.isApprover },
    "cancel click",
  );
  // Refused for who they are: say who may, as the policy has it now.
  const refusal =
    !result.ok && result.code === "only_requester_can_cancel" && judged !== undefined
      ? buildCancelRefusedView(request, judged.approvers)
      : undefined;
  await settle(deps, request.id, result, (m) => tell(refusal ?? m));
  const cancelled = result.ok && result.changed && result.effects.some((e) => e.type === "cancelled");
  if (cancelled && user.userId !== request.requester.userId)
    await tellRequester(request, user.userId, ctx, log);
}

/** Whether the clicker is among the people the policy as it is now accepts as approvers of the change. */
async function judgeCanceller(
  deps: ApprovalClickDeps,
  request: ApprovalRequest,
  user: { userId: string; teamId: string },
  ctx: InteractionContext,
): Promise<{ isApprover: boolean; approvers: Principals }> {
  const approvers = await createCancellersOf(deps.policy, deps.details, ctx.chat)(request);
  const groups = await ctx.chat.userGroupsOf(user.userId);
  return { isApprover: isListedApprover({ approvers }, { ...user, groups }, request.requester), approvers };
}

/** The requester learns by direct message that someone else cancelled their scheduled change. Best effort. */
async function tellRequester(
  request: ApprovalRequest,
  cancelledBy: string,
  ctx: InteractionContext,
  log: InteractionContext["logger"],
): Promise<void> {
  let permalink: string | undefined;
  if (request.message !== undefined) {
    try {
      permalink = await ctx.chat.getPermalink(request.message);
    } catch (error) {
      log.warn({ err: error }, "no link to the card for the requester's message");
    }
  }
  try {
    await ctx.chat.postDirect(
      request.requester.userId,
      buildScheduleCancelledDm(request, cancelledBy, permalink),
    );
  } catch (error) {
    log.warn({ err: error }, "could not tell the requester that their scheduled change was cancelled");
  }
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
