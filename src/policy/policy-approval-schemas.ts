/**
 * The people and places a policy file names (Slack user IDs, user-group handles, channels) and its approval
 * side: `require_approval` with its stages, `defaults` and `break_glass`. Apart from `policy-file-schema.ts`,
 * which holds the rules (actions, `match`, `effect`) and the checks across the whole file.
 */
import * as z from "zod";
import { boundedDurationSchema } from "../config/parse-duration.js";

const slackUserId = z.string().refine((s) => /^[UW][A-Z0-9_]{2,}$/.test(s), {
  params: {
    predicate:
      "is not a Slack user ID (like U0123ABCD); list people by ID, or put a user-group handle under `groups`",
  },
});

const groupHandle = z.string().refine((s) => /^@?[a-z0-9][a-z0-9._-]*$/i.test(s), {
  params: { predicate: "is not a Slack user-group handle (like ops-approvers)" },
});

const CHANNEL_ID_RE = /^[CGD][A-Z0-9_]{2,}$/;

const channelId = z.string().refine((s) => CHANNEL_ID_RE.test(s), {
  params: { predicate: "is not a Slack channel ID (like C0123ABCD); put channel names under `names`" },
});

/** `break_glass.alert_channel`: one channel the bot posts to, by ID only (it has no `names` beside it). */
const alertChannelId = z.string().refine((s) => CHANNEL_ID_RE.test(s), {
  params: {
    predicate:
      "is not a Slack channel ID (like C0123ABCD); `alert_channel` takes the channel's ID, not its name (in Slack, the channel's details show its ID at the bottom)",
  },
});

const channelName = z.string().refine((s) => /^#?[a-z0-9][a-z0-9_-]*$/i.test(s), {
  params: { predicate: "is not a Slack channel name (like ops or #ops)" },
});

/** `users` and/or `groups`: who a rule's requesters, approvers or reviewers are. */
export const principals = z
  .strictObject({
    users: z.array(slackUserId).default([]),
    groups: z.array(groupHandle).default([]),
  })
  .refine((p) => p.users.length + p.groups.length > 0, {
    message: "list at least one user ID under `users` or one group handle under `groups`",
  });

/** `ids` and/or `names`: the channels a rule matches, or the bot answers in. */
export const channelSet = z
  .strictObject({
    ids: z.array(channelId).default([]),
    names: z.array(channelName).default([]),
  })
  .refine((c) => c.ids.length + c.names.length > 0, {
    message: "list at least one channel under `ids` or `names`",
  });

/** How the approvers hear of a request: a mention on the card, a direct message each, or neither. */
const notifyApprovers = z.enum(["mention", "dm", "none"], {
  error:
    "`notify_approvers` must be `mention` (on the card), `dm` (a direct message to each approver) or `none`",
});

/** Longest `expires_in`: a month. Beyond it a request outlives any sensible review (and huge values overflow dates). */
export const MAX_EXPIRES_IN_MS = 30 * 86_400_000;
const expiresIn = boundedDurationSchema({ minMs: 1_000, maxMs: MAX_EXPIRES_IN_MS, example: "30m" });

/** One stage of `require_approval: { stages: [...] }`. */
const stage = z
  .strictObject({
    name: z.string().trim().min(1).max(40),
    approvers: principals.optional(),
    min_approvals: z.int().min(1).optional(),
    allow_self_approval: z.boolean().optional(),
    expires_in: expiresIn.optional(),
    reason_required: z.boolean().optional(),
  })
  .superRefine((st, ctx) => {
    const shortfall = unmeetable(st.min_approvals ?? 1, st.approvers, "listed");
    if (shortfall !== undefined)
      ctx.addIssue({
        code: "custom",
        path: [st.min_approvals !== undefined ? "min_approvals" : "approvers"],
        message: shortfall,
      });
  });

/** `require_approval: {…}`: who approves and how many, in one step or in named `stages`. */
export const approval = z
  .strictObject({
    stages: z.array(stage).min(1).max(5).optional(),
    approvers: principals.optional(),
    min_approvals: z.int().min(1).optional(),
    additional_approvals: z.int().min(1).optional(),
    allow_self_approval: z.boolean().optional(),
    expires_in: expiresIn.optional(),
    reason_required: z.boolean().optional(),
    notify_approvers: notifyApprovers.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.stages !== undefined) {
      for (const key of [
        "approvers",
        "min_approvals",
        "additional_approvals",
        "allow_self_approval",
      ] as const) {
        if (a[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `with \`stages\`, each stage sets its own \`${key}\`; move it into the stages`,
          });
      }
      const names = new Map<string, number>();
      a.stages.forEach((st, index) => {
        const key = st.name.toLowerCase();
        const first = names.get(key);
        if (first === undefined) names.set(key, index);
        else
          ctx.addIssue({
            code: "custom",
            path: ["stages", index, "name"],
            message: `stage name \`${st.name}\` is already used by stages[${first}]; stage names must be unique`,
          });
      });
      return;
    }
    if (a.min_approvals !== undefined && a.additional_approvals !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["additional_approvals"],
        message:
          "use either `min_approvals` (this rule sets the requirement) or `additional_approvals` (this rule adds to the requirement other rules set), not both",
      });
    }
    const shortfall = unmeetable(a.min_approvals ?? 1, a.approvers, "listed");
    if (shortfall !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [a.min_approvals !== undefined ? "min_approvals" : "approvers"],
        message: shortfall,
      });
    }
  });

/**
 * Why `needed` approvals can never be given by approvers who are only listed users (groups can grow in
 * Slack, so only a users-only list is checked here; groups are counted when a request is made).
 */
export function unmeetable(
  needed: number,
  people: { users: string[]; groups: string[] } | undefined,
  where: string,
): string | undefined {
  if (people === undefined || people.groups.length > 0 || people.users.length === 0) return undefined;
  if (people.users.length >= needed) return undefined;
  const n = people.users.length;
  return `\`min_approvals: ${needed}\` can never be met: only ${n} ${n === 1 ? "approver is" : "approvers are"} ${where} (users only, no group)`;
}

/** `defaults:`: the approval terms a rule's `require_approval` falls back on. */
export const defaults = z.strictObject({
  approvers: principals.optional(),
  expires_in: expiresIn.optional(),
  allow_self_approval: z.boolean().optional(),
  reason_required: z.boolean().optional(),
  notify_approvers: notifyApprovers.optional(),
});

/** Longest `break_glass.remind_every`: a week. */
const remindEvery = boundedDurationSchema({ minMs: 60_000, maxMs: 7 * 86_400_000, example: "1h" });

/** `break_glass:`: who may skip approval in an emergency, where it is announced and how it is reviewed. */
export const breakGlass = z.strictObject({
  groups: z.array(groupHandle).min(1),
  alert_channel: alertChannelId,
  remind_every: remindEvery.optional(),
  reviewers: principals.optional(),
  min_reason_length: z.int().min(15).max(200).optional(),
});
