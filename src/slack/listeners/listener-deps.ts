import type { ChatPort } from "../../app/ports.js";
import type { CommandRouter } from "../../commands/create-command-router.js";
import type { Logger } from "../../log/create-logger.js";

/** What the thin Slack listeners delegate to. */
export interface ListenerDeps {
  router: CommandRouter;
  chat: ChatPort;
  logger: Logger;
  /** Registers work that continues after the ack, so shutdown can wait for it. */
  track<T>(work: Promise<T>): Promise<T>;
}
