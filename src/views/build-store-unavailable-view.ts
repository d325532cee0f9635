import { type Message, md } from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";

/**
 * What a user is told when the bot's shared state (Redis, SQLite) cannot be reached: the bot fails closed,
 * so nothing was recorded or executed, and trying again later is safe. Names no host: the details are logged.
 */
export function buildStoreUnavailableView(): Message {
  return buildNoticeView(
    ":warning:",
    md`The bot's state store is unavailable, so nothing was done (nothing was recorded, approved or executed). Please try again in a minute; if it keeps happening, tell the people who run hwc-chatops.`,
  );
}
