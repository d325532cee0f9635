import { formatTarget, type Target, targetKey } from "../intents/index.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  actions,
  button,
  code,
  context,
  type Message,
  md,
  type Part,
  type Span,
  section,
} from "../render/message-model.js";
import { VIEW_ACTIONS } from "./action-ids.js";
import { emoji, joinTexts } from "./format-values.js";

/** A target that could not be resolved (the parts of a target outcome a view needs). */
export type UnresolvedTarget =
  | {
      kind: "not_found";
      target: Target;
      suggestions: readonly string[];
      /** The name looks like the start of a server ID: the servers whose ID starts so (possibly none). */
      idStart?: readonly { id: string; name: string }[];
      /** How many more servers' IDs start so than `idStart` holds. */
      idStartMore?: number;
    }
  | { kind: "no_match"; target: Target }
  | { kind: "invalid"; target: Target; reason: "empty_tag_selector" };

function describe(problem: UnresolvedTarget, offered: boolean): Span[] {
  const t = problem.target;
  if (problem.kind === "invalid") {
    return md`${code(formatTarget(t))} is an empty tag selector; an empty selector never means all servers.`;
  }
  if (problem.kind === "no_match") {
    return md`No server has the tag ${code(formatTarget(t).replace(/^tag:/, ""))}. A tag selector must match at least one server.`;
  }
  if (t.kind === "name" && problem.idStart !== undefined)
    return describeIdStart(t.name, problem.idStart, problem.suggestions, offered, problem.idStartMore ?? 0);
  const miss =
    t.kind === "id"
      ? md`No server has the ID ${code(t.id)}.`
      : t.kind === "ip"
        ? md`No server has the IP address ${code(t.ip)}.`
        : md`No server is named ${code(formatTarget(t))}.`;
  if (problem.suggestions.length === 0) return miss;
  if (offered) return md`${miss} Did you mean one of these?`;
  return md`${miss} Did you mean ${joinTexts(
    problem.suggestions.map((s) => code(s)),
    ", ",
  )}?`;
}

/**
 * A name that looks like the start of a server ID (cards print IDs shortened): asks for the whole ID and
 * says which servers' IDs start so, with their whole IDs (offered as buttons by name when `offered`).
 */
function describeIdStart(
  name: string,
  servers: readonly { id: string; name: string }[],
  suggestions: readonly string[],
  offered: boolean,
  more: number,
): Span[] {
  const miss = md`No server is named ${code(name)}. ${code(name)} looks like the start of a server ID; give the whole ID (${code("/ecs list")} shows them).`;
  if (servers.length === 0) {
    if (suggestions.length === 0) return miss;
    if (offered) return md`${miss} Did you mean one of these?`;
    return md`${miss} Did you mean ${joinTexts(
      suggestions.map((s) => code(s)),
      ", ",
    )}?`;
  }
  const which = joinTexts(
    servers.map((s) => md`${code(s.name)} (${code(s.id)})`),
    ", ",
  );
  const others = more > 0 ? md` and of ${plural(more, "more server")}: give more of the ID` : md``;
  const owner =
    servers.length === 1 && more === 0
      ? md`It starts the ID of ${which}.`
      : md`It starts the IDs of ${which}${others}.`;
  if (!offered) return md`${miss} ${owner}`;
  return md`${miss} ${owner} Did you mean ${servers.length === 1 ? "it" : "one of these"}?`;
}

/**
 * Exact names offered for a near miss of a command that changes servers: one button per name, each running
 * the same command again with that name in place of the mistyped one.
 */
export interface NameOffer {
  /** The mistyped target the buttons replace. */
  target: Target;
  names: readonly string[];
  /** Token of the pending command; button values are `<token>:<index into names>`. */
  token: string;
  /** The command waiting, e.g. `/ecs stop`. */
  commandLabel: string;
}

/**
 * Targets that resolve to nothing: one line each, with the names the requester may have meant. With an
 * `offer` (a command that changes servers, which never acts on a near miss), those names are buttons.
 */
export function buildResolutionErrorView(problems: readonly UnresolvedTarget[], offer?: NameOffer): Message {
  const shown = problems.slice(0, 20);
  const offered = offer !== undefined && offer.names.length > 0 ? targetKey(offer.target) : undefined;
  const blocks: Part[] = shown.map((p) =>
    section({ text: md`${emoji(":mag:")} ${describe(p, targetKey(p.target) === offered)}` }),
  );
  if (problems.length > shown.length) {
    blocks.push(context(md`…and ${problems.length - shown.length} more targets not found.`));
  }
  if (offer !== undefined && offered !== undefined) {
    blocks.push(
      actions(
        ...offer.names.map((name, i) =>
          button({ id: `${VIEW_ACTIONS.suggest}.${i}`, label: name, value: `${offer.token}:${i}` }),
        ),
      ),
    );
    blocks.push(
      context(
        md`Nothing was done. A button runs ${code(offer.commandLabel)} again with that exact name instead of ${code(formatTarget(offer.target))}; the policy and approvals apply as usual.`,
      ),
    );
  } else {
    blocks.push(
      context(md`Nothing was done. ${code("/ecs list name=<text>")} finds servers by part of their name.`),
    );
  }
  const first = problems[0];
  return {
    text: first ? md`Not found: ${formatTarget(first.target)}` : md`Not found`,
    blocks,
  };
}
