import type { App, BlockAction } from "@slack/bolt";
import type { ListenerDeps } from "../listener-deps.js";
import { handleBlockAction } from "./handle-block-action.js";

export function register(app: App, deps: ListenerDeps): void {
  // One listener for all clicks: the router's prefix registry decides who handles which action ID.
  app.action<BlockAction>({ type: "block_actions" }, handleBlockAction(deps));
}
