import { joinWords } from "../render/escape-mrkdwn.js";
import { closestNames } from "../targets/closest-names.js";
import { busyWith } from "./describe-busy-task.js";
import type { Operation } from "./flow-vocabulary.js";
import { doneStatuses, leftOutStatuses, OPERATION_NOUNS, statusInWords } from "./operation-rules.js";
import type { PreflightTarget } from "./preflight-types.js";

/**
 * An unknown flavor, with the existing flavors closest to it (a hint only, never used) and where to see
 * them all. Plain text: the preflight view escapes it.
 */
export function unknownFlavorMessage(flavorRef: string, existing: Iterable<string>): string {
  const close = closestNames(flavorRef, existing, 3);
  const hint = close.length === 0 ? "" : ` Did you mean ${joinWords(close, "or")}?`;
  return `flavor ${flavorRef} does not exist in this region.${hint} /ecs flavors lists them.`;
}

/**
 * What to do about servers busy with a task in progress, each named once with what it is busy with (`web-03
 * is busy with a reboot`): wait for it, and where to follow it. Plain text: the preflight view escapes it.
 */
export function waitForTasksMessage(busy: readonly Pick<PreflightTarget, "name" | "current">[]): string {
  const follow = "/ops jobs shows what the bot is running";
  const task = (t: Pick<PreflightTarget, "current">) =>
    (t.current !== undefined ? busyWith(t.current) : undefined) ?? "a task";
  if (busy.length === 1) {
    const t = busy[0]!;
    return `${t.name} is busy with ${task(t)}: wait until it ends, then ask again (/ecs show ${t.name} shows its state, ${follow})`;
  }
  const named = busy.slice(0, 5).map((t) => `${t.name} with ${task(t)}`);
  const more = busy.length > 5 ? ` and ${busy.length - 5} more` : "";
  return `${busy.length} servers are busy (${named.join(", ")}${more}): wait until their tasks end, then ask again (/ecs show shows a server's state, ${follow})`;
}

/** Servers named in a line at most; the rest are counted. */
const MAX_NAMED = 5;

/**
 * Why there is nothing to do, when every server is left out: `checkout-01 is already stopped (SHUTOFF): nothing
 * to do`, each status said once with its servers. Left out for another reason (already locked, tags already so):
 * `there is nothing to lock`, the warnings saying why. Plain text: the preflight view escapes it.
 */
export function nothingToDoMessage(operation: Operation, found: readonly PreflightTarget[]): string {
  const done = doneStatuses(operation);
  const leftOut = leftOutStatuses(operation);
  const byStatus = new Map<string, string[]>();
  for (const t of found) {
    const status = t.current?.status ?? "";
    if (!done.includes(status) && !leftOut.includes(status)) return `there is nothing to ${operation}`;
    byStatus.set(status, [...(byStatus.get(status) ?? []), t.name]);
  }
  const clauses = [...byStatus].map(([status, names]) => {
    const shown = names.slice(0, MAX_NAMED);
    const more = names.length - shown.length;
    const who = more > 0 ? `${shown.join(", ")} and ${more} more` : joinWords(shown, "and");
    const are = names.length === 1 ? "is" : "are";
    return done.includes(status)
      ? `${who} ${are} already ${statusInWords(status)}`
      : `${who} ${are} ${statusInWords(status)}, which ${OPERATION_NOUNS[operation]} leaves out`;
  });
  return `${clauses.join("; ")}: nothing to do`;
}
