import { z } from "zod";
import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { DEFAULT_FINISHED_RETENTION_MS } from "../approvals/approval-service.js";
import type { ApprovalEffect } from "../approvals/approval-state.js";
import { currentStage } from "../approvals/current-stage.js";
import type { Logger } from "../log/create-logger.js";
import { eligibleApprovers, type GroupMembers } from "../policy/require-enough-approvers.js";
import type { ApprovalRequirement } from "../policy/types.js";
import { NO_CHANGE, type Store } from "../store/store.js";
import {
  buildApprovalDmClosedView,
  buildApprovalDmView,
  buildApprovalDmViewFor,
} from "./build-approval-dm-view.js";
import { snapshotOf } from "./decide-policy.js";
import type { RequestDetails } from "./request-details.js";

/**
 * The approvers' direct messages of a request (`notify_approvers: dm`), kept next to `opsrequest:<id>` with the
 * same retention: each message's place, so any replica can update them when the request no longer waits, and
 * the outcome they were last updated to, so that update is made once.
 */
const ApprovalDmsSchema = z.object({
  messages: z.array(
    z.object({
      userId: z.string(),
      channel: z.string(),
      ts: z.string(),
      /** The stage the person was asked for (a staged request); absent for others and in older records. */
      stage: z.string().optional(),
    }),
  ),
  /** The outcome the messages say (`approved`, `succeeded`, `rejected`…); absent while they ask. */
  shown: z.string().optional(),
});
type ApprovalDms = z.infer<typeof ApprovalDmsSchema>;

export const approvalDmsKey = (requestId: string) => `opsdms:${requestId}`;

/** Most approvers sent a direct message about one request (a big group gets the first ones, and a log line). */
const MAX_APPROVAL_DMS = 50;

/** The outcome a request's messages say: a request being executed was approved. */
function outcomeOf(request: Pick<ApprovalRequest, "status">): string {
  return request.status === "executing" ? "approved" : request.status;
}

/** Whether the request's approvers are told this way (requests from before `notify` existed mention them). */
export function notifies(requirement: Pick<ApprovalRequirement, "notify">, mode: "mention" | "dm"): boolean {
  return (requirement.notify ?? ["mention"]).includes(mode);
}

/**
 * Who is asked now: a staged request's approvers are asked stage by stage (the stage it waits on), others all
 * at once. Its `approvers` are the ones to mention, its `allowSelfApproval` decides whether the requester is.
 */
export function askedNow(
  request: Pick<ApprovalRequest, "requirement" | "approvals">,
): Pick<ApprovalRequirement, "approvers" | "allowSelfApproval" | "minApprovals"> {
  return currentStage(request)?.stage ?? request.requirement;
}

/**
 * Direct messages to the approvers of a request, from one place for every kind of request (changes, recurring
 * schedules). Each call is made by the process that committed the transition it is about (the request's
 * creation, the approval that completed a stage: the store's compare-and-swap gives each to one caller), so a
 * person is asked once whatever the replicas. Best effort: a failed message never affects the request.
 */
export interface ApproverMessages {
  /** A new request: asks the people who may approve it now (a staged request's first stage only). */
  requested(request: ApprovalRequest, chat: ChatPort, members: GroupMembers): Promise<void>;
  /** A stage was completed by a transition this process committed: asks the next stage's approvers. */
  stageReached(request: ApprovalRequest, chat: ChatPort): Promise<void>;
  /**
   * Approvals were recorded by a transition this process committed (`effects`), and the request may still wait:
   * the messages they change are updated to the request as it is now (see `follow`). Called before the next
   * stage is asked, so a completed stage's approvers read that it no longer waits for them first.
   */
  progressed(request: ApprovalRequest, effects: readonly ApprovalEffect[], chat: ChatPort): Promise<void>;
  /**
   * The request no longer waits (approved, rejected, cancelled, expired) or finished: every message is updated
   * to say so, once per outcome (claimed in the store, so replicas refreshing the same card do not repeat it).
   */
  settled(request: ApprovalRequest, chat: ChatPort): Promise<void>;
}

