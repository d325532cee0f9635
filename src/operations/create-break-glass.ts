import { z } from "zod";
import type { ChatPort, MessageRef } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { Logger } from "../log/create-logger.js";
import { canApprove } from "../policy/can-approve.js";
import type { BreakGlassPolicy, Principals } from "../policy/types.js";
import { abortUpdate, type Clock, NO_CHANGE, type Store, writeUpdate } from "../store/store.js";
import { buildBreakGlassAlert, buildBreakGlassReminder } from "./build-break-glass-views.js";
import type { GroupIds } from "./describe-request.js";
import { systemTimers, type Timers } from "./timers.js";

/** One use of `--break-glass`, kept until reviewed and after (for `/ops audit break-glass`). */
export const BreakGlassUseSchema = z.strictObject({
  /** The approval request it ran as. */
  id: z.string().min(1),
  userId: z.string().min(1),
  teamId: z.string().min(1),
  /** Where the command was typed. */
  channel: z.string().min(1),
  commandText: z.string(),
  /**
   * The servers it ran on, by ID with their names as resolved when it was used: a reviewer sees which servers
   * the typed command (an IP, a tag) meant. Absent on uses recorded before they were kept.
   */
  servers: z.array(z.strictObject({ id: z.string(), name: z.string() })).optional(),
  reason: z.string().min(1),
  at: z.number().int().nonnegative(),
  alertChannel: z.string().min(1),
  /** Who may acknowledge it (the policy's reviewers when it was used). */
  reviewers: z.strictObject({ users: z.array(z.string()), groups: z.array(z.string()) }),
  remindEveryMs: z.number().int().positive(),
  /** The request's thread. */
  threadLink: z.string().optional(),
  /** The alert card with its Acknowledge button, once posted. */
  alert: z.strictObject({ channel: z.string(), ts: z.string(), threadTs: z.string().optional() }).optional(),
  acknowledged: z.strictObject({ userId: z.string(), at: z.number().int() }).optional(),
  /** When the next reminder is due (each period's reminder is claimed by moving it on). */
  nextReminderAt: z.number().int(),
  reminders: z.number().int().nonnegative(),
});
export type BreakGlassUse = z.infer<typeof BreakGlassUseSchema>;

const useKey = (id: string) => `breakglass:use:${id}`;
/** Every use (listed by `/ops audit break-glass`). */
export const BREAK_GLASS_USES_SET = "breakglass:uses";
/** Uses not acknowledged yet (what the reminder pass looks at). */
export const BREAK_GLASS_OPEN_SET = "breakglass:open";

export type AcknowledgeResult =
  | { ok: true; changed: boolean; use: BreakGlassUse }
  | { ok: false; code: "not_found" | "not_a_reviewer" | "own_use"; message: string };

export interface BreakGlass {
  /**
   * Records a use (with its `break_glass.used` audit entry, atomically) and posts its alert card. Throws
   * when it cannot be recorded: then the request must not run. A card that cannot be posted is retried by
   * the reminder pass.
   */
  record(request: ApprovalRequest, root: MessageRef, policy: BreakGlassPolicy, chat: ChatPort): Promise<void>;
  /** An Acknowledge click, judged now: the clicker's groups as read now, not the user who broke the glass. */
  acknowledge(
    id: string,
    user: { userId: string; teamId: string; groups: readonly string[] },
  ): Promise<AcknowledgeResult>;
  get(id: string): Promise<BreakGlassUse | undefined>;
  /** Every use, newest first. */
  list(): Promise<BreakGlassUse[]>;
  /**
   * One reminder pass: each unacknowledged use whose reminder is due gets one (missed periods collapse into
   * it), posted by whichever replica moves its `nextReminderAt` on first. Returns how many this call posted.
   */
  remindDue(): Promise<number>;
  /** Reminder passes on an interval (by the injected timers); `stop` ends them. */
  start(): void;
  stop(): Promise<void>;
  /** Re-renders a use's alert card (after an acknowledgement). */
  refreshAlert(use: BreakGlassUse): Promise<void>;
}

export interface BreakGlassOptions {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  logger: Logger;
  chat: () => ChatPort | undefined;
  /**
   * The reviewers' user-group IDs by handle, so the alert and its reminders mention the groups (and Slack
   * notifies their members); without it, or for a group it lacks, the group is named as text.
   */
  groupIds?: () => Promise<GroupIds>;
  /** How often due reminders are looked for. Default 30 s. */
  intervalMs?: number;
  timers?: Pick<Timers, "setInterval" | "clearInterval">;
}

