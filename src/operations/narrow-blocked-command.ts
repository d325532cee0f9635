import type { MutationIntent, RequestMeta } from "../commands/types.js";
import { formatCommandLine, type Target } from "../intents/index.js";
import type { Preflight, PreflightTarget } from "../workflow/preflight-types.js";

/** The servers of a refused selection that could go ahead, and the command that names only them. */
export interface NarrowedCommand {
  /** How many servers could go ahead… */
  servers: number;
  /** …of how many the command selected. */
  of: number;
  /** The same command naming only them (never run: the requester sends it, or not). */
  command: string;
}

/** Blocking problems of the whole request that naming fewer servers would not remove (an unknown flavor…). */
const PER_SERVER_SUMMARIES: readonly string[] = ["task_in_progress"];

/**
 * For a preflight that blocks a command on several servers because of only some of them: the same command
 * naming the others, each by its exact name (by ID when names repeat), with its `--reason`, `--break-glass`,
 * `--at` or `--window` as given, so it acts only on exactly those servers. Undefined when no server could go
 * ahead, when every one could (nothing of the servers blocks it), or when a problem of the whole request would
 * block it as well. Pure.
 */
export function narrowBlockedCommand(
  intent: MutationIntent,
  meta: Pick<RequestMeta, "why" | "breakGlass" | "schedule">,
  preflight: Preflight,
): NarrowedCommand | undefined {
  if (!("targets" in intent)) return undefined;
  const global = preflight.problems.filter((p) => p.severity === "blocking" && p.serverId === undefined);
  if (global.some((p) => !PER_SERVER_SUMMARIES.includes(p.code))) return undefined;
  const able = preflight.targets.filter(canGoAhead);
  if (able.length === 0 || able.length === preflight.targets.length) return undefined;
  const names = preflight.targets.map((t) => t.name);
  const distinct = new Set(names).size === names.length;
  const targets: Target[] = able.map((t) =>
    distinct ? { kind: "name", name: t.name } : { kind: "id", id: t.id },
  );
  const flags = [
    ...(meta.schedule?.at !== undefined ? [`--at ${quoted(meta.schedule.at)}`] : []),
    ...(meta.schedule?.window !== undefined ? [`--window ${quoted(meta.schedule.window)}`] : []),
    ...(meta.why !== undefined ? [`--reason ${quoted(meta.why)}`] : []),
    ...(meta.breakGlass !== undefined ? [`--break-glass ${quoted(meta.breakGlass.reason)}`] : []),
  ];
  const command = [formatCommandLine({ ...intent, targets } as MutationIntent), ...flags].join(" ");
  return { servers: able.length, of: preflight.targets.length, command };
}

/** Found, nothing of its own blocks it, and the flow has something to do to it. */
function canGoAhead(t: PreflightTarget): boolean {
  return t.found && (t.planned?.calls.length ?? 0) > 0 && !t.problems.some((p) => p.severity === "blocking");
}

/**
 * Free text in the quotes it was typed in: double, or single when it holds a double quote (a quoted text
 * holds quotes of one family at most: the other closes it).
 */
function quoted(text: string): string {
  return /["“”„]/.test(text) ? `'${text}'` : `"${text}"`;
}