export function createApproverMessages(deps: {
  store: Store;
  logger: Logger;
  /**
   * The request as it is now: messages sent while the request stopped waiting (a cancel during the sending)
   * are closed with what it became, read again rather than from the snapshot they were sent for.
   */
  readRequest: (requestId: string) => Promise<ApprovalRequest | undefined>;
  /**
   * The request's details, read when the messages are closed: a run that never sent anything (the servers
   * changed, another change held them) is said as its card says it, never "failed". Absent, or unreadable:
   * said from the approval record alone.
   */
  readDetails?: (requestId: string) => Promise<RequestDetails | undefined>;
  /** How long the record of the messages is kept after its last write (default: like finished requests). */
  retentionMs?: number;
}): ApproverMessages {
  const ttlMs = deps.retentionMs ?? DEFAULT_FINISHED_RETENTION_MS;
  const logger = deps.logger.child({ component: "approver-dms" });

  async function permalinkOf(request: ApprovalRequest, chat: ChatPort): Promise<string | undefined> {
    if (request.message === undefined) return undefined;
    try {
      return await chat.getPermalink(request.message);
    } catch (error) {
      logger.warn({ err: error, approval: request.id }, "no link to the card for the approvers' messages");
      return undefined;
    }
  }

  async function detailsOf(requestId: string): Promise<RequestDetails | undefined> {
    try {
      return await deps.readDetails?.(requestId);
    } catch (error) {
      logger.warn({ err: error, approval: requestId }, "no details for the approvers' messages");
      return undefined;
    }
  }

  async function ask(request: ApprovalRequest, chat: ChatPort, members: GroupMembers): Promise<void> {
    if (!notifies(request.requirement, "dm")) return;
    // Nor those whose approval lapsed: they are no longer among its approvers.
    const given = new Set([...request.approvals, ...(request.lapsedApprovals ?? [])].map((a) => a.userId));
    const people = eligibleApprovers(askedNow(request), request.requester.userId, members).filter(
      (u) => !given.has(u),
    );
    if (people.length === 0) return;
    if (people.length > MAX_APPROVAL_DMS)
      logger.warn({ people: people.length, approval: request.id }, "too many approvers to message each");
    const view = buildApprovalDmView({ request, permalink: await permalinkOf(request, chat) });
    const stage = currentStage(request)?.stage.name;
    const sent: ApprovalDms["messages"] = [];
    for (const userId of people.slice(0, MAX_APPROVAL_DMS)) {
      try {
        const ref = await chat.postDirect(userId, view);
        sent.push({ userId, channel: ref.channel, ts: ref.ts, ...(stage !== undefined && { stage }) });
      } catch (error) {
        logger.warn({ err: error, userId, approval: request.id }, "could not message an approver");
      }
    }
    if (sent.length === 0) return;
    let closedAlready: string | undefined;
    try {
      // Appended in one write that also reads `shown`: a `settled` that claimed before this write did not see
      // these messages, so they are closed here; one that claims after it sees them and closes them itself.
      const kept = await deps.store.update<ApprovalDms>(
        approvalDmsKey(request.id),
        (current) => ({
          ...(current?.value ?? {}),
          messages: [...(current?.value.messages ?? []), ...sent],
        }),
        { retries: 20, ttlMs },
      );
      closedAlready = kept.ok && kept.changed ? ApprovalDmsSchema.parse(kept.value).shown : undefined;
    } catch (error) {
      // The messages went out; they are just not updated at the end.
      logger.warn({ err: error, approval: request.id }, "could not keep the approvers' messages");
      return;
    }
    if (closedAlready === undefined) return;
    // Best effort like the rest: a failure here is logged, never raised to the request's handler.
    await closeLate(request.id, sent, chat).catch((error: unknown) =>
      logger.warn({ err: error, approval: request.id }, "could not close the messages sent too late"),
    );
  }

  /**
   * Updates messages that were sent after the request had stopped waiting to what it is now. The outcome may
   * move on while this runs (approved, then succeeded): the record's `shown` is read again after each update,
   * and the messages follow it until it stays put (a `settled` that claims after the append updates them too).
   */
  async function closeLate(
    requestId: string,
    messages: ApprovalDms["messages"],
    chat: ChatPort,
  ): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const request = await deps.readRequest(requestId);
      if (request === undefined) return;
      const view = buildApprovalDmClosedView({
        request,
        permalink: await permalinkOf(request, chat),
        details: await detailsOf(requestId),
      });
      if (view === undefined) return;
      await updateEach(requestId, messages, view, chat);
      const shown = ApprovalDmsSchema.safeParse((await deps.store.get(approvalDmsKey(requestId)))?.value).data
        ?.shown;
      if (shown === outcomeOf(request)) return;
    }
  }

  async function updateEach(
    requestId: string,
    messages: ApprovalDms["messages"],
    view: NonNullable<ReturnType<typeof buildApprovalDmClosedView>>,
    chat: ChatPort,
  ): Promise<void> {
    for (const m of messages) {
      await chat
        .updateMessage({ channel: m.channel, ts: m.ts }, view)
        .catch((error: unknown) =>
          logger.warn({ err: error, userId: m.userId, approval: requestId }, "could not update a message"),
        );
    }
  }

  /**
   * Brings each of `messages` to what it should say for the request as read now, and checks afterwards: when the
   * request moved on meanwhile (another approval on another replica, whose own update may have landed before
   * ours), the messages that now read differently are updated again, so the last update shows the latest state
   * read from the store. A request that stopped waiting meanwhile is `settled`'s, which may have closed the
   * messages before our update overwrote them: they are closed again (`closeLate`). Bounded like `closeLate`.
   */
  async function follow(requestId: string, messages: ApprovalDms["messages"], chat: ChatPort): Promise<void> {
    const shows = new Map<string, string>();
    let permalink: string | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const request = await deps.readRequest(requestId);
      if (request === undefined) return;
      if (request.status !== "pending") {
        if (attempt > 0) await closeLate(requestId, messages, chat);
        return;
      }
      if (attempt === 0) permalink = await permalinkOf(request, chat);
      let updated = false;
      for (const m of messages) {
        const view = buildApprovalDmViewFor({ request, permalink, userId: m.userId, stage: m.stage });
        const key = `${m.channel}/${m.ts}`;
        const print = JSON.stringify(view);
        if (shows.get(key) === print) continue;
        updated = true;
        shows.set(key, print);
        await chat
          .updateMessage({ channel: m.channel, ts: m.ts }, view)
          .catch((error: unknown) =>
            logger.warn({ err: error, userId: m.userId, approval: requestId }, "could not update a message"),
          );
      }
      if (!updated) return;
    }
  }

  return {
    requested: (request, chat, members) => ask(request, chat, members),
    async progressed(request, effects, chat) {
      if (!notifies(request.requirement, "dm") || request.status !== "pending") return;
      const recorded = effects.flatMap((e) => (e.type === "approval_recorded" ? [e] : []));
      if (recorded.length === 0) return;
      try {
        const kept = ApprovalDmsSchema.safeParse(
          (await deps.store.get(approvalDmsKey(request.id)))?.value,
        ).data;
        if (kept === undefined || kept.shown !== undefined) return;
        // Only the messages an approval changes: its stage's (every one of an unstaged request). Approvals that
        // lapsed may reopen an earlier stage: then every message.
        const every = recorded.some((e) => e.stage === undefined || (e.lapsed?.length ?? 0) > 0);
        const stages = new Set(recorded.map((e) => e.stage));
        const changed = kept.messages.filter((m) => every || m.stage === undefined || stages.has(m.stage));
        if (changed.length > 0) await follow(request.id, changed, chat);
      } catch (error) {
        logger.warn({ err: error, approval: request.id }, "could not update the approvers' messages");
      }
    },
    async stageReached(request, chat) {
      if (!notifies(request.requirement, "dm") || request.status !== "pending") return;
      try {
        await ask(request, chat, snapshotOf(await chat.recentUserGroups()).members);
      } catch (error) {
        logger.warn({ err: error, approval: request.id }, "could not message the next stage's approvers");
      }
    },
    async settled(request, chat) {
      const outcome = outcomeOf(request);
      // Nobody was messaged about a request whose rule does not say `dm`: no record to read.
      if (outcome === "pending" || !notifies(request.requirement, "dm")) return;
      try {
        const key = approvalDmsKey(request.id);
        // The claim: only the write that moves `shown` to this outcome updates the messages. An absent record
        // is created with it (messages still being sent then find it and close themselves: `ask`).
        const claimed = await deps.store.update<ApprovalDms>(
          key,
          (current) =>
            current === undefined
              ? { messages: [], shown: outcome }
              : current.value.shown === outcome
                ? NO_CHANGE
                : { ...current.value, shown: outcome },
          { retries: 20, ttlMs },
        );
        if (!claimed.ok || !claimed.changed) return;
        const messages = ApprovalDmsSchema.parse(claimed.value).messages;
        if (messages.length === 0) return;
        const view = buildApprovalDmClosedView({
          request,
          permalink: await permalinkOf(request, chat),
          details: await detailsOf(request.id),
        });
        if (view === undefined) return;
        await updateEach(request.id, messages, view, chat);
      } catch (error) {
        logger.warn({ err: error, approval: request.id }, "could not update the approvers' messages");
      }
    },
  };
}