/** Break-glass uses over the shared store: the record, its alert card, acknowledgements and reminders. */
export function createBreakGlass(options: BreakGlassOptions): BreakGlass {
  const { store, clock, audit, logger } = options;
  const timers = options.timers ?? systemTimers;
  let handle: unknown;
  let current: Promise<number> | undefined;

  async function get(id: string): Promise<BreakGlassUse | undefined> {
    const stored = await store.get<unknown>(useKey(id));
    return stored === undefined ? undefined : BreakGlassUseSchema.parse(stored.value);
  }

  const groupIds = async (): Promise<GroupIds> => (await options.groupIds?.()) ?? {};

  async function postAlert(use: BreakGlassUse, chat: ChatPort): Promise<void> {
    const ref = await chat.postMessage(use.alertChannel, buildBreakGlassAlert(use, await groupIds()));
    await store.update<unknown, "gone">(
      useKey(use.id),
      (cur) => {
        if (cur === undefined) return abortUpdate("gone");
        const now = BreakGlassUseSchema.parse(cur.value);
        if (now.alert !== undefined) return NO_CHANGE;
        return { ...now, alert: { channel: ref.channel, ts: ref.ts } };
      },
      { retries: 20 },
    );
  }

  async function refreshAlert(use: BreakGlassUse): Promise<void> {
    const chat = options.chat();
    if (chat === undefined || use.alert === undefined) return;
    await chat.updateMessage(use.alert, buildBreakGlassAlert(use, await groupIds()));
  }

  async function remindOne(id: string, now: number): Promise<boolean> {
    let claimed: BreakGlassUse | undefined;
    const result = await store.update<unknown, "gone">(
      useKey(id),
      (cur) => {
        claimed = undefined;
        if (cur === undefined) return abortUpdate("gone");
        const use = BreakGlassUseSchema.parse(cur.value);
        if (use.acknowledged !== undefined || now < use.nextReminderAt) return NO_CHANGE;
        // The next slot after now: periods missed while no replica ran collapse into this one reminder.
        const periods = Math.floor((now - use.nextReminderAt) / use.remindEveryMs) + 1;
        claimed = {
          ...use,
          nextReminderAt: use.nextReminderAt + periods * use.remindEveryMs,
          reminders: use.reminders + 1,
        };
        return claimed;
      },
      { retries: 20 },
    );
    if (!result.ok || !result.changed || claimed === undefined) return false;
    const chat = options.chat();
    if (chat === undefined) return false;
    if (claimed.alert === undefined) {
      // The card never made it (Slack was down when the glass was broken): post it now instead.
      await postAlert(claimed, chat);
      return true;
    }
    await chat.postMessage(claimed.alert.channel, buildBreakGlassReminder(claimed, now, await groupIds()), {
      threadTs: claimed.alert.ts,
    });
    return true;
  }

  async function remindDue(): Promise<number> {
    const now = clock.now();
    let posted = 0;
    for (const id of await store.members(BREAK_GLASS_OPEN_SET)) {
      try {
        if (await remindOne(id, now)) posted++;
      } catch (error) {
        logger.warn({ err: error, breakGlass: id }, "could not remind of a break-glass use");
      }
    }
    return posted;
  }

  return {
    async record(request, root, policy, chat) {
      const reason = request.breakGlass?.reason;
      if (reason === undefined) throw new Error(`request ${request.id} did not break the glass`);
      const at = clock.now();
      let threadLink: string | undefined;
      try {
        threadLink = await chat.getPermalink(root);
      } catch (error) {
        logger.warn({ err: error }, "no link to the break-glass request's thread");
      }
      const use: BreakGlassUse = BreakGlassUseSchema.parse({
        id: request.id,
        userId: request.requester.userId,
        teamId: request.requester.teamId,
        channel: request.channel,
        commandText: request.commandText,
        servers: request.targets.map((t) => ({ id: t.id, name: t.name })),
        reason,
        at,
        alertChannel: policy.alertChannel,
        reviewers: policy.reviewers,
        remindEveryMs: policy.remindEveryMs,
        ...(threadLink !== undefined && { threadLink }),
        nextReminderAt: at + policy.remindEveryMs,
        reminders: 0,
      } satisfies BreakGlassUse);
      const entry = audit.prepare({
        type: "break_glass.used",
        at,
        actorId: use.userId,
        teamId: use.teamId,
        requesterId: use.userId,
        requestId: request.id,
        action: request.action,
        serverIds: request.targets.map((t) => t.id),
        ruleIds: request.ruleIds,
        bindingHash: request.bindingHash,
        message: reason,
        detail: { breakGlass: true, reason, alertChannel: use.alertChannel, channel: use.channel },
      });
      const created = await store.createIfAbsent(useKey(use.id), use, {
        append: [entry.append],
        addToSets: [
          { setKey: BREAK_GLASS_USES_SET, member: use.id },
          { setKey: BREAK_GLASS_OPEN_SET, member: use.id },
        ],
      });
      if (!created) return;
      entry.publish();
      try {
        await postAlert(use, chat);
      } catch (error) {
        logger.warn(
          { err: error, breakGlass: use.id },
          "could not post the break-glass alert; retried later",
        );
      }
    },

    async acknowledge(id, user) {
      const found = await get(id);
      if (found === undefined)
        return { ok: false, code: "not_found", message: "This break-glass use is not known." };
      if (user.userId === found.userId) {
        return { ok: false, code: "own_use", message: "You broke the glass; someone else reviews it." };
      }
      const reviewer =
        user.teamId === found.teamId &&
        canApprove({ approvers: found.reviewers, allowSelfApproval: true }, user, found.userId).ok;
      if (!reviewer) {
        return {
          ok: false,
          code: "not_a_reviewer",
          message: `Only ${describeReviewers(found.reviewers)} acknowledge break-glass uses.`,
        };
      }
      const at = clock.now();
      let acked: BreakGlassUse | undefined;
      let entry: ReturnType<AuditLog["prepare"]> | undefined;
      const result = await store.update<unknown, "gone">(
        useKey(id),
        (cur) => {
          acked = undefined;
          if (cur === undefined) return abortUpdate("gone");
          const use = BreakGlassUseSchema.parse(cur.value);
          if (use.acknowledged !== undefined) return NO_CHANGE;
          acked = { ...use, acknowledged: { userId: user.userId, at } };
          entry = audit.prepare({
            type: "break_glass.acknowledged",
            at,
            actorId: user.userId,
            teamId: user.teamId,
            requesterId: use.userId,
            requestId: use.id,
            message: use.reason,
            detail: { breakGlass: true, usedAt: use.at, reminders: use.reminders },
          });
          return writeUpdate(acked, {
            append: [entry.append],
            removeFromSets: [{ setKey: BREAK_GLASS_OPEN_SET, member: use.id }],
          });
        },
        { retries: 20 },
      );
      if (!result.ok) {
        if (result.reason === "conflict") throw new Error(`could not acknowledge ${id}: too much contention`);
        return { ok: false, code: "not_found", message: "This break-glass use is not known." };
      }
      if (result.changed && acked !== undefined) {
        entry?.publish();
        return { ok: true, changed: true, use: acked };
      }
      const now = await get(id);
      if (now === undefined)
        return { ok: false, code: "not_found", message: "This break-glass use is not known." };
      return { ok: true, changed: false, use: now };
    },

    get,

    async list() {
      const uses = await Promise.all((await store.members(BREAK_GLASS_USES_SET)).map(get));
      return uses.filter((u): u is BreakGlassUse => u !== undefined).sort((a, b) => b.at - a.at);
    },

    remindDue() {
      // Passes in this process run one after another, each reading the clock when it starts: a pass asked for
      // now never answers with one that began before (the store's CAS decides between replicas).
      const pass = (current ?? Promise.resolve(0)).then(() =>
        remindDue().catch((error: unknown) => {
          logger.error({ err: error }, "break-glass reminder pass failed");
          return 0;
        }),
      );
      current = pass;
      void pass.finally(() => {
        if (current === pass) current = undefined;
      });
      return pass;
    },

    start() {
      if (handle !== undefined) return;
      handle = timers.setInterval(() => void this.remindDue(), options.intervalMs ?? 30_000);
    },

    async stop() {
      if (handle !== undefined) timers.clearInterval(handle);
      handle = undefined;
      await current;
    },

    refreshAlert,
  };
}

function describeReviewers(p: Principals): string {
  const parts = [
    ...p.groups.map((g) => `members of @${g}`),
    ...(p.users.length > 0 ? ["the listed reviewers"] : []),
  ];
  return parts.join(" and ");
}
