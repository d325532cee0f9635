import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { Logger } from "../log/create-logger.js";
import { mapWithConcurrency } from "../targets/map-with-concurrency.js";

/** Permalink lookups in flight at once (Slack's `chat.getPermalink` is Tier 4). */
const LINK_CONCURRENCY = 4;

/**
 * Links to the requests' cards (`chat.getPermalink` of their root message), by request ID. A request without a
 * card, or whose link cannot be read now (the message was deleted, Slack is slow), simply has no link: a list
 * is still worth showing without it.
 */
export async function readCardLinks(
  chat: Pick<ChatPort, "getPermalink">,
  requests: readonly Pick<ApprovalRequest, "id" | "message">[],
  logger: Logger,
): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  await mapWithConcurrency(requests, LINK_CONCURRENCY, async (request) => {
    if (request.message === undefined) return;
    try {
      links.set(request.id, await chat.getPermalink(request.message));
    } catch (error) {
      logger.debug({ err: error, approval: request.id }, "no link to the request's card");
    }
  });
  return links;
}
