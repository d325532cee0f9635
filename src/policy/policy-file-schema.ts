import * as z from "zod";
import { calendarsSchema } from "../calendars/calendar-file-schema.js";
import { boundedDurationSchema } from "../config/parse-duration.js";
import { suggestClosest } from "../config/suggest-closest.js";
import { MAX_WAVES, parseCountOrShare } from "../waves/plan-waves.js";
import { KNOWN_ACTIONS } from "./actions.js";
import { matchGlob } from "./match-glob.js";

// The on-disk shape of flows/policy.yml (snake_case, as written). `load-policy.ts` compiles it into `Policy`.

const slackUserId = z.string().refine((s) => /^[UW][A-Z0-9_]{2,}$/.test(s), {
  params: {
    predicate:
      "is not a Slack user ID (like U0123ABCD); list people by ID, or put a user-group handle under `groups`",
  },
});

const groupHandle = z.string().refine((s) => /^@?[a-z0-9][a-z0-9._-]*$/i.test(s), {
  params: { predicate: "is not a Slack user-group handle (like ops-approvers)" },
});

const channelId = z.string().refine((s) => /^[CGD][A-Z0-9_]{2,}$/.test(s), {
  params: { predicate: "is not a Slack channel ID (like C0123ABCD); put channel names under `names`" },
});

const channelName = z.string().refine((s) => /^#?[a-z0-9][a-z0-9_-]*$/i.test(s), {
  params: { predicate: "is not a Slack channel name (like ops or #ops)" },
});

const principals = z
  .strictObject({
    users: z.array(slackUserId).default([]),
    groups: z.array(groupHandle).default([]),
  })
  .refine((p) => p.users.length + p.groups.length > 0, {
    message: "list at least one user ID under `users` or one group handle under `groups`",
  });

const channelSet = z
  .strictObject({
    ids: z.array(channelId).default([]),
    names: z.array(channelName).default([]),
  })
  .refine((c) => c.ids.length + c.names.length > 0, {
    message: "list at least one channel under `ids` or `names`",
  });

const actionPattern = z.string().superRefine((pattern, ctx) => {
  if (!/^[A-Za-z*?]+(:[A-Za-z*?]+)*$/.test(pattern)) {
    ctx.addIssue({
      code: "custom",
      message: `action \`${pattern}\` is not an action pattern; write service:resource:verb, e.g. ecs:cloudServers:stop or ecs:*`,
    });
    return;
  }
  if (KNOWN_ACTIONS.some((action) => matchGlob(pattern, action))) return;
  const guess = suggestClosest(pattern, KNOWN_ACTIONS);
  const service = pattern.split(":")[0] ?? "";
  const sameService = KNOWN_ACTIONS.filter((action) => action.startsWith(`${service}:`));
  const known =
    sameService.length > 0
      ? `; known ${service} actions: ${sameService.join(", ")}`
      : `; known services: ${[...new Set(KNOWN_ACTIONS.map((a) => a.split(":")[0]))].join(", ")}`;
  const hint = guess !== undefined ? ` (did you mean \`${guess}\`?)` : known;
  ctx.addIssue({ code: "custom", message: `action \`${pattern}\` matches no known action${hint}` });
});

const count = z.int().min(0);

/** How the approvers hear of a request: a mention on the card, a direct message each, or neither. */
const notifyApprovers = z.enum(["mention", "dm", "none"], {
  error:
    "`notify_approvers` must be `mention` (on the card), `dm` (a direct message to each approver) or `none`",
});

