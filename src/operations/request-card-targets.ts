/** The approval card's target lines (see `buildRequestCard`). */
import type { ApprovalRequest, ApprovalTarget } from "../approvals/approval-request.js";
import { formatTarget } from "../intents/classify-target.js";
import { code, type ListItem, md, type Span } from "../render/message-model.js";
import { typeable } from "../views/format-values.js";

/**
 * `web-03` · ACTIVE · `s6.medium.2 · env=staging` (the ID is in the details); after a run, its status and
 * flavor as the run read them at the end (`deleted` once it is gone). `stale`: the card says how the request
 * ended and the run did not read this server at its end: the state it had when asked is said as such, without
 * a status icon, so a green ACTIVE never sits under "Done: delete" as if read after it.
 */
export function targetItem(
  t: ApprovalTarget,
  after?: { status?: string; flavor?: string },
  stale = false,
): ListItem {
  if (after?.status === "NOT_FOUND")
    return { status: "DELETED", title: typeable(t.name), subtitle: md`no longer exists` };
  const env = t.tags?.env;
  const locked = t.locked === true ? md` · :lock: locked` : md``;
  const flavor = after?.flavor ?? t.flavor;
  const facts = env !== undefined ? md`${flavor} · env=${env}${locked}` : md`${flavor}${locked}`;
  if (stale && after?.status === undefined)
    return { title: typeable(t.name), subtitle: md`when asked: ${t.status} · ${facts}` };
  return { status: after?.status ?? t.status, title: typeable(t.name), subtitle: facts };
}

/**
 * Under a finished run's targets whose state after it was not read: how to read it (`/ecs show web-03`, or
 * `/ecs show <server>` for several). Undefined when every one was read.
 */
export function unreadAfterRun(targets: readonly Pick<ApprovalTarget, "name">[]): Span[] | undefined {
  if (targets.length === 0) return undefined;
  const show =
    targets.length === 1
      ? `/ecs show ${formatTarget({ kind: "name", name: targets[0]!.name })}`
      : "/ecs show <server>";
  return md`${targets.length === 1 ? "Its" : "Their"} state after the run was not read: check with ${code(show)}`;
}

/** Whether the request's run ended (done, failed, unknown, or refused before sending): its card shows its end. */
export function hasRunEnded(request: Pick<ApprovalRequest, "status">): boolean {
  return (
    request.status === "succeeded" || request.status === "failed" || request.status === "outcome_unknown"
  );
}
