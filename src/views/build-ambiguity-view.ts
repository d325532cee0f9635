import type { Server } from "../cloud/types.js";
import { formatTarget, type Target } from "../intents/index.js";
import {
  actions,
  code,
  context,
  list,
  type Message,
  md,
  type Part,
  section,
  select,
} from "../render/message-model.js";
import { VIEW_ACTIONS } from "./action-ids.js";
import { serverListItem } from "./build-server-list-view.js";
import { emoji, serverIps } from "./format-values.js";

/** Slack shows at most 100 options; a longer list asks for a more specific name instead. */
export const MAX_PICK_OPTIONS = 100;

export interface AmbiguityViewInput {
  target: Target;
  /** Which rule matched several servers. */
  rule: "name" | "prefix" | "ip";
  candidates: readonly Server[];
  /** Token of the pending command; option values are `<token>:<server ID>`. */
  token: string;
  /** The command waiting for the choice, for the notice (e.g. `/ecs show`). */
  commandLabel: string;
  /** True when the command changes something (the notice says nothing runs before the choice). */
  mutating: boolean;
}

function optionLabel(server: Server): string {
  const ip = serverIps(server).fixed[0];
  return [server.name, server.status, server.availabilityZone, ip, server.id.slice(0, 8)]
    .filter((p) => p !== undefined && p !== "")
    .join(" · ");
}

/**
 * Several servers fit a reference that must name one: a select of the candidates (never a guess) plus
 * the candidates' details, so the requester can tell them apart.
 */
export function buildAmbiguityView(input: AmbiguityViewInput): Message {
  const written = formatTarget(input.target);
  const n = input.candidates.length;
  const why =
    input.rule === "ip"
      ? md`${n} servers have the address ${code(written)}.`
      : input.rule === "prefix"
        ? md`${n} servers have names starting with ${code(written)}.`
        : md`${n} servers are named ${code(written)}.`;
  const blocks: Part[] = [
    section({ text: md`${emoji(":mag:")} ${why} Which one do you mean for ${code(input.commandLabel)}?` }),
  ];
  const shown = input.candidates.slice(0, MAX_PICK_OPTIONS);
  blocks.push(
    actions(
      select({
        id: VIEW_ACTIONS.pick,
        placeholder: md`Choose a server`,
        options: shown.map((s) => ({ label: optionLabel(s), value: `${input.token}:${s.id}` })),
      }),
    ),
  );
  if (n > MAX_PICK_OPTIONS) {
    blocks.push(
      context(md`Only the first ${MAX_PICK_OPTIONS} are listed: type a longer name, an ID or an IP.`),
    );
  }
  blocks.push(list(shown.map(serverListItem), { total: n }));
  blocks.push(
    context(
      input.mutating
        ? md`Nothing runs until you choose. You can also run the command again with the server's ID.`
        : md`You can also run the command again with the server's ID.`,
    ),
  );
  return { text: md`${n} servers match ${written}: choose one`, blocks };
}
