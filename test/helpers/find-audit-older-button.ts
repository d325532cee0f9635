import { AUDIT_PAGE_ACTION } from "../../src/operations/build-audit-view.js";

/** The "Older" button of an audit log page, if the page has one. */
export function findAuditOlderButton(page: { blocks?: unknown[] }): { action_id: string } | undefined {
  return (page.blocks ?? [])
    .flatMap((b) => (b as { elements?: { action_id: string }[] }).elements ?? [])
    .find((e) => e.action_id === `${AUDIT_PAGE_ACTION}.older`);
}
