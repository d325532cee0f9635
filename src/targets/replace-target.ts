import { type Intent, type Target, targetKey } from "../intents/index.js";

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
  switch (intent.type) {
    case "ecs.show":
    case "ecs.resize":
    case "hss.ports":
    case "ecs.tags":
    case "ecs.console-log":
    case "ecs.reinstall":
    case "ecs.change-os":
    case "ecs.attach":
    case "ecs.detach":
    case "ecs.migrate":
    case "ecs.nics":
    case "ecs.sg":
    case "ecs.actions":
      if (intent.server === undefined || targetKey(intent.server) !== key) return undefined;
      return { ...intent, server: replacement };
    case "ecs.start":
    case "ecs.stop":
    case "ecs.reboot":
    case "ecs.delete":
    case "ecs.tag.add":
    case "ecs.tag.remove":
    case "ecs.lock":
    case "ecs.unlock": {
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
    case "ops.audit":
      if (intent.subject?.kind !== "server" || targetKey(intent.subject.server) !== key) return undefined;
      return { ...intent, subject: { kind: "server", server: replacement } };
    default:
      return undefined;
  }
}

/** The targets an intent names (server references and selectors), in command order. */
export function targetsOf(intent: Intent): Target[] {
  switch (intent.type) {
    case "ecs.show":
    case "ecs.resize":
    case "hss.ports":
    case "ecs.console-log":
    case "ecs.reinstall":
    case "ecs.change-os":
    case "ecs.attach":
    case "ecs.detach":
    case "ecs.migrate":
    case "ecs.nics":
    case "ecs.sg":
    case "ecs.actions":
      return [intent.server];
    case "ecs.tags":
      return intent.server === undefined ? [] : [intent.server];
    case "ecs.start":
    case "ecs.stop":
    case "ecs.reboot":
    case "ecs.delete":
    case "ecs.tag.add":
    case "ecs.tag.remove":
    case "ecs.lock":
    case "ecs.unlock":
      return [...intent.targets];
    default:
      return [];
  }
}
