import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../listener-deps.js";
import { handleSlashCommand } from "./handle-slash-command.js";

/** The slash commands of the app manifest. */
export const SLASH_COMMANDS = ["/ecs", "/hss", "/ops"] as const;

export function register(app: App, deps: ListenerDeps): void {
  for (const command of SLASH_COMMANDS) app.command(command, handleSlashCommand(deps));
}
