import type { Logger } from "../log/create-logger.js";
import { checkSlackPayload, SLACK_PAYLOAD_KINDS, type SlackPayloadKind } from "./check-slack-payload.js";

/** What the guard needs of `@slack/socket-mode`'s `SocketModeClient` (an EventEmitter). */
export interface SocketModeClientLike {
  listeners(event: "ws_message"): ((...args: unknown[]) => unknown)[];
  removeAllListeners(event: "ws_message"): unknown;
  on(event: "ws_message", listener: (data: unknown, isBinary: boolean) => void): unknown;
  /** Acks an envelope (`{ envelope_id, payload }`). */
  send(envelopeId: string, body?: Record<string, unknown>): Promise<void>;
}

/** Frames the client handles itself, without an envelope. */
const CONTROL_TYPES: ReadonlySet<unknown> = new Set(["hello", "disconnect"]);
const KINDS: ReadonlySet<unknown> = new Set(SLACK_PAYLOAD_KINDS);

function frameText(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || data instanceof Uint8Array) return new TextDecoder().decode(data);
  return undefined;
}

/**
 * Puts the Socket Mode frame check in front of the client's own message handler. The client dereferences
 * `payload.event.type` of every envelope unchecked, in an async handler whose rejection nobody catches, so one
 * malformed frame (`null`, an `events_api` envelope without an event) ended the process. Now every frame is
 * judged first: control frames and well-formed envelopes go on to the client (and Bolt); a malformed envelope
 * is acked, so Slack does not redeliver it, and logged with the reason; anything without an envelope ID is
 * logged and dropped. A failure of the client's handler is logged, never left unhandled.
 */
export function guardSocketModeClient(client: SocketModeClientLike, logger: Logger): void {
  const handlers = client.listeners("ws_message");
  client.removeAllListeners("ws_message");

  const ack = (envelopeId: string) =>
    client.send(envelopeId).catch((error: unknown) => {
      logger.warn({ err: error, envelopeId }, "could not ack a refused Socket Mode envelope");
    });

  client.on("ws_message", (data, isBinary) => {
    const pass = () => {
      for (const handler of handlers) {
        Promise.resolve()
          .then(() => handler.call(client, data, isBinary))
          .catch((error: unknown) => logger.error({ err: error }, "Socket Mode client failed on a frame"));
      }
    };
    const text = isBinary ? undefined : frameText(data);
    if (text === undefined) return pass();
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      logger.warn({ bytes: text.length }, "ignored a Socket Mode frame that is not JSON");
      return;
    }
    if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
      logger.warn("ignored a Socket Mode frame that is not a JSON object");
      return;
    }
    const { type, envelope_id: envelopeId, payload } = frame as Record<string, unknown>;
    if (CONTROL_TYPES.has(type)) return pass();
    if (typeof envelopeId !== "string" || envelopeId === "") {
      logger.warn({ type: String(type).slice(0, 64) }, "ignored a Socket Mode frame without an envelope ID");
      return;
    }
    const verdict = KINDS.has(type)
      ? checkSlackPayload(type as SlackPayloadKind, payload)
      : { ok: false as const, reason: `envelope type \`${String(type).slice(0, 64)}\` is not handled` };
    if (!verdict.ok) {
      logger.warn(
        { envelopeId, reason: verdict.reason },
        "refused a Socket Mode envelope: malformed payload",
      );
      void ack(envelopeId);
      return;
    }
    pass();
  });
}
