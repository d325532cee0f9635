import { formatDuration } from "../config/parse-duration.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  actions,
  button,
  channelLink,
  code,
  context,
  link,
  localTime,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { serverSpans } from "../views/format-values.js";
import { formatElapsed } from "../workflow/format-flow-text.js";
import type { BreakGlassUse } from "./create-break-glass.js";
import { describeApprovers, type GroupIds } from "./describe-request.js";

/** The alert card's Acknowledge button (value: the break-glass use ID, which is its request's ID). */
export const BREAK_GLASS_ACK_ACTION = "ops.breakglass.ack";

/** Most uses `/ops audit break-glass` lists (newest first). */
export const MAX_LISTED_USES = 20;

/** Servers shown by name beside the command, at most this many (the rest counted). */
const MAX_SERVERS_SHOWN = 5;

/**
 * ` on web-01 (`d704b694…`), web-02 (`…`)`: the servers the typed command meant, as cards name them; nothing
 * for a use recorded before its servers were kept.
 */
function onServers(use: BreakGlassUse): Span[] {
  const servers = use.servers ?? [];
  if (servers.length === 0) return [];
  const shown = servers
    .slice(0, MAX_SERVERS_SHOWN)
    .flatMap((s, i) => [...(i > 0 ? md`, ` : []), ...serverSpans(s.id, s.name)]);
  const more =
    servers.length > MAX_SERVERS_SHOWN ? md` and ${String(servers.length - MAX_SERVERS_SHOWN)} more` : [];
  return [...md` on `, ...shown, ...more];
}

function thread(use: BreakGlassUse): Span[] {
  return use.threadLink !== undefined
    ? md`${link(use.threadLink, "the request's thread")}`
    : md`its thread in ${channelLink(use.channel)}`;
}

/**
 * The alert posted in `break_glass.alert_channel` the moment someone breaks the glass, and its review:
 * who ran what, why, a link to the request's thread, and Acknowledge for the reviewers until one does. The
 * reviewers' groups are mentioned by their IDs in `groupIds` (Slack then notifies their members); a group
 * without one is named as text. Pure.
 */
export function buildBreakGlassAlert(use: BreakGlassUse, groupIds: GroupIds): Message {
  const who = userMention(use.userId);
  const blocks: Part[] = [
    section({
      text: md`:rotating_light: *Break-glass:* ${who} ran ${code(use.commandText)}${onServers(use)} without approval\n*Why:* ${use.reason}\n*Where:* ${thread(use)}`,
    }),
  ];
  if (use.acknowledged === undefined) {
    blocks.push(
      context(
        md`Needs review by ${describeApprovers({ approvers: use.reviewers }, groupIds)} (not ${who}) · used ${localTime(use.at)} · reminders every ${formatDuration(use.remindEveryMs)} until acknowledged`,
      ),
      actions(button({ id: BREAK_GLASS_ACK_ACTION, label: "Acknowledge", value: use.id, style: "primary" })),
    );
  } else {
    blocks.push(
      context(
        md`:white_check_mark: Reviewed: acknowledged by ${userMention(use.acknowledged.userId)} ${localTime(use.acknowledged.at)}`,
      ),
    );
  }
  return { text: md`Break-glass: ${who} ran ${use.commandText} without approval`, blocks };
}

/**
 * A reminder in the alert's thread: the use is still not reviewed. Its one job is to page the reviewers, so
 * their groups are mentioned by their IDs in `groupIds` (as on the alert). Pure.
 */
export function buildBreakGlassReminder(use: BreakGlassUse, now: number, groupIds: GroupIds): Message {
  const text = md`:bell: ${describeApprovers({ approvers: use.reviewers }, groupIds)}, break-glass by ${userMention(use.userId)} (${code(use.commandText)}) still needs review after ${formatElapsed(now - use.at)}: click Acknowledge on the alert. (Reminder ${String(use.reminders)})`;
  return { text, blocks: [section({ text })] };
}

/** `/ops audit break-glass`: each use with who, what, why and its review state, newest first. Pure. */
export function buildBreakGlassListView(uses: readonly BreakGlassUse[], now: number): Message {
  if (uses.length === 0) {
    const text = md`:white_check_mark: Nobody has used break-glass.`;
    return { text, blocks: [section({ text })] };
  }
  const open = uses.filter((u) => u.acknowledged === undefined).length;
  const head = md`*Break-glass uses:* ${plural(uses.length, "use")}, ${open === 0 ? md`all reviewed` : md`${String(open)} not reviewed`}`;
  const lines = uses.slice(0, MAX_LISTED_USES).map((u) => {
    const state =
      u.acknowledged !== undefined
        ? md`:white_check_mark: acknowledged by ${userMention(u.acknowledged.userId)} ${localTime(u.acknowledged.at)}`
        : md`:warning: *not reviewed* for ${formatElapsed(now - u.at)} (${plural(u.reminders, "reminder")})`;
    return md`${localTime(u.at)} ${userMention(u.userId)} ${code(u.commandText)}${onServers(u)} — ${u.reason} — ${state}`;
  });
  const more =
    uses.length > MAX_LISTED_USES ? [context(md`…and ${String(uses.length - MAX_LISTED_USES)} older`)] : [];
  return {
    text: head,
    blocks: [section({ text: head }), ...lines.map((l) => section({ text: l })), ...more],
  };
}

/**
 * The requester's answer when their break-glass run starts: approval skipped, where it is announced, the
 * request of the same change it closed (nothing runs from it), and other requests for these servers that still
 * wait (left open: a different change; their requester may cancel them). Pure.
 */
export function buildBreakGlassRunningView(input: {
  alertChannel: string;
  closed?: { permalink?: string };
  others?: ReadonlyArray<{ requesterId: string; commandText: string; permalink?: string }>;
}): Message {
  const lines: Span[][] = [
    md`:rotating_light: Break-glass: approval skipped; running now. The use is announced in ${channelLink(input.alertChannel)} and must be reviewed there.`,
  ];
  if (input.closed !== undefined)
    lines.push(
      md`I closed ${requestLink(input.closed.permalink, "your request for the same change")} that waited for approval: nothing will run from it.`,
    );
  for (const other of input.others ?? [])
    lines.push(
      md`:warning: Another request for these servers is waiting for approval: ${code(other.commandText)} asked by ${userMention(other.requesterId)}${other.permalink !== undefined ? md` (${link(other.permalink, "its card")})` : md``}. It stays open; cancel it if it is no longer wanted.`,
    );
  const text = lines.flatMap((line, i) => (i === 0 ? line : [...md`\n`, ...line]));
  return { text, blocks: [section({ text })] };
}

/**
 * The requester's answer when the request of the same change was approved just before their break-glass run
 * could close it: that request runs, the break-glass one does not (one run of the change), and nothing was
 * announced. Pure.
 */
export function buildBreakGlassApprovedFirstView(permalink: string | undefined): Message {
  const text = md`:information_source: Not run with break-glass: ${requestLink(permalink, "your request for the same change")} was approved moments ago and runs from there. Nothing else was run or announced.`;
  return { text, blocks: [section({ text })] };
}

function requestLink(permalink: string | undefined, label: string): Span[] {
  return permalink !== undefined ? md`${link(permalink, label)}` : md`${label}`;
}
