import { formatTarget } from "../intents/classify-target.js";
import { code, md, type Part, type Span, section } from "../render/message-model.js";
import { callNoun } from "./flow-status-message.js";
import { capitalize, nameList } from "./format-flow-text.js";
import type { FlowOutcome, LeftStoppedServer, StartedAgain } from "./summarize-run.js";

/**
 * The put-back of a change that did not happen (`on_failure: start_stopped_then_stop_flow`): the servers the bot
 * started again, by how the change failed ("The flavor change was refused (`Ecs.0005`); web-01 was started
 * again."), and the ones it left stopped, each group with why and how to look before starting them.
 */
export function startedAgainParts(outcome: FlowOutcome): Part[] {
  const lines: Span[] = [];
  const started = new Map<string, StartedAgain[]>();
  for (const s of outcome.startedAgain ?? []) {
    const key = `${s.change}\u0000${s.how}\u0000${s.code ?? ""}`;
    started.set(key, [...(started.get(key) ?? []), s]);
  }
  for (const group of started.values()) {
    const first = group[0]!;
    const noun = capitalize(callNoun(first.change));
    const how = first.how === "refused" ? "was refused" : "failed";
    const errorCode = first.code !== undefined ? md` (${code(first.code)})` : md``;
    const names = nameList(group.map((s) => s.name));
    if (lines.length > 0) lines.push(...md`\n`);
    lines.push(
      ...md`:leftwards_arrow_with_hook: ${noun} ${how}`,
      ...errorCode,
      ...md`; ${names} ${group.length === 1 ? "was" : "were"} started again, as before the run.`,
    );
  }
  const left = new Map<string, LeftStoppedServer[]>();
  for (const s of outcome.leftStopped ?? []) {
    if (s.why === undefined) continue;
    const key = leftStoppedWhy(s);
    left.set(key, [...(left.get(key) ?? []), s]);
  }
  for (const [why, group] of left) {
    const one = group.length === 1;
    const names = group.map((s) => s.name);
    const targets = names.map((name) => formatTarget({ kind: "name", name }));
    const look = code(`/ecs show ${one ? targets[0]! : "<server>"}`);
    const start = code(`/ecs start ${targets.join(" ")}`);
    if (lines.length > 0) lines.push(...md`\n`);
    lines.push(
      ...md`:warning: ${nameList(names)} ${one ? "was" : "were"} left stopped: ${why}; check ${one ? "it" : "them"} in the console or with ${look}, then start ${one ? "it" : "them"} with ${start} if all is well.`,
    );
  }
  return lines.length > 0 ? [section({ text: lines })] : [];
}

/** Why a server stopped by the run was not started again, in operator words (plain text). */
function leftStoppedWhy(s: LeftStoppedServer): string {
  const change = s.change !== undefined ? callNoun(s.change).replace(/^the /, "") : "change";
  switch (s.why) {
    case "change_unknown":
      return `the outcome of its ${change} is unknown`;
    case "not_shutoff":
      return `it read ${s.status ?? "another status"} again, not SHUTOFF as the run left it, so its ${change} may have done something`;
    case "flavor_changed":
      return `it read with flavor ${s.flavor ?? "another flavor"} again, so its ${change} may have happened`;
    case "host_changed":
      return `it read on the host its ${change} was sent to, so it may have happened`;
    case "busy":
      return "it had a task in progress when read again";
    case "gone":
      return "it could not be found when read again";
    case "unreadable":
      return "it could not be read again, so its state is unknown";
    case "start_failed":
      return `starting it again failed${s.reason !== undefined ? ` (${s.reason})` : ""}`;
    case "start_unknown":
      return "the outcome of starting it again is unknown";
    case undefined:
      return "";
  }
}
