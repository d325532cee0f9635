import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../listener-deps.js";
import { handleAppHomeOpened } from "./handle-app-home-opened.js";
import { handleAppMention } from "./handle-app-mention.js";
import { handleDirectMessage } from "./handle-direct-message.js";

/**
 * The Events API subscriptions the app needs (`settings.event_subscriptions.bot_events` of the manifests): a
 * `message` listener receives `message.im` (direct messages; the handler ignores every other channel type).
 */
export const SUBSCRIBED_EVENTS = ["app_home_opened", "app_mention", "message.im"] as const;

/**
 * Events are acked by Bolt on receipt. Mentions and direct messages are pointed at the slash commands; opening
 * the Home tab publishes it.
 */
export function register(app: App, deps: ListenerDeps): void {
  app.event("app_home_opened", handleAppHomeOpened(deps));
  app.event("app_mention", handleAppMention(deps));
  app.message(handleDirectMessage(deps));
}
