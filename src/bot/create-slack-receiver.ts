import { HTTPReceiver, SocketModeReceiver, type webApi } from "@slack/bolt";
import type { Logger } from "../log/create-logger.js";
import { createBoltLogger } from "../slack/create-bolt-logger.js";
import { guardSocketModeClient, type SocketModeClientLike } from "../slack/guard-socket-mode-client.js";
import type { SlackConfig } from "../slack/load-slack-config.js";
import { SLACK_EVENTS_PATH } from "../slack/start-http-frontend.js";
import {
  type SocketModeConnectable,
  type SocketModeSupervisor,
  type SocketModeSupervisorOptions,
  superviseSocketMode,
} from "./supervise-socket-mode.js";

/** Bolt's receiver, and in Socket Mode what keeps its connection up (connects, reconnects, disconnects). */
export interface SlackReceiver {
  receiver: HTTPReceiver | SocketModeReceiver;
  socket: SocketModeSupervisor | undefined;
}

/**
 * Bolt's receiver for the configured transport: HTTP (handed requests by our own front) or Socket Mode (its
 * client, made with the Web client's `clientOptions`, guarded against malformed frames, its connection kept up
 * by a supervisor with `supervision`'s metrics and timers; warnings to `log`).
 */
export function createSlackReceiver(
  slack: SlackConfig,
  logger: Logger,
  log: Logger,
  clientOptions: webApi.WebClientOptions,
  supervision: Omit<SocketModeSupervisorOptions, "logger">,
): SlackReceiver {
  if (slack.transport.kind === "http") {
    const receiver = new HTTPReceiver({
      signingSecret: slack.transport.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      logger: createBoltLogger(logger),
      // Never listens itself: its listener is reached only through our front (one thread or the ack
      // thread), which has verified the signature and the timestamp of every request before handing it
      // over. Verifying again here cost an HMAC and a constant-time compare of every request (about 1.5 % of
      // the bot's CPU at 100 commands a second).
      signatureVerification: false,
    });
    return { receiver, socket: undefined };
  }
  const socketReceiver = new SocketModeReceiver({
    appToken: slack.transport.appToken,
    logger: createBoltLogger(logger),
    installerOptions: { clientOptions },
    // The supervisor reconnects: the client's own reconnect gives up on an HTTP error (a 503 from
    // apps.connections.open) and leaves the rejection of its restart unhandled.
    autoReconnectEnabled: false,
  });
  // Malformed frames are judged before the client dereferences them (they used to end the process).
  guardSocketModeClient(socketReceiver.client as unknown as SocketModeClientLike, log);
  const socket = superviseSocketMode(socketReceiver.client as unknown as SocketModeConnectable, {
    ...supervision,
    logger: log,
  });
  return { receiver: socketReceiver, socket };
}
