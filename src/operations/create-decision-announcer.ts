import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalEffect } from "../approvals/approval-state.js";
import type { Logger } from "../log/create-logger.js";
import { buildDecisionReply } from "./build-decision-reply.js";

/**
 * Says each decision on a request in its thread, once: it is called with the effects of a transition that this
 * process committed (the store's compare-and-swap gives each effect to exactly one caller, whatever the
 * replicas). A failure to post is logged, never thrown: the decision stands and the card shows it.
 */
export type DecisionAnnouncer = (
  request: ApprovalRequest,
  effects: readonly ApprovalEffect[],
) => Promise<void>;

export function createDecisionAnnouncer(deps: {
  chat: () => ChatPort | undefined;
  logger: Logger;
}): DecisionAnnouncer {
  return async (request, effects) => {
    const reply = buildDecisionReply(request, effects);
    const chat = deps.chat();
    const root = request.message;
    if (reply === undefined || chat === undefined || root === undefined) return;
    try {
      await chat.postMessage(root.channel, reply, { threadTs: root.threadTs ?? root.ts });
    } catch (error) {
      deps.logger.warn({ err: error, approval: request.id }, "could not post the decision in the thread");
    }
  };
}
