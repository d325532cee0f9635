import { HTTPReceiver, SocketModeReceiver, type webApi } from "@slack/bolt";
import type { Logger } from "../log/create-logger.js";
import { createBoltLogger } from "../slack/create-bolt-logger.js";
import { guardSocketModeClient, type SocketModeClientLike } from "../slack/guard-socket-mode-client.js";
import type { SlackConfig } from "../slack/load-slack-config.js";
import { SLACK_EVENTS_PATH } from "../slack/start-http-frontend.js";

/**
 * Bolt's receiver for the configured transport: HTTP (handed requests by our own front) or Socket Mode (its
 * client, made with the Web client's `clientOptions`, guarded against malformed frames; warnings to `log`).
 */
export function createSlackReceiver(
  slack: SlackConfig,
  logger: Logger,
  log: Logger,
  clientOptions: webApi.WebClientOptions,
): HTTPReceiver | SocketModeReceiver {
  if (slack.transport.kind === "http") {
    return new HTTPReceiver({
      signingSecret: slack.transport.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      logger: createBoltLogger(logger),
      // Never listens itself: its listener is reached only through our front (one thread or the ack
      // thread), which has verified the signature and the timestamp of every request before handing it
      // over. Verifying again here cost an HMAC and a constant-time compare of every request (about 1.5 % of
      // the bot's CPU at 100 commands a second).
      signatureVerification: false,
    });
  }
  const socketReceiver = new SocketModeReceiver({
    appToken: slack.transport.appToken,
    logger: createBoltLogger(logger),
    installerOptions: { clientOptions },
  });
  // Malformed frames are judged before the client dereferences them (they used to end the process).
  guardSocketModeClient(socketReceiver.client as unknown as SocketModeClientLike, log);
  return socketReceiver;
}
