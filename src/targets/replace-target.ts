import { type Intent, type Target, targetKey } from "../intents/index.js";

// The one list of which intents carry their targets where: replacing a target and listing them must agree.
const ONE_SERVER_TYPES = [
  "ecs.show",
  "ecs.resize",
  "hss.ports",
  "ecs.tags",
  "ecs.console-log",
  "ecs.reinstall",
  "ecs.change-os",
  "ecs.attach",
  "ecs.detach",
  "ecs.migrate",
  "ecs.nics",
  "ecs.sg",
  "ecs.actions",
] as const satisfies readonly Intent["type"][];

const TARGET_LIST_TYPES = [
  "ecs.start",
  "ecs.stop",
  "ecs.reboot",
  "ecs.delete",
  "ecs.tag.add",
  "ecs.tag.remove",
  "ecs.lock",
  "ecs.unlock",
] as const satisfies readonly Intent["type"][];

type OneServerIntent = Extract<Intent, { type: (typeof ONE_SERVER_TYPES)[number] }>;
type TargetListIntent = Extract<Intent, { type: (typeof TARGET_LIST_TYPES)[number] }>;

/** An intent about one server (`ecs.tags` may name none). */
function namesOneServer(intent: Intent): intent is OneServerIntent {
  return (ONE_SERVER_TYPES as readonly string[]).includes(intent.type);
}

function namesTargetList(intent: Intent): intent is TargetListIntent {
  return (TARGET_LIST_TYPES as readonly string[]).includes(intent.type);
}

/**
 * The intent with one target replaced: by a server ID (a requester's choice between ambiguous servers) or
 * by another target (an exact name chosen among the suggestions for a near miss). Every occurrence of
 * `target` (by {@link targetKey}) is replaced, in a server reference (`show`, `ports`, `resize`, an audit
 * subject) or a target list; the result is a new intent (the input is not modified). Returns undefined when
 * the intent has no such target.
 */
export function replaceTarget(
  intent: Intent,
  target: Target,
  by: string | Exclude<Target, { kind: "tag" }>,
): Intent | undefined {
  const key = targetKey(target);
  const replacement = typeof by === "string" ? { kind: "id" as const, id: by.toLowerCase() } : by;
  if (namesOneServer(intent)) {
    if (intent.server === undefined || targetKey(intent.server) !== key) return undefined;
    return { ...intent, server: replacement };
  }
  if (namesTargetList(intent)) {
    if (!intent.targets.some((t) => targetKey(t) === key)) return undefined;
    const seen = new Set<string>();
    // Replacing may create a duplicate (the chosen server was also named elsewhere): keep the first.
    const targets = intent.targets
      .map((t) => (targetKey(t) === key ? replacement : t))
      .filter((t) => {
        const k = targetKey(t);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    return { ...intent, targets } as Intent;
  }
  if (intent.type === "ops.audit") {
    if (intent.subject?.kind !== "server" || targetKey(intent.subject.server) !== key) return undefined;
    return { ...intent, subject: { kind: "server", server: replacement } };
  }
  return undefined;
}

/** The targets an intent names (server references and selectors), in command order. */
export function targetsOf(intent: Intent): Target[] {
  if (namesOneServer(intent)) return intent.server === undefined ? [] : [intent.server];
  if (namesTargetList(intent)) return [...intent.targets];
  return [];
}
