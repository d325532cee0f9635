import { formatTarget, type Target } from "../intents/index.js";
import { code, context, type Message, md, type Part, type Span, section } from "../render/message-model.js";
import { emoji, joinTexts } from "./format-values.js";

/** A target that could not be resolved (the parts of a target outcome a view needs). */
export type UnresolvedTarget =
  | { kind: "not_found"; target: Target; suggestions: readonly string[] }
  | { kind: "no_match"; target: Target }
  | { kind: "invalid"; target: Target; reason: "empty_tag_selector" };

function describe(problem: UnresolvedTarget): Span[] {
  const t = problem.target;
  if (problem.kind === "invalid") {
    return md`${code(formatTarget(t))} is an empty tag selector; an empty selector never means all servers.`;
  }
  if (problem.kind === "no_match") {
    return md`No server has the tag ${code(formatTarget(t).replace(/^tag:/, ""))}. A tag selector must match at least one server.`;
  }
  const miss =
    t.kind === "id"
      ? md`No server has the ID ${code(t.id)}.`
      : t.kind === "ip"
        ? md`No server has the IP address ${code(t.ip)}.`
        : md`No server is named ${code(formatTarget(t))}.`;
  if (problem.suggestions.length === 0) return miss;
  return md`${miss} Did you mean ${joinTexts(
    problem.suggestions.map((s) => code(s)),
    ", ",
  )}?`;
}

/** Targets that resolve to nothing: one line each, with the closest names where there are any. */
export function buildResolutionErrorView(problems: readonly UnresolvedTarget[]): Message {
  const shown = problems.slice(0, 20);
  const blocks: Part[] = shown.map((p) => section({ text: md`${emoji(":mag:")} ${describe(p)}` }));
  if (problems.length > shown.length) {
    blocks.push(context(md`…and ${problems.length - shown.length} more targets not found.`));
  }
  blocks.push(
    context(md`Nothing was done. ${code("/ecs list name=<text>")} finds servers by part of their name.`),
  );
  const first = problems[0];
  return {
    text: first ? md`Not found: ${formatTarget(first.target)}` : md`Not found`,
    blocks,
  };
}
