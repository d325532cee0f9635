import { ChatDeliveryError, type Responder } from "../app/ports.js";
import type { Logger } from "../log/create-logger.js";
import type { Message } from "../render/message-model.js";

/**
 * Answers the requester through `responder` (nothing without one). Never throws: a reply that cannot be
 * delivered is logged, and the work it reports on stands.
 */
export async function replyToRequester(
  responder: Responder | undefined,
  message: Message,
  logger: Logger,
  options?: { inChannel?: boolean; replaceOriginal?: boolean },
): Promise<void> {
  if (responder === undefined) return;
  try {
    await responder.respond(message, options);
  } catch (error) {
    // Which Slack call failed and what Slack said, as every Slack failure is logged.
    const slack = error instanceof ChatDeliveryError ? { method: error.method, code: error.code } : {};
    logger.warn({ err: error, ...slack }, "could not reply to the requester");
  }
}
