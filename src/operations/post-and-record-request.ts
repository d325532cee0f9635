import type { MessageRef } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { PreparedApprovalRequest } from "../approvals/approval-service.js";
import type { MutationContext } from "../commands/types.js";
import type { PolicyDecision } from "../policy/types.js";
import type { Message } from "../render/message-model.js";
import { buildNotRecordedView } from "./build-preflight-views.js";
import { buildRequestCard } from "./build-request-card.js";
import { POLICY_ACTOR } from "./describe-request.js";
import type { MutationRequestDeps } from "./handle-mutation-request.js";
import { type RequestDetails, serverNameKey } from "./request-details.js";
import { idsOfAskedNow, preparingViewFor } from "./request-post-parts.js";

/**
 * Posts a command's request in its channel, then records it (the request, its details, its servers' names).
 * Undefined when it cannot be posted there: nothing is created, and the intent's claim (`claimed`) is given
 * back. A failure to record it says so in the posted message, gives the claim back and throws.
 */
export async function postAndRecordRequest(
  deps: Pick<MutationRequestDeps, "details" | "store" | "clock" | "shownCards">,
  ctx: MutationContext,
  input: {
    draft: PreparedApprovalRequest;
    details: RequestDetails;
    decision: PolicyDecision;
    /** The user groups' IDs by handle, for the mentions. */
    groupIds: Readonly<Record<string, string>>;
    /** Whether the approvers are mentioned (`mentionsApprovers`). */
    mention: boolean;
    claimed: boolean;
  },
): Promise<{ root: MessageRef; recorded: ApprovalRequest } | undefined> {
  const { draft, details, decision, mention, claimed } = input;
  const { actor, commandLine } = ctx.request;
  const kind = details.kind;
  // Posted before the request is recorded: proves the bot can post here before a request exists that
  // nobody could see. Where it cannot (`not_in_channel`…), the router's postToChannel tells the requester
  // what to do. A request for approval is posted as its card, once; one that runs at once as the card its
  // run's start shows ("Running"), so that start edits nothing (one chat.update less; a run refused at its
  // start edits it as it ends); a scheduled one as "Preparing", which becomes its card once it is approved.
  // With `mention` (the default), the approvers are mentioned in this first post's text: Slack notifies on a
  // new message, not on the edit of one.
  // A staged request mentions only its first stage's groups: the others are told when their stage comes.
  const first = preparingViewFor(commandLine, decision, input.groupIds, actor.userId);
  const card =
    kind === "approval"
      ? {
          ...buildRequestCard({
            request: draft.request,
            details,
            groupIds: mention ? idsOfAskedNow(draft.request, input.groupIds) : {},
          }),
          ...(mention && { text: first.text }),
        }
      : draft.request.schedule === undefined
        ? runningCardOf(draft.request, details, input.groupIds, deps.clock.now())
        : first;
  const root = await ctx.postToChannel(card);
  if (root === undefined) {
    ctx.logger.info("cannot post the request in the channel; nothing created");
    if (claimed) await releaseIntent(draft, ctx.logger);
    return undefined;
  }

  let recorded: ApprovalRequest;
  try {
    const request = await draft.create(root);
    recorded = request;
    await deps.details.create(details);
    for (const t of request.targets) await deps.store.addToSet(serverNameKey(t.name), t.id);
  } catch (error) {
    await ctx.chat.updateMessage(root, buildNotRecordedView(commandLine)).catch(() => undefined);
    if (claimed) await releaseIntent(draft, ctx.logger);
    throw error;
  }
  // Only once recorded: a card that says it was not recorded is never taken for this one.
  deps.shownCards?.remember(root, card);
  return { root, recorded };
}

/**
 * The card of an allowed request whose run started at `now`, as the card runner draws it then: the run's start
 * skips its edit when it is the same (`ShownCards`). Where it is not (a start in the next minute), it is edited.
 */
function runningCardOf(
  request: ApprovalRequest,
  details: RequestDetails,
  groupIds: Readonly<Record<string, string>>,
  now: number,
): Message {
  return buildRequestCard({
    request: {
      ...request,
      status: "executing",
      approvals: [{ userId: POLICY_ACTOR, at: now }],
      execution: { executionId: "", startedAt: now },
    },
    details,
    groupIds,
  });
}

/**
 * Gives up the intent's claim of a request that was not created, so its requester can ask again at once.
 * Best effort: a claim left behind blocks only until its request is seen missing past the posting grace.
 */
async function releaseIntent(
  draft: { releaseIntent(): Promise<void> },
  logger: { warn(obj: object, msg: string): void },
): Promise<void> {
  await draft.releaseIntent().catch((error: unknown) => {
    logger.warn({ err: error }, "could not release the claim on the request's intent");
  });
}