const conditions = z
  .strictObject({
    requesters: principals.optional(),
    channels: channelSet.optional(),
    targets: z
      .strictObject({
        tags: z.record(z.string().min(1), z.string()).default({}),
        names: z.array(z.string().min(1)).default([]),
      })
      .refine((t) => t.names.length + Object.keys(t.tags).length > 0, {
        message: "`targets` needs `tags` or `names` to match on",
      })
      .optional(),
    target_count: z
      .strictObject({ min: count.optional(), max: count.optional() })
      .superRefine((c, ctx) => {
        if (c.min === undefined && c.max === undefined) {
          ctx.addIssue({ code: "custom", message: "`target_count` needs `min` or `max`" });
        } else if (c.min !== undefined && c.max !== undefined && c.min > c.max) {
          ctx.addIssue({
            code: "custom",
            path: ["min"],
            message: `\`min: ${c.min}\` is above \`max: ${c.max}\``,
          });
        }
      })
      .optional(),
    tag_change: z
      .strictObject({
        touches_policy_tags: z.boolean().optional(),
        adds: z.record(z.string().min(1), z.string().min(1)).optional(),
        removes: z.record(z.string().min(1), z.string().min(1)).optional(),
      })
      .refine(
        (t) =>
          t.touches_policy_tags !== undefined ||
          Object.keys(t.adds ?? {}).length + Object.keys(t.removes ?? {}).length > 0,
        { message: "`tag_change` needs `touches_policy_tags`, `adds` or `removes`" },
      )
      .optional(),
    during: z.array(z.string().min(1)).min(1).optional(),
    outside: z.array(z.string().min(1)).min(1).optional(),
    flags: z
      .strictObject({
        hard: z.boolean().optional(),
        delete_volume: z.boolean().optional(),
        delete_eip: z.boolean().optional(),
        dry_run: z.boolean().optional(),
      })
      .optional(),
  })
  .optional();

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

const approval = z
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
function unmeetable(
  needed: number,
  people: { users: string[]; groups: string[] } | undefined,
  where: string,
): string | undefined {
  if (people === undefined || people.groups.length > 0 || people.users.length === 0) return undefined;
  if (people.users.length >= needed) return undefined;
  const n = people.users.length;
  return `\`min_approvals: ${needed}\` can never be met: only ${n} ${n === 1 ? "approver is" : "approvers are"} ${where} (users only, no group)`;
}

const EFFECT_SHAPE_HELP =
  "`effect` must be `allow`, `{ deny: <message> }`, `{ require_approval: {…} }`, `{ max_targets: N }` and/or `{ require_waves: {…} }`";

/** `require_waves: { min_waves: 3, max_failures: "10%" }`. */
const requireWaves = z.strictObject({
  min_waves: z.int().min(1).max(MAX_WAVES),
  max_failures: z.union([z.int().min(1), z.string()]).transform((value, ctx) => {
    const parsed = parseCountOrShare(String(value));
    if (parsed === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `\`max_failures: ${value}\` is not a number of servers or a share such as \`"10%"\``,
      });
      return z.NEVER;
    }
    return parsed;
  }),
});

const effectObject = z
  .strictObject(
    {
      allow: z.literal(true).optional(),
      deny: z.string().trim().min(1).optional(),
      require_approval: approval.optional(),
      max_targets: z.int().min(1).optional(),
      require_waves: requireWaves.optional(),
    },
    {
      error: (issue) => {
        if (issue.code !== "invalid_type") return undefined;
        if (issue.input === "deny")
          return '`effect: deny` needs a message: write `effect: { deny: "why it is refused" }`';
        if (issue.input === "require_approval") {
          return "`effect: require_approval` needs its terms: write `effect: { require_approval: { min_approvals: 1 } }`";
        }
        if (typeof issue.input === "string" && suggestClosest(issue.input, ["allow"]) !== undefined) {
          return `\`effect: ${issue.input}\` is not an effect (did you mean \`allow\`?)`;
        }
        return EFFECT_SHAPE_HELP;
      },
    },
  )
  .superRefine((e, ctx) => {
    const parts = (["allow", "deny", "require_approval", "max_targets", "require_waves"] as const).filter(
      (k) => e[k] !== undefined,
    );
    if (parts.length === 0)
      ctx.addIssue({ code: "custom", message: `\`effect\` is empty; ${EFFECT_SHAPE_HELP}` });
    if (e.deny !== undefined && parts.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["deny"],
        message: "`deny` stands alone; move the other parts to another rule",
      });
    }
    if (e.allow !== undefined && e.require_approval !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["allow"],
        message: "`allow` and `require_approval` contradict each other; keep one",
      });
    }
  });

const effect = z.preprocess((value) => (value === "allow" ? { allow: true } : value), effectObject);

const ruleId = z.string().refine((s) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s), {
  params: { predicate: "is not a valid rule id; use letters, digits, `-`, `_` and `.`" },
});

