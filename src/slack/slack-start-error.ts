/** Which step of connecting to Slack failed at start. */
export type SlackStartStage =
  /** `auth.test` with the bot token. */
  | "auth"
  /** Socket Mode: `apps.connections.open` with the app-level token, then the WebSocket. */
  | "connect"
  /** HTTP mode: opening the port for Slack's requests. */
  | "listen";

/**
 * The bot could not start talking to Slack: which step failed (so the caller can name the setting to fix), and
 * the error it failed with (a Slack Web API error, a network error, a `listen` error) as `cause`.
 */
export class SlackStartError extends Error {
  override readonly name = "SlackStartError";

  constructor(
    readonly stage: SlackStartStage,
    override readonly cause: unknown,
  ) {
    super(`could not start the Slack connection (${stage}): ${describe(cause)}`, { cause });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
