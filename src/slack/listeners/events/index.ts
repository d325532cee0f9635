import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../listener-deps.js";
import { handleAppMention } from "./handle-app-mention.js";
import { handleDirectMessage } from "./handle-direct-message.js";

/** Events are acked by Bolt on receipt; these only point people at the slash commands. */
export function register(app: App, deps: ListenerDeps): void {
  app.event("app_mention", handleAppMention(deps));
  app.message(handleDirectMessage(deps));
}
