import type { App } from "@slack/bolt";
import * as actions from "./actions/index.js";
import * as commands from "./commands/index.js";
import * as events from "./events/index.js";
import type { ListenerDeps } from "./listener-deps.js";
import * as views from "./views/index.js";

export type { ListenerDeps } from "./listener-deps.js";

/** Registers every listener kind on the app. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  commands.register(app, deps);
  actions.register(app, deps);
  views.register(app, deps);
  events.register(app, deps);
}
