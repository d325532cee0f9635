import { describeApprovers } from "../operations/describe-request.js";
import type { ApprovalRequirement } from "../policy/types.js";
import { plural } from "../render/escape-mrkdwn.js";
import { channelLink, code, type Message, md } from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";

/** A direct conversation with the bot: `im` (its Messages tab), `mpim` (a group DM). */
export type DirectConversationKind = "im" | "mpim";

export interface DirectMessageRefusalViewInput {
  commandLine: string;
  where: DirectConversationKind;
  /**
   * Who else the change needs: its approvers (the policy's requirement), or, for a break-glass change, the
   * reviewers of the channel where the use is announced (its alert links to the run's thread).
   */
  needs:
    | { approval: Pick<ApprovalRequirement, "approvers" | "minApprovals" | "stages"> }
    | { alertChannel: string };
}

/**
 * To the requester: a change that needs other people (its approvers, or the reviewers of a break-glass use)
 * was asked in a direct conversation they cannot open, where its card would wait unseen until it expired.
 * Nothing was requested: it is to be asked again in a channel those people are in.
 */
export function buildDirectMessageRefusalView(input: DirectMessageRefusalViewInput): Message {
  const here = input.where === "im" ? "our direct messages" : "this group conversation";
  const { needs } = input;
  const what = code(input.commandLine);
  const text =
    "alertChannel" in needs
      ? md`${what} breaks the glass: its use is reviewed in ${channelLink(needs.alertChannel)}, where nobody could open its thread in ${here}. Break the glass in a channel instead`
      : needs.approval.stages !== undefined
        ? md`${what} needs approval in ${String(needs.approval.stages.length)} stages (${needs.approval.stages.map((s) => s.name).join(", then ")}), and its approvers cannot see ${here}, where its card would be posted. Ask in a channel your approvers are in`
        : md`${what} needs ${plural(needs.approval.minApprovals, "approval")} from ${describeApprovers(needs.approval)}, who cannot see ${here}, where its card would be posted. Ask in a channel your approvers are in`;
  return buildNoticeView(":no_entry_sign:", md`${text} — nothing was requested, nothing changed.`);
}
