/** The approval card's target lines (see `buildRequestCard`). */
import type { ApprovalTarget } from "../approvals/approval-request.js";
import { type ListItem, md } from "../render/message-model.js";
import { typeable } from "../views/format-values.js";

/**
 * `web-03` · ACTIVE · `s6.medium.2 · env=staging` (the ID is in the details); after a run, its status and
 * flavor as the run read them at the end (`deleted` once it is gone).
 */
export function targetItem(t: ApprovalTarget, after?: { status?: string; flavor?: string }): ListItem {
  if (after?.status === "NOT_FOUND")
    return { status: "DELETED", title: typeable(t.name), subtitle: md`no longer exists` };
  const env = t.tags?.env;
  const locked = t.locked === true ? md` · :lock: locked` : md``;
  const flavor = after?.flavor ?? t.flavor;
  return {
    status: after?.status ?? t.status,
    title: typeable(t.name),
    subtitle: env !== undefined ? md`${flavor} · env=${env}${locked}` : md`${flavor}${locked}`,
  };
}
