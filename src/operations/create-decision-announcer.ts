import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalEffect } from "../approvals/approval-state.js";
import type { Logger } from "../log/create-logger.js";
import { buildDecisionReply } from "./build-decision-reply.js";
import type { GroupIds } from "./describe-request.js";
import { type ApproverMessages, notifies } from "./notify-approvers.js";

/**
 * Says each decision on a request in its thread, once: it is called with the effects of a transition that this
 * process committed (the store's compare-and-swap gives each effect to exactly one caller, whatever the
 * replicas). A failure to post is logged, never thrown: the decision stands and the card shows it.
 */
export type DecisionAnnouncer = (
  request: ApprovalRequest,
  effects: readonly ApprovalEffect[],
) => Promise<void>;

/**
 * A staged request's next stage is announced from here too, as the decision that reached it is: its approvers
 * are mentioned in the reply (`notify_approvers: mention`) or asked by direct message (`dm`), once.
 */
export function createDecisionAnnouncer(deps: {
  chat: () => ChatPort | undefined;
  logger: Logger;
  /** User-group IDs by handle, so the next stage's groups are mentioned (notified). */
  groupIds?: () => Promise<GroupIds>;
  /** Updates the approvers' direct messages an approval changed, then asks the next stage's approvers. */
  approverMessages?: Pick<ApproverMessages, "progressed" | "stageReached">;
  /**
   * The request as it is now. A stage's turn is announced only while the request still waits: a cancel (or a
   * rejection, an expiry) may land between the transition and the announcement, and its own reply may already
   * be in the thread.
   */
  readRequest: (requestId: string) => Promise<ApprovalRequest | undefined>;
}): DecisionAnnouncer {
  const stillWaits = async (requestId: string): Promise<boolean> => {
    try {
      return (await deps.readRequest(requestId))?.status === "pending";
    } catch (error) {
      // Unknown: the turn is not announced rather than announced for a request that may be closed.
      deps.logger.warn(
        { err: error, approval: requestId },
        "could not read the request before its next stage",
      );
      return false;
    }
  };
  return async (request, effects) => {
    const chat = deps.chat();
    const stageReached =
      effects.some((e) => e.type === "approval_recorded" && e.stageComplete === true) &&
      !effects.some((e) => e.type === "approved");
    const groupIds =
      stageReached && deps.groupIds !== undefined && notifies(request.requirement, "mention")
        ? await deps.groupIds()
        : {};
    if (chat !== undefined) await deps.approverMessages?.progressed(request, effects, chat);
    // Read again right before the messages: the snapshot is from before this transition's effects were said.
    if (stageReached && chat !== undefined && (await stillWaits(request.id)))
      await deps.approverMessages?.stageReached(request, chat);
    const nextStageWaits = stageReached && (await stillWaits(request.id));
    const reply = buildDecisionReply(request, effects, groupIds, { nextStage: nextStageWaits });
    const root = request.message;
    if (reply === undefined || chat === undefined || root === undefined) return;
    try {
      await chat.postMessage(root.channel, reply, { threadTs: root.threadTs ?? root.ts });
    } catch (error) {
      deps.logger.warn({ err: error, approval: request.id }, "could not post the decision in the thread");
    }
  };
}
