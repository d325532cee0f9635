import type { Server } from "../cloud/types.js";
import type { BotCall, CorrelatedAction } from "../commands/read/correlate-server-actions.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  actions,
  code,
  context,
  header,
  type ListItem,
  list,
  type Message,
  md,
  type Part,
  type Span,
  userMention,
} from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { shareButton } from "./build-paged-list.js";
import { formatTime, sharedByLine } from "./format-values.js";

/** Most rows shown; the cloud keeps a server's whole history. */
const MAX_ROWS = 25;

export interface ServerActionsViewInput {
  server: Pick<Server, "id" | "name">;
  rows: readonly CorrelatedAction[];
  /** Calls the bot made that the cloud's record does not show (tags, refused calls). */
  botOnly: readonly BotCall[];
  controls?: ResultControls;
  sharedBy?: string;
}

/** What each call of a flow did, in words. */
const CALL_WORDS: Readonly<Record<string, string>> = {
  "ecs.batch_start": "start",
  "ecs.batch_stop": "stop",
  "ecs.batch_reboot": "reboot",
  "ecs.resize": "resize",
  "ecs.delete": "delete",
  "ecs.add_tags": "tags added",
  "ecs.delete_tags": "tags removed",
  "ecs.lock": "lock",
  "ecs.unlock": "unlock",
  "ecs.reinstall": "OS reinstalled",
  "ecs.change_os": "OS changed",
  "ecs.attach_volume": "disk attached",
  "ecs.detach_volume": "disk detached",
  "ecs.migrate": "migration",
};

/** `the bot: request apr_… asked by @alice` */
function viaBot(call: BotCall): Span[] {
  const who = call.requesterId !== undefined ? md` asked by ${userMention(call.requesterId)}` : md``;
  const request = call.requestId !== undefined ? md` request ${code(call.requestId)}` : md``;
  return md`:robot_face: through the bot:${request}${who}`;
}

/**
 * `/ecs actions <server>`: the cloud's own record of the server's operations, newest first, each saying
 * whether it came through the bot (with the request and who asked) or not; then the bot's calls the cloud
 * keeps no record of (tag changes) or did not record.
 */
export function buildServerActionsView(input: ServerActionsViewInput): Message {
  const through = input.rows.filter((r) => r.via !== undefined).length;
  const items: ListItem[] = input.rows.slice(0, MAX_ROWS).map((r) => {
    // The record says how the operation ended, never what state it left the server in: a failed stop leaves
    // it running. Its `message` is the cloud's reason (`Error`); none when it went through.
    const failed = r.action.message !== undefined && r.action.message !== "";
    const when = formatTime(r.at) ?? r.action.startTime ?? "time unknown";
    const how = r.via?.type === "HARD" ? " (hard)" : r.via?.type === "SOFT" ? " (soft)" : "";
    return {
      ...(failed && { status: "FAILED" }),
      title: `${r.action.action}${how}`,
      subtitle: md`${when}${failed ? md` · the cloud's reason: ${r.action.message ?? ""}` : md``}`,
      fields: [
        {
          label: md`Origin`,
          value:
            r.via !== undefined
              ? viaBot(r.via)
              : md`:warning: not through the bot (console, API or another tool)`,
        },
        { label: md`Cloud request`, value: code(r.action.requestId) },
      ],
    };
  });
  const blocks: Part[] = [
    header(md`Operations on ${input.server.name}`),
    context(
      md`${code(input.server.id)}`,
      md`${plural(input.rows.length, "operation")} in the cloud's record, ${String(through)} through the bot, ${String(
        input.rows.length - through,
      )} not`,
    ),
  ];
  blocks.push(
    items.length > 0
      ? list(items, { total: input.rows.length })
      : context(md`The cloud has no record of operations on this server.`),
  );
  if (input.botOnly.length > 0) {
    const calls = input.botOnly
      .slice(0, 10)
      .map(
        (c) =>
          md`${formatTime(c.at) ?? ""} ${CALL_WORDS[c.call] ?? "a change"}${c.requestId !== undefined ? md` (request ${code(c.requestId)})` : md``}`,
      );
    blocks.push(
      context(
        md`Changes the bot made that the cloud's record does not show (it keeps none for tags, nor for refused calls): ${String(input.botOnly.length)}`,
        ...calls.slice(0, 9),
      ),
    );
  }
  if (input.sharedBy !== undefined) blocks.push(context(sharedByLine(input.sharedBy)));
  if (input.controls !== undefined) blocks.push(actions(shareButton(input.controls, 1)));
  return { text: md`Operations on ${input.server.name}: ${String(input.rows.length)}`, blocks };
}
