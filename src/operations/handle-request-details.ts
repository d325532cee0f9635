import type { ChatPort } from "../app/ports.js";
import { ApprovalIdSchema } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { ActionHandler } from "../commands/types.js";
import { md } from "../render/message-model.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { buildRequestDetailsView } from "./build-request-details-view.js";
import type { GroupDirectory } from "./create-group-directory.js";
import type { RequestDetailsStore } from "./request-details.js";

/**
 * The card's Details button: the whole request, answered only to the person who clicked (an ephemeral reply).
 * Anyone who sees the card may read its details: they say nothing the channel could not already learn from
 * `/ops audit` and `/ecs show`, and nothing secret.
 */
export function createRequestDetailsHandler(deps: {
  approvals: Pick<ApprovalService, "get">;
  details: RequestDetailsStore;
  groups: GroupDirectory;
  learnChat: (chat: ChatPort) => void;
}): ActionHandler {
  return async (action, ctx) => {
    deps.learnChat(ctx.chat);
    const id = action.value ?? "";
    const request = ApprovalIdSchema.safeParse(id).success ? await deps.approvals.get(id) : undefined;
    if (request === undefined) {
      ctx.logger.info({ id }, "details of an unknown request");
      await ctx.responder?.respond(
        buildNoticeView(":grey_question:", md`This request does not exist (any more).`),
      );
      return;
    }
    const view = buildRequestDetailsView(request, await deps.details.get(id), await deps.groups.ids());
    await ctx.responder?.respond(view);
  };
}
