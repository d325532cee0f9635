import type { CalendarNote } from "../calendars/explain-calendar-conditions.js";
import type { DecisionExplanation } from "../policy/explain-decision.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  code,
  context,
  list,
  localTime,
  type Message,
  md,
  type Part,
  type Span,
  section,
} from "../render/message-model.js";
import { typeable } from "../views/format-values.js";

export interface PolicyExplanationInput {
  commandLine: string;
  /** IAM-style action of the explained command. */
  action: string;
  explanation: DecisionExplanation;
  /** The servers the command would act on, as resolved now (tags shown: rules match on them). */
  servers: readonly { id: string; name: string; tags: Readonly<Record<string, string>> }[];
  /** Targets that could not be resolved (the decision was made without them). */
  unresolved: readonly string[];
  /** The calendars the matching rules look at, as they stand now. */
  calendars?: readonly CalendarNote[];
}

/**
 * After an `allow` rule that the rules asking for approval override: that it lifts nothing, and why (the
 * precedence `flows/policy.yml` documents), so an admin who wrote it to exempt someone is not left to guess.
 * Rule lines start with the rule's id and `: ` (ids hold neither `:` nor spaces).
 */
function overruledNote(e: DecisionExplanation, ruleLine: string): Span[] {
  const o = e.overruledAllows;
  if (o === undefined || !o.ruleIds.some((id) => ruleLine.startsWith(`${id}: `))) return [];
  const ids = o.by.flatMap((id, i) => [...(i > 0 ? md`, ` : []), code(id)]);
  const one = o.by.length === 1;
  return md`
  ↳ _Its allow is overridden here:_ ${ids} ${one ? "asks" : "ask"} for approval, and when rules match the strictest outcome wins (deny, then too many targets, then approval, then allow). To exempt someone, narrow the \`match\` of ${one ? "that rule" : "those rules"}.`;
}

const ICONS = { allow: ":white_check_mark:", needs_approval: ":raising_hand:", deny: ":no_entry:" } as const;

/** `/ops policy explain`: the decision, its terms, the rules behind it and the targets considered. Pure. */
export function buildPolicyExplanationView(input: PolicyExplanationInput): Message {
  const { explanation: e } = input;
  const blocks: Part[] = [
    section({
      text: [
        { t: "plain", v: ICONS[e.effect] },
        ...md` *${e.headline}:* ${code(input.commandLine)}`,
        ...e.details.flatMap((d) => md`\n• ${d}`),
      ],
    }),
  ];
  blocks.push(
    section({
      text:
        e.rules.length > 0
          ? [...md`*Matching rules:*`, ...e.rules.flatMap((r) => [...md`\n• ${r}`, ...overruledNote(e, r)])]
          : md`*Matching rules:* none — anything the policy does not allow is denied.`,
    }),
  );
  // Operators typed the command; the action id is what a policy author writes in a rule, so it stays, apart.
  blocks.push(context(md`Policy action: ${code(input.action)} (what a rule lists under \`actions\`)`));
  const notes = input.calendars ?? [];
  if (notes.length > 0) {
    blocks.push(
      section({
        text: [
          ...md`*Calendars:*`,
          ...notes.flatMap((n) => {
            const what = md`${n.kind === "freeze" ? "freeze" : "maintenance window"} ${code(n.calendar)} (${n.description})`;
            if (n.relation === "during" && n.until !== undefined)
              return md`
• ${what} is in force until ${localTime(n.until)} (rule ${code(n.ruleId)})`;
            return n.next !== undefined
              ? md`
• ${what} is not in force now; next from ${localTime(n.next)} (rule ${code(n.ruleId)})`
              : md`
• ${what} is not in force now and has no further event (rule ${code(n.ruleId)})`;
          }),
        ],
      }),
    );
  }
  if (input.servers.length > 0) {
    blocks.push(section({ text: md`*Targets considered* (${plural(input.servers.length, "server")}):` }));
    blocks.push(
      list(
        input.servers.map((s) => {
          const tags = Object.entries(s.tags).map(([k, v]) => (v === "" ? k : `${k}=${v}`));
          return {
            title: typeable(s.name),
            subtitle: md`${code(s.id)} · tags: ${tags.length > 0 ? tags.join(", ") : "none"}`,
          };
        }),
      ),
    );
  }
  if (input.unresolved.length > 0) {
    blocks.push(
      context(
        md`:warning: Not resolved, so not considered: ${input.unresolved.join(", ")}. Rules on tags or names may apply differently once they resolve.`,
      ),
    );
  }
  blocks.push(context(md`This is an explanation only: nothing was requested or changed.`));
  return { text: md`${e.headline}: ${input.commandLine}`, blocks };
}
