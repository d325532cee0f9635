import type { ChatPort } from "../app/ports.js";
import type { ActionHandler } from "../commands/types.js";
import { md, type Span, userMention } from "../render/message-model.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { withInlineCode } from "../views/format-values.js";
import type { BreakGlass } from "./create-break-glass.js";

export interface BreakGlassAckDeps {
  breakGlass: BreakGlass;
  learnChat: (chat: ChatPort) => void;
}

/**
 * Acknowledge on a break-glass alert: judged now (the clicker's groups read from Slack now, against the
 * reviewers recorded with the use); the first acknowledgement wins, later clicks are told who did it.
 */
export function createBreakGlassAckHandler(deps: BreakGlassAckDeps): ActionHandler {
  return async (action, ctx) => {
    deps.learnChat(ctx.chat);
    const tell = async (icon: `:${string}:`, text: Span[]) => {
      const message = buildNoticeView(icon, text);
      try {
        if (ctx.responder) await ctx.responder.respond(message);
        else if (action.channelId !== undefined)
          await ctx.chat.postEphemeral(action.channelId, action.actor.userId, message);
      } catch (error) {
        ctx.logger.warn({ err: error }, "could not tell the acknowledging user");
      }
    };
    const id = action.value ?? "";
    if (!/^apr_[A-Za-z0-9_-]{22,}$/.test(id)) {
      await tell(":grey_question:", md`This button is not valid.`);
      return;
    }
    const groups = await ctx.chat.userGroupsOf(action.actor.userId);
    const result = await deps.breakGlass.acknowledge(id, { ...action.actor, groups });
    ctx.logger.info(
      { breakGlass: id, ok: result.ok, code: result.ok ? undefined : result.code },
      "break-glass acknowledge",
    );
    if (!result.ok) {
      await tell(":raised_hand:", withInlineCode(result.message));
      return;
    }
    if (result.changed) {
      await deps.breakGlass.refreshAlert(result.use);
      await tell(":white_check_mark:", md`Acknowledged: the break-glass use is reviewed.`);
      return;
    }
    const by = result.use.acknowledged?.userId;
    await tell(
      ":white_check_mark:",
      by === action.actor.userId
        ? md`You already acknowledged it.`
        : md`Already acknowledged by ${userMention(by ?? "")}.`,
    );
  };
}
