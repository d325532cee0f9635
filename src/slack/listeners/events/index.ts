import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../listener-deps.js";
import { handleAppHomeOpened } from "./handle-app-home-opened.js";
import { handleAppMention } from "./handle-app-mention.js";
import { handleDirectMessage } from "./handle-direct-message.js";
import { handleUserGroupChanged } from "./handle-user-group-changed.js";

/**
 * The Events API subscriptions the app needs (`settings.event_subscriptions.bot_events` of the manifests): a
 * `message` listener receives `message.im` (direct messages; the handler ignores every other channel type);
 * the `subteam_*` events say that the user groups the policy decides on changed (scope `usergroups:read`).
 */
export const SUBSCRIBED_EVENTS = [
  "app_home_opened",
  "app_mention",
  "message.im",
  "subteam_created",
  "subteam_members_changed",
  "subteam_updated",
] as const;

/** The events after which the user groups are read again. */
const USER_GROUP_EVENTS = ["subteam_created", "subteam_members_changed", "subteam_updated"] as const;

/**
 * Events are acked by Bolt on receipt. Mentions and direct messages are pointed at the slash commands; opening
 * the Home tab publishes it; a changed user group is read again for the next decision.
 */
export function register(app: App, deps: ListenerDeps): void {
  app.event("app_home_opened", handleAppHomeOpened(deps));
  app.event("app_mention", handleAppMention(deps));
  app.message(handleDirectMessage(deps));
  for (const name of USER_GROUP_EVENTS) app.event(name, handleUserGroupChanged(deps));
}
