import type { PolicyDecision } from "../policy/types.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  code,
  context,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { preflightMessageParts } from "../workflow/preflight-message-parts.js";
import type { Preflight } from "../workflow/preflight-types.js";

/** The preflight found something that stops the request: nothing is asked or done. Pure. */
export function buildPreflightRefusalView(commandLine: string, preflight: Preflight): Message {
  const blocks: Part[] = [
    section({
      text: md`:no_entry: *Cannot go ahead:* ${code(commandLine)} — the preflight found blocking problems.`,
    }),
    ...preflightMessageParts(preflight),
    context(md`Nothing was requested or done. Fix the problems above and run the command again.`),
  ];
  return { text: md`Cannot go ahead: the preflight found blocking problems`, blocks };
}

/** A `resize --dry-run`: the preflight (which runs the API's dry run) and what a real resize would need. Pure. */
export function buildDryRunView(
  commandLine: string,
  preflight: Preflight,
  decision: PolicyDecision,
): Message {
  const verdict =
    decision.effect === "allow"
      ? md`a real resize would run without approval`
      : decision.effect === "needs_approval"
        ? md`a real resize would need ${plural(decision.approval.minApprovals, "approval")}`
        : md`a real resize would be denied`;
  const blocks: Part[] = [
    section({ text: md`:mag: *Dry run:* ${code(commandLine)} — nothing was changed; ${verdict}.` }),
    ...preflightMessageParts(preflight),
  ];
  if (decision.rules.length > 0)
    blocks.push(context(...decision.rules.slice(0, 10).map((r) => md`${code(r.id)} ${r.description}`)));
  return { text: md`Dry run: nothing was changed`, blocks };
}

/**
 * Placeholder root message, posted first to prove the bot can post here before anything is created. For a
 * request that needs approval it already names the approvers (mentions notify on a new message, not on the
 * edit that turns it into the card).
 */
export function buildPreparingView(
  commandLine: string,
  approval?: { requesterId: string; minApprovals: number; approvers: Span[] },
): Message {
  if (approval === undefined) {
    return {
      text: md`Preparing ${commandLine}`,
      blocks: [section({ text: md`:hourglass_flowing_sand: Preparing ${code(commandLine)}…` })],
    };
  }
  const text = md`:lock: ${userMention(approval.requesterId)} asks ${approval.approvers} for ${plural(approval.minApprovals, "approval")}: ${code(commandLine)}`;
  return { text, blocks: [section({ text })] };
}

/** The root message when the request could not be recorded after it was posted. */
export function buildNotRecordedView(commandLine: string): Message {
  return {
    text: md`Could not record ${commandLine}`,
    blocks: [section({ text: md`:x: ${code(commandLine)} could not be recorded; nothing was done.` })],
  };
}
