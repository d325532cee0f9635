import * as z from "zod";
import { calendarsSchema } from "../calendars/calendar-file-schema.js";
import { suggestClosest } from "../config/suggest-closest.js";
import { MAX_WAVES, parseCountOrShare } from "../waves/plan-waves.js";
import { KNOWN_ACTIONS } from "./actions.js";
import { matchGlob } from "./match-glob.js";
import {
  approval,
  breakGlass,
  channelSet,
  defaults,
  principals,
  unmeetable,
} from "./policy-approval-schemas.js";

export { MAX_EXPIRES_IN_MS } from "./policy-approval-schemas.js";

// The on-disk shape of flows/policy.yml (snake_case, as written). `load-policy.ts` compiles it into `Policy`.

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

/**
 * A policy without `rules:` (an empty file, one with only comments, or a `rules` key lost in an edit) would
 * deny every command without a word; the bot refuses it. A file that means it says `rules: []`.
 */
export const NO_RULES_MESSAGE =
  "the policy has no rules: every command would be denied; if that is meant, write `rules: []`";

/**
 * The policy file: `version`, `defaults`, `break_glass`, `allowed_channels`, `calendars` and `rules`. `rules`
 * is required ({@link NO_RULES_MESSAGE}); `rules: []` is an empty policy.
 */
export const policyFileSchema = z
  .strictObject({
    version: z.literal(1).optional(),
    defaults: defaults.optional(),
    break_glass: breakGlass.optional(),
    allowed_channels: channelSet.optional(),
    calendars: calendarsSchema.optional(),
    // `rules:` with nothing after it reads as "no rules", which is what the author wrote; no `rules` at all is
    // refused (an empty or comments-only file is reported at line 1).
    rules: z.preprocess(
      (v) => (v === null ? [] : v),
      z.array(rule, { error: (issue) => (issue.input === undefined ? NO_RULES_MESSAGE : undefined) }),
    ),
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
