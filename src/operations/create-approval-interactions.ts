import type { ActionHandler, ViewHandler } from "../commands/types.js";
import type { Message } from "../render/message-model.js";
import type { Store } from "../store/store.js";
import { WAVE_ACTION_PREFIX } from "../waves/wave-action-ids.js";
import { APPROVAL_ACTION_PREFIX, REJECT_MODAL_ID, REQUEST_DETAILS_ACTION } from "./approval-action-ids.js";
import { BREAK_GLASS_ACK_ACTION } from "./build-break-glass-views.js";
import type { BreakGlass } from "./create-break-glass.js";
import type { GroupDirectory } from "./create-group-directory.js";
import type { HomePublisher } from "./create-home-publisher.js";
import { guardStoreUnavailable } from "./guard-store-unavailable.js";
import {
  type ApprovalClickDeps,
  createApprovalClickHandler,
  createRejectViewHandler,
} from "./handle-approval-click.js";
import { createBreakGlassAckHandler } from "./handle-break-glass-ack.js";
import { createRequestDetailsHandler } from "./handle-request-details.js";
import { createWaveClickHandler, type WaveClickDeps } from "./handle-wave-click.js";
import type { RequestDetailsStore } from "./request-details.js";

export interface ApprovalInteractionDeps extends ApprovalClickDeps {
  details: RequestDetailsStore;
  groups: GroupDirectory;
  store: Store;
  audit: WaveClickDeps["audit"];
  breakGlass: BreakGlass;
  home: HomePublisher;
  /** Shows a run's new wave control state in its thread at once. */
  showWaves: WaveClickDeps["onWaves"];
}

/**
 * The clicks and modal submissions of the operations: approval cards (also from the Home tab, whose answer is
 * shown at the top of the tab), the reject-reason modal, request details, wave controls and break-glass
 * acknowledgements, by action-ID prefix and modal callback ID. A click whose store is unavailable is answered
 * with that, not dropped.
 */
export function createApprovalInteractions(deps: ApprovalInteractionDeps): {
  actionHandlers: Record<string, ActionHandler>;
  viewHandlers: Record<string, ViewHandler>;
} {
  const { approvals, clock, executions, refreshCard, learnChat, announce, details, groups, home } = deps;
  const clickDeps = {
    approvals,
    clock,
    executions,
    refreshCard,
    learnChat,
    announce,
    policy: deps.policy,
    details,
  };
  const breakGlassAck = createBreakGlassAckHandler({ breakGlass: deps.breakGlass, learnChat });
  const clickHandler = createApprovalClickHandler(clickDeps);
  const rejectView = createRejectViewHandler(clickDeps);
  const approvalClick: ActionHandler = (action, ctx) =>
    guardStoreUnavailable(
      () => clickHandler(action, ctx),
      async (m) => {
        if (ctx.responder) await ctx.responder.respond(m);
        else if (action.channelId !== undefined)
          await ctx.chat.postEphemeral(action.channelId, action.actor.userId, m);
      },
      ctx.logger,
    );
  const detailsHandler = createRequestDetailsHandler({ approvals, details, groups, learnChat });
  const waveClick = createWaveClickHandler({
    approvals,
    store: deps.store,
    audit: deps.audit,
    clock,
    learnChat,
    onWaves: deps.showWaves,
  });
  // A click whose store is unavailable is answered with that, not dropped.
  const answeringStoreUnavailable =
    (handler: ActionHandler): ActionHandler =>
    (action, ctx) =>
      guardStoreUnavailable(
        () => handler(action, ctx),
        async (m) => {
          if (ctx.responder) await ctx.responder.respond(m);
        },
        ctx.logger,
      );
  const actionHandlers: Record<string, ActionHandler> = {
    [WAVE_ACTION_PREFIX]: answeringStoreUnavailable(waveClick),
    [BREAK_GLASS_ACK_ACTION]: answeringStoreUnavailable(breakGlassAck),
    [REQUEST_DETAILS_ACTION]: answeringStoreUnavailable(detailsHandler),
    [APPROVAL_ACTION_PREFIX]: async (action, ctx) => {
      if (!action.fromHome) return approvalClick(action, ctx);
      // The Home tab's buttons are the card's, judged by the same handler. The tab has no response_url and no
      // channel: the answer the card's click would get is shown at the top of the tab, published again.
      let notice: Message | undefined;
      const answerInHome = {
        respond: async (message: Message) => {
          notice = message;
        },
      };
      try {
        await approvalClick(action, { ...ctx, responder: answerInHome });
      } finally {
        await home.publish(action.actor, ctx.chat, notice);
      }
    },
  };
  const viewHandlers: Record<string, ViewHandler> = {
    [REJECT_MODAL_ID]: {
      ...rejectView,
      // A modal has no reply channel: the user sees the card unchanged; the log says why.
      handle: async (submission, ctx) => {
        await guardStoreUnavailable(
          () => rejectView.handle(submission, ctx),
          async () => {},
          ctx.logger,
        );
        // The reason form may have been opened from the Home tab: it must not still offer this request.
        await home.publish(submission.actor, ctx.chat);
      },
    },
  };
  return { actionHandlers, viewHandlers };
}
