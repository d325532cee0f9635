import { type Message, md } from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";

/**
 * What a user is told when the bot has more acked requests waiting than it takes (`WORK_QUEUE_SIZE`): this
 * request was not started, so nothing was done, and running it again shortly is safe.
 */
export function buildBusyView(): Message {
  return buildNoticeView(
    ":vertical_traffic_light:",
    md`The bot is busy, try again in a moment. Nothing was done for this request.`,
  );
}
