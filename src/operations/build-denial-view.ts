import type { RuleRef } from "../policy/types.js";
import { code, context, type Message, md, type Part, section } from "../render/message-model.js";
import { withInlineCode } from "../views/format-values.js";

export interface DenialViewInput {
  commandLine: string;
  reasons: readonly string[];
  rules: readonly RuleRef[];
  /** When a `max_targets` cap denied it: the same command split into requests of at most `cap` servers. */
  split?: { cap: number; commands: string[] };
}

/** Most split commands spelled out; beyond them the requester gets the count. */
const MAX_SPLIT_SHOWN = 3;

/** Why the policy refused a command (reasons and rule IDs), and for too many targets how to split it. Pure. */
export function buildDenialView(input: DenialViewInput): Message {
  const blocks: Part[] = [
    section({
      text: [
        ...md`:no_entry: *Not allowed:* ${code(input.commandLine)}`,
        ...input.reasons.flatMap((r) => md`\n• ${withInlineCode(r)}`),
      ],
    }),
  ];
  if (input.split && input.split.commands.length > 0) {
    const shown = input.split.commands.slice(0, MAX_SPLIT_SHOWN);
    const rest = input.split.commands.length - shown.length;
    blocks.push(
      section({
        text: [
          ...md`*Split it* into requests of at most ${String(input.split.cap)} servers, e.g.:`,
          ...shown.flatMap((c) => md`\n• ${code(c)}`),
          ...(rest > 0 ? md`\n…and ${String(rest)} more` : md``),
        ],
      }),
    );
  }
  if (input.rules.length > 0) {
    blocks.push(
      context(...input.rules.slice(0, 10).map((r) => md`${code(r.id)} ${r.description} (${r.source})`)),
    );
  } else {
    blocks.push(context(md`No rule allows it; anything the policy does not allow is denied.`));
  }
  blocks.push(
    context(md`Nothing was done. ${code("/ops policy explain <command>")} shows what the policy says.`),
  );
  return { text: md`Not allowed: ${input.reasons[0] ?? "denied by policy"}`, blocks };
}
