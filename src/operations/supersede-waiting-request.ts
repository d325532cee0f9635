/**
 * A break-glass run closes the request of the same change that waits for approval: otherwise its card keeps
 * its Approve button, and a late approval runs the change a second time. "The same change" is the intent the
 * duplicate check defines ({@link fingerprintIntent}); the waiting request is cancelled through the approval
 * service's cancel (atomic, audited as `request.cancelled` by its requester, who is the one breaking the glass),
 * marked superseded by the break-glass request (`cancellation.supersededBy`, the entry's `detail.supersededBy`):
 * its card and its approvers' direct messages, updated as a cancel's are, read "superseded" with a link to the
 * break-glass request (the change went ahead; it was not withdrawn), and its thread says why.
 */
import type { ChatPort, MessageRef } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import { findIntentHolder } from "../approvals/claim-pending-intent.js";
import type { Message } from "../render/message-model.js";
import type { Clock, Store } from "../store/store.js";
import { buildBreakGlassApprovedFirstView, buildBreakGlassRunningView } from "./build-break-glass-views.js";
import { buildSupersededReply } from "./build-decision-reply.js";

/** What became of the request of the same change when the glass was broken. */
export type Superseded =
  /** None waited (or another replica closed it: its reply is that replica's). */
  | { kind: "none" }
  /** It waited and is now cancelled: nothing will run from it. */
  | { kind: "closed"; request: ApprovalRequest; permalink?: string }
  /**
   * Its approval got there first (a click racing with the break-glass): it runs, or ran, from that request, and
   * the break-glass one must not run the same change again.
   */
  | { kind: "approved_first"; request: ApprovalRequest; permalink?: string };

export interface SupersedeDeps {
  store: Store;
  clock: Clock;
  approvals: Pick<ApprovalService, "get" | "act">;
  refreshCard: (requestId: string) => Promise<void>;
}

/**
 * Closes the request of `glass`'s intent that waits for approval, as `glass`'s requester cancelling it. Of a
 * cancel and an approval click racing, the store's compare-and-swap on the request lets one win: cancelled, it
 * cannot be approved; approved first, the caller must not run `glass` (`approved_first`). Throws on a store
 * failure (then the caller must not run `glass`: the other request may still be approved).
 */
export async function supersedeWaitingRequest(
  deps: SupersedeDeps,
  glass: ApprovalRequest,
  glassRoot: MessageRef,
  chat: ChatPort,
  logger: { warn(obj: object, msg: string): void },
): Promise<Superseded> {
  const waiting = await findIntentHolder(
    { store: deps.store, clock: deps.clock, read: (id) => deps.approvals.get(id) },
    glass,
  );
  if (waiting === undefined || waiting.id === glass.id) return { kind: "none" };
  const permalinkOf = async (ref: MessageRef | undefined): Promise<string | undefined> => {
    if (ref === undefined) return undefined;
    try {
      return await chat.getPermalink(ref);
    } catch (error) {
      logger.warn({ err: error, approval: waiting.id }, "no link for the superseded request");
      return undefined;
    }
  };
  const withLink = async <K extends "closed" | "approved_first">(kind: K, request: ApprovalRequest) => {
    const permalink = await permalinkOf(request.message);
    return { kind, request, ...(permalink !== undefined && { permalink }) };
  };
  if (waiting.status === "approved") return withLink("approved_first", waiting);

  // Read before the cancel: the closed card and direct messages link to it from their first update.
  const glassLink = await permalinkOf(glassRoot);
  const result = await deps.approvals.act(
    waiting.id,
    {
      type: "cancel",
      userId: glass.requester.userId,
      supersededBy: { requestId: glass.id, ...(glassLink !== undefined && { link: glassLink }) },
    },
    { isApprover: false },
  );
  if (result.ok) {
    // Unchanged: another replica cancelled it for the same user moments ago; its reply is in the thread.
    if (!result.changed) return { kind: "none" };
    void deps.refreshCard(waiting.id);
    const root = result.request.message;
    if (root !== undefined) {
      await chat
        .postMessage(root.channel, buildSupersededReply(glass.requester.userId, glassLink), {
          threadTs: root.threadTs ?? root.ts,
        })
        .catch((error: unknown) => {
          logger.warn({ err: error, approval: waiting.id }, "could not say in the thread why it was closed");
        });
    }
    return withLink("closed", result.request);
  }
  // Refused: it stopped waiting since it was read. Approved (or already running from it), it won the race.
  const now = result.request ?? (await deps.approvals.get(waiting.id));
  if (now !== undefined && (now.status === "approved" || now.execution !== undefined))
    return withLink("approved_first", now);
  return { kind: "none" };
}

