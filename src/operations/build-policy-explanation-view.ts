import type { DecisionExplanation } from "../policy/explain-decision.js";
import { code, context, list, type Message, md, type Part, section } from "../render/message-model.js";
import { plural } from "../workflow/format-flow-text.js";

export interface PolicyExplanationInput {
  commandLine: string;
  /** IAM-style action of the explained command. */
  action: string;
  explanation: DecisionExplanation;
  /** The servers the command would act on, as resolved now (tags shown: rules match on them). */
  servers: readonly { id: string; name: string; tags: Readonly<Record<string, string>> }[];
  /** Targets that could not be resolved (the decision was made without them). */
  unresolved: readonly string[];
}

const ICONS = { allow: ":white_check_mark:", needs_approval: ":lock:", deny: ":no_entry:" } as const;

/** `/ops policy explain`: the decision, its terms, the rules behind it and the targets considered. Pure. */
export function buildPolicyExplanationView(input: PolicyExplanationInput): Message {
  const { explanation: e } = input;
  const blocks: Part[] = [
    section({
      text: [
        { t: "plain", v: ICONS[e.effect] },
        ...md` *${e.headline}:* ${code(input.commandLine)} (${code(input.action)})`,
        ...e.details.flatMap((d) => md`\n• ${d}`),
      ],
    }),
  ];
  blocks.push(
    section({
      text:
        e.rules.length > 0
          ? [...md`*Matching rules:*`, ...e.rules.flatMap((r) => md`\n• ${r}`)]
          : md`*Matching rules:* none — anything the policy does not allow is denied.`,
    }),
  );
  if (input.servers.length > 0) {
    blocks.push(section({ text: md`*Targets considered* (${plural(input.servers.length, "server")}):` }));
    blocks.push(
      list(
        input.servers.map((s) => {
          const tags = Object.entries(s.tags).map(([k, v]) => (v === "" ? k : `${k}=${v}`));
          return {
            title: s.name,
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
