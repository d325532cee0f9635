import type { App, ViewSubmitAction } from "@slack/bolt";
import type { ListenerDeps } from "../listener-deps.js";
import { handleViewSubmission } from "./handle-view-submission.js";

export function register(app: App, deps: ListenerDeps): void {
  // One listener for all modals: the router's prefix registry decides who handles which callback ID.
  app.view<ViewSubmitAction>({ type: "view_submission" }, handleViewSubmission(deps));
}
