/**
 * The contract between the ack thread (`run-ack-thread.ts`: the HTTP front, which judges and acks Slack's
 * requests) and the bot's thread (`start-ack-thread-frontend.ts`: Bolt and all the work after an ack). Only
 * plain, cloneable data crosses it.
 */

/** What the ack thread listens with (sent with `listen`: the thread may start before they are known). */
export interface AckThreadSettings {
  signingSecret: string;
  port: number;
  host?: string;
  bodyLimitBytes?: number;
  answerDeadlineMs?: number;
}

/** A Slack request as the front received and verified it: all Bolt needs to dispatch it. */
export interface ForwardedRequest {
  headers: Record<string, string | string[] | undefined>;
  raw: Uint8Array;
}

/** An HTTP answer made in the bot's thread, written by the ack thread. */
export interface ThreadAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

export type FromAckThread =
  | { type: "listening"; url: string }
  | { type: "listen-failed"; message: string; code?: string }
  /** Already acked (200, empty): the bot's thread only works on it. */
  | { type: "deliver"; request: ForwardedRequest }
  /** Its ack depends on the bot (a modal's validation errors, a URL verification): answer `id`. */
  | { type: "request"; id: number; request: ForwardedRequest }
  /** `GET /healthz`, `/readyz` or `/metrics`: answered by the bot's thread, which knows its own state. */
  | { type: "probe"; id: number; method: string; url: string }
  | { type: "log"; level: LogLevel; fields?: Record<string, unknown>; msg: string }
  | { type: "closed" };

export type ToAckThread =
  | { type: "listen"; settings: AckThreadSettings }
  | { type: "answer"; id: number; answer: ThreadAnswer }
  | { type: "close"; graceMs: number };
