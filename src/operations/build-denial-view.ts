import type { RuleRef } from "../policy/types.js";
import { channelLink, code, context, type Message, md, type Part, section } from "../render/message-model.js";
import { withInlineCode } from "../views/format-values.js";

export interface DenialViewInput {
  commandLine: string;
  reasons: readonly string[];
  rules: readonly RuleRef[];
  /** When a `max_targets` cap denied it: the same command split into requests of at most `cap` servers. */
  split?: { cap: number; commands: string[] };
  /**
   * The refusal is of `--break-glass` (not a member, no reason, not set up), not of the command: the view then
   * says how to ask without it. Default false: no such hint.
   */
  breakGlassRefused?: boolean;
  /**
   * With `breakGlassRefused`: what the policy decides for the same command without `--break-glass`, so the hint
   * says what would actually happen (denied too: its first reason).
   */
  withoutBreakGlass?:
    | { effect: "allow" }
    | { effect: "needs_approval" }
    | { effect: "deny"; reason?: string };
  /**
   * The policy's break-glass would let this requester run this change now (approval skipped): the denial says
   * so, with the option, for an emergency. Set only for a denial of a command typed without `--break-glass`.
   */
  breakGlassAllowed?: { alertChannel: string };
  /** Fewer people could approve it than it needs: the next step is more approvers, not another command. */
  tooFewApprovers?: boolean;
  /**
   * With `tooFewApprovers`: approver groups Slack does not have (the decision's `unknownApproverGroups`): the
   * next step is the policy's owners fixing the name, not a Slack admin adding people.
   */
  unknownApproverGroups?: readonly string[];
}

/** Most split commands spelled out; beyond them the requester gets the count. */
const MAX_SPLIT_SHOWN = 3;

/**
 * Why the policy refused a command (reasons and rule IDs), and for too many targets how to split it. A denial
 * without rules says nothing of rules: its reason says why (no rule grants it, the channel is not on the
 * allow-list, break-glass was refused), and claiming "no rule allows it" would be wrong when one does, with
 * approval. Pure.
 */
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
  }
  if (input.breakGlassRefused === true) {
    const without = input.withoutBreakGlass;
    blocks.push(
      context(
        without === undefined
          ? md`Only break-glass was refused: the same command without ${code("--break-glass")} is decided as usual, and waits for approval when the policy asks for one.`
          : without.effect === "deny"
            ? md`Only break-glass was refused, but the same command without ${code("--break-glass")} is not allowed either${without.reason !== undefined ? md`: ${withInlineCode(without.reason)}` : md``}.`
            : without.effect === "needs_approval"
              ? md`Only break-glass was refused: the same command without ${code("--break-glass")} asks for approval, and runs once approved.`
              : md`Only break-glass was refused: the same command without ${code("--break-glass")} runs at once, the policy allows it without approval.`,
      ),
    );
  }
  if (input.breakGlassAllowed !== undefined) {
    blocks.push(
      context(
        md`In an emergency you may run it now with ${code('--break-glass "<reason>"')} (it alerts ${channelLink(input.breakGlassAllowed.alertChannel)} and is reviewed).`,
      ),
    );
  }
  const unknown = input.unknownApproverGroups ?? [];
  blocks.push(
    context(
      input.tooFewApprovers !== true
        ? md`Nothing was done. ${code("/ops policy explain <command>")} shows what the policy says.`
        : unknown.length > 0
          ? md`Nothing was done. It can be asked for once the policy's owners fix the approver ${unknown.length === 1 ? "group" : "groups"} ${unknown.map((g) => `@${g}`).join(", ")}, which Slack does not have (a misspelt name?), or change who approves.`
          : md`Nothing was done. It can be asked for once enough people can approve it: a Slack admin can add people to the groups named above, or the policy's owners can change who approves.`,
    ),
  );
  // The bot's reason names rules in backticks: code spans here too, not look-alikes (`ˋrule-idˋ`).
  return { text: md`Not allowed: ${withInlineCode(input.reasons[0] ?? "denied by policy")}`, blocks };
}