const rule = z.strictObject({
  id: ruleId,
  description: z.string().trim().min(1),
  actions: z.array(actionPattern).min(1),
  match: conditions,
  effect,
});

const defaults = z.strictObject({
  approvers: principals.optional(),
  expires_in: expiresIn.optional(),
  allow_self_approval: z.boolean().optional(),
  reason_required: z.boolean().optional(),
  notify_approvers: notifyApprovers.optional(),
});

/** Longest `break_glass.remind_every`: a week. */
const remindEvery = boundedDurationSchema({ minMs: 60_000, maxMs: 7 * 86_400_000, example: "1h" });

/** `break_glass:`: who may skip approval in an emergency, where it is announced and how it is reviewed. */
const breakGlass = z.strictObject({
  groups: z.array(groupHandle).min(1),
  alert_channel: channelId,
  remind_every: remindEvery.optional(),
  reviewers: principals.optional(),
  min_reason_length: z.int().min(15).max(200).optional(),
});

/**
 * The policy file: `version`, `defaults`, `break_glass`, `allowed_channels`, `calendars` and `rules`. An empty
 * file is an empty policy.
 */
export const policyFileSchema = z
  .strictObject({
    version: z.literal(1).optional(),
    defaults: defaults.optional(),
    break_glass: breakGlass.optional(),
    allowed_channels: channelSet.optional(),
    calendars: calendarsSchema.optional(),
    // `rules:` with nothing after it reads as "no rules", which is what the author meant.
    rules: z.preprocess((v) => v ?? [], z.array(rule)),
  })
  .superRefine((file, ctx) => {
    if (
      file.break_glass !== undefined &&
      file.break_glass.reviewers === undefined &&
      file.defaults?.approvers === undefined
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["break_glass"],
        message: "`break_glass` needs `reviewers` (who acknowledge each use), or set `defaults.approvers`",
      });
    }
    const seen = new Map<string, number>();
    const calendarNames = Object.keys(file.calendars ?? {});
    file.rules.forEach((r, index) => {
      for (const key of ["during", "outside"] as const) {
        (r.match?.[key] ?? []).forEach((name, i) => {
          if (calendarNames.includes(name)) return;
          const guess = suggestClosest(name, calendarNames);
          const known =
            calendarNames.length > 0
              ? `; calendars: ${calendarNames.join(", ")}`
              : "; the policy has no `calendars:`";
          ctx.addIssue({
            code: "custom",
            path: ["rules", index, "match", key, i],
            message: `calendar \`${name}\` is not defined under \`calendars:\`${guess !== undefined ? ` (did you mean \`${guess}\`?)` : known}`,
          });
        });
      }
      const first = seen.get(r.id);
      if (first === undefined) seen.set(r.id, index);
      else {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "id"],
          message: `rule id \`${r.id}\` is already used by rules[${first}]; ids must be unique`,
        });
      }
      const approval = r.effect.require_approval;
      approval?.stages?.forEach((st, stageIndex) => {
        if (st.approvers === undefined && file.defaults?.approvers === undefined)
          ctx.addIssue({
            code: "custom",
            path: ["rules", index, "effect", "require_approval", "stages", stageIndex],
            message: "a stage needs `approvers` (or set `defaults.approvers`)",
          });
      });
      if (
        approval !== undefined &&
        approval.stages === undefined &&
        approval.approvers === undefined &&
        file.defaults?.approvers === undefined
      ) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "effect", "require_approval"],
          message: "`require_approval` needs `approvers` (or set `defaults.approvers` for every rule)",
        });
      }
      if (approval !== undefined && approval.stages === undefined && approval.approvers === undefined) {
        const shortfall = unmeetable(
          approval.min_approvals ?? 1,
          file.defaults?.approvers,
          "in `defaults.approvers`",
        );
        if (shortfall !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [
              "rules",
              index,
              "effect",
              "require_approval",
              approval.min_approvals !== undefined ? "min_approvals" : "",
            ].filter((p) => p !== ""),
            message: shortfall,
          });
        }
      }
    });
  });

export type PolicyFile = z.output<typeof policyFileSchema>;