/**
 * The other requests for any of `serverIds` that wait for approval (a different change of the same servers:
 * a soft reboot asked, a hard one broken through). They are left open (they may be wanted still; their
 * requester decides) and named in the break-glass reply, with a link to each. Requests for other servers only
 * are left out: they are not what the person breaking the glass has to weigh, and would bury those that are.
 */
export async function otherWaitingRequests(
  approvals: Pick<ApprovalService, "listPending">,
  serverIds: readonly string[],
  except: readonly string[],
  chat: ChatPort,
): Promise<Array<{ request: ApprovalRequest; permalink?: string }>> {
  const ids = new Set(serverIds);
  const pending = (await approvals.listPending()).filter(
    (r) => !except.includes(r.id) && r.targets.some((t) => ids.has(t.id)),
  );
  return Promise.all(
    pending.map(async (request) => {
      const permalink =
        request.message === undefined
          ? undefined
          : await chat.getPermalink(request.message).catch(() => undefined);
      return { request, ...(permalink !== undefined && { permalink }) };
    }),
  );
}

/**
 * Before a break-glass request runs: closes the request of the same change that waits ({@link
 * supersedeWaitingRequest}) and names the others for its servers. `run: false` when that request was approved
 * first: the break-glass request (recorded, not approved yet) is then cancelled by its requester, so the change
 * runs once, from the approved one. `view`: the requester's answer.
 */
export async function closeSameChange(
  deps: SupersedeDeps & { approvals: Pick<ApprovalService, "listPending"> },
  glass: ApprovalRequest,
  root: MessageRef,
  ctx: { chat: ChatPort; logger: { warn(obj: object, msg: string): void } },
  alertChannel: string,
): Promise<{ run: boolean; view: Message }> {
  const superseded = await supersedeWaitingRequest(deps, glass, root, ctx.chat, ctx.logger);
  if (superseded.kind === "approved_first") {
    const own = await deps.approvals.act(
      glass.id,
      { type: "cancel", userId: glass.requester.userId },
      { isApprover: false },
    );
    if (!own.ok) throw new Error(`the break-glass request ${glass.id} could not be cancelled: ${own.code}`);
    void deps.refreshCard(glass.id);
    return { run: false, view: buildBreakGlassApprovedFirstView(superseded.permalink) };
  }
  const closedId = superseded.kind === "closed" ? [superseded.request.id] : [];
  const others = await otherWaitingRequests(
    deps.approvals,
    glass.targets.map((t) => t.id),
    [glass.id, ...closedId],
    ctx.chat,
  ).catch((error: unknown) => {
    ctx.logger.warn({ err: error }, "could not list the other requests for the servers");
    return [];
  });
  return {
    run: true,
    view: buildBreakGlassRunningView({
      alertChannel,
      ...(superseded.kind === "closed" && {
        closed: superseded.permalink !== undefined ? { permalink: superseded.permalink } : {},
      }),
      others: others.map((o) => ({
        requesterId: o.request.requester.userId,
        commandText: o.request.commandText,
        ...(o.permalink !== undefined && { permalink: o.permalink }),
      })),
    }),
  };
}
