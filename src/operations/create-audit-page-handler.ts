import type { ChatPort } from "../app/ports.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { ActionHandler, OpsIntent } from "../commands/types.js";
import { buildExpiredView } from "../views/build-notice-view.js";
import { decodeAuditPage } from "./build-audit-view.js";
import type { AuditingReadPolicy } from "./create-policy-gates.js";
import { guardStoreUnavailable } from "./guard-store-unavailable.js";
import { auditPageFilters, showAuditPage } from "./show-audit-entries.js";

export interface AuditPageHandlerDeps {
  audit: AuditLog;
  learnChat: (chat: ChatPort) => void;
  /** The bot's read policy: it records a refused click with the page's filters. */
  readPolicy: AuditingReadPolicy;
}

/** What a page click reads, for the policy: the audit (`ops:audit:list`), whatever the page's subject. */
const AUDIT_PAGE_INTENT: Extract<OpsIntent, { type: "ops.audit" }> = { type: "ops.audit" };

/**
 * The audit view's Older / Newest buttons (`AUDIT_PAGE_ACTION`): the page the button's value names (its
 * query: subject, size, cursor), in place of the clicked one. Judged like the command it continues: the click,
 * by whoever clicks, is decided by the read policy as `/ops audit` typed by them in that channel would be (the
 * policy may have changed, or the message been shared), and answered as `/ops audit … --before <seq>` would be.
 * Refused, the refusal comes as a new message and the page stays. Either way the read is recorded with the
 * page's filters. Nothing is kept between clicks.
 */
export function createAuditPageHandler(deps: AuditPageHandlerDeps): ActionHandler {
  return (action, ctx) =>
    guardStoreUnavailable(
      async () => {
        deps.learnChat(ctx.chat);
        const query = decodeAuditPage(action.value ?? "");
        if (query === undefined) {
          ctx.logger.info({ actionId: action.actionId }, "audit page click without a query");
          await ctx.responder?.respond(buildExpiredView(), { replaceOriginal: true });
          return;
        }
        const decision = await deps.readPolicy(
          AUDIT_PAGE_INTENT,
          {
            request: { actor: action.actor, channelId: action.channelId ?? "" },
            servers: [],
            chat: ctx.chat,
          },
          auditPageFilters(query),
        );
        if (!decision.allowed) {
          ctx.logger.info({ actionId: action.actionId }, "audit page click refused by the policy");
          await ctx.responder?.respond(decision.message);
          return;
        }
        // Not recorded, nothing is shown: the page stays and the answer says why, as for a refusal.
        const page = await showAuditPage(deps.audit, query, action.actor, ctx.logger);
        await ctx.responder?.respond(page.message, page.shown ? { replaceOriginal: true } : undefined);
      },
      async (m) => {
        await ctx.responder?.respond(m);
      },
      ctx.logger,
    );
}
