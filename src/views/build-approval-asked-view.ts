import { plural } from "../render/escape-mrkdwn.js";
import {
  channelLink,
  code,
  context,
  localTime,
  type Message,
  md,
  type Span,
  section,
} from "../render/message-model.js";
import { emoji } from "./format-values.js";

/** What the requester of a change that needs approval is told once its card is posted. */
export interface ApprovalAsked {
  /** Approvals needed (of the first stage, for a staged request). */
  minApprovals: number;
  /** Who approves, as mentions or names (`describeApprovers`). */
  approvers: readonly Span[];
  /** The stages' names in order, for a request approved in stages. */
  stages?: readonly string[];
  /** When the request (a staged one's first stage) expires unless approved (epoch ms). */
  expiresAt: number;
  /**
   * Present when the policy's break-glass would let this requester run the same command now (as the break-glass
   * path decides it, `breakGlassAllows`): where a use is announced.
   */
  breakGlassAllowed?: { alertChannel: string };
}

/**
 * The requester's notice of a request posted for approval: who approves, when it expires (a Slack date token, so in
 * each reader's time zone, as on the card), and, when the policy's break-glass would let them, that the same
 * command with `--break-glass "<why>"` runs it now, announced for review.
 */
export function buildApprovalAskedView(asked: ApprovalAsked): Message {
  const who =
    asked.stages !== undefined
      ? md`Your request needs approval in ${String(asked.stages.length)} stages, in order: ${asked.stages.join(", then ")}; I posted it in the channel.`
      : md`Your request needs ${plural(asked.minApprovals, "approval")} from ${asked.approvers}; I posted it in the channel.`;
  const expires =
    asked.stages !== undefined
      ? md`Its first stage expires ${localTime(asked.expiresAt)} unless approved by then.`
      : md`It expires ${localTime(asked.expiresAt)} unless approved by then.`;
  const text = [...who, ...md` `, ...expires];
  const glass = asked.breakGlassAllowed;
  return {
    text,
    blocks: [
      section({ text: md`${emoji(":raising_hand:")} ${text}` }),
      ...(glass === undefined
        ? []
        : [
            context(
              md`In an emergency, the same command with ${code('--break-glass "<why>"')} runs it now without approval; the use is announced in ${channelLink(glass.alertChannel)} and reviewed there.`,
            ),
          ]),
    ],
  };
}
