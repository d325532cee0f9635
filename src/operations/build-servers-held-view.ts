import type { ApprovalRequest } from "../approvals/approval-request.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  bold,
  code,
  link,
  type Message,
  md,
  type Span,
  untrusted,
  userMention,
} from "../render/message-model.js";
import { renderPlain } from "../render/render-mrkdwn.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { typeable } from "../views/format-values.js";
import type { RunHoldingServers } from "./hold-servers.js";

/** A change holding the servers, with the link to its card's thread when one could be read. */
export type HolderShown = RunHoldingServers & { link?: string };

/** Servers named; more are counted. */
const MAX_NAMED = 5;

/**
 * `web-01 and web-02 are being changed by a reboot the bot is still running (request apr_x by @alice, its
 * thread)`: names and the request ID as code (copied exactly, underscores included, even from plain text: see
 * `serversHeldReason`); `rich`: also the verb bold, who asked and the link.
 */
function held(holder: HolderShown, rich: boolean): Span[] {
  const names = holder.servers.map((s) => s.name);
  const shown = names.slice(0, MAX_NAMED).map((n) => typeable(n));
  const more = names.length - MAX_NAMED;
  const listed: Span[] = shown.flatMap((name, i) => {
    if (i === 0) return [name];
    return i === shown.length - 1 && more <= 0 ? [...md` and `, name] : [...md`, `, name];
  });
  if (more > 0) listed.push(...md` and ${plural(more, "more server")}`);
  const verb = rich ? bold(holder.verb) : untrusted(holder.verb);
  const id = code(holder.requestId);
  const by = rich && holder.requesterId !== undefined ? md` by ${userMention(holder.requesterId)}` : md``;
  const thread = rich && holder.link !== undefined ? md`, ${link(holder.link, "its thread")}` : md``;
  const are = names.length === 1 ? "is" : "are";
  return md`${listed} ${are} being changed by a ${verb} the bot is still running (request ${id}${by}${thread})`;
}

/** Each holder in words (see `held`), separated by semicolons. */
function heldAll(holders: readonly HolderShown[], linked: boolean): Span[] {
  return holders.flatMap((h, i) => (i === 0 ? held(h, linked) : [...md`; `, ...held(h, linked)]));
}

/**
 * Why the request was not run, as plain text (the card's result line, the audit's failure): the servers held
 * by another of the bot's changes still running, and that nothing was sent. The names and the request ID keep
 * their backticks, so the views that show it (`withInlineCode`) show them as code: escaped as words, a run of
 * underscores in an ID would be defused (`ˍ`) and the ID copied wrong.
 */
export function serversHeldReason(holders: readonly HolderShown[]): string {
  const spans = heldAll(holders, false);
  return renderPlain(
    md`Not run: ${spans}; nothing was sent, ask again once it has finished`,
    Number.POSITIVE_INFINITY,
    { codeTicks: true },
  );
}

/**
 * In the thread of a request approved while another of the bot's changes still runs on some of its servers:
 * it was not run and nothing was sent (two changes at once on a server fail at the cloud, or worse), which
 * change holds them (with a link to its thread), and that the requester (mentioned) may ask again once it has
 * finished, with the command to type.
 */
export function buildServersHeldReply(
  request: Pick<ApprovalRequest, "requester" | "commandText">,
  holders: readonly HolderShown[],
): Message {
  const spans = heldAll(holders, true);
  return buildNoticeView(
    ":no_entry:",
    md`Not run: ${spans}. Nothing was sent to the cloud. ${userMention(request.requester.userId)}, ask again once it has finished: ${code(request.commandText)}`,
  );
}
