import { signSlackRequest } from "./sign-slack-request.js";

/** What the bot's receiver answered to one request. */
export interface BotReply {
  status: number;
  /** Body as text (Bolt answers `""` or JSON). */
  body: string;
  /** The body parsed as a JSON object, when it is one. */
  json?: Record<string, unknown>;
}

/** Sends requests to a bot exactly as Slack does over HTTP. */
export interface BotGateway {
  /** A slash command: the payload's fields, form-encoded. */
  sendSlashCommand(fields: Record<string, string>): Promise<BotReply>;
  /** An interaction (`block_actions`, `view_submission`, …) as `payload=<json>`, form-encoded. */
  sendInteraction(payload: Record<string, unknown>): Promise<BotReply>;
  /** An Events API delivery (`event_callback`), as JSON. */
  sendEvent(payload: Record<string, unknown>): Promise<BotReply>;
}

export interface BotGatewayOptions {
  /** The bot's `POST /slack/events` URL. */
  eventsUrl: string;
  signingSecret: string;
  fetch?: typeof fetch;
  /** Unix seconds for `X-Slack-Request-Timestamp`; default the wall clock. */
  nowSeconds?: () => number;
}

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

/**
 * Signs (`X-Slack-Signature`, `X-Slack-Request-Timestamp`) and POSTs form bodies (commands, interactions)
 * and JSON bodies (events) to the bot's receiver: the bot cannot tell the playground from Slack.
 */
export function createBotGateway(options: BotGatewayOptions): BotGateway {
  const doFetch = options.fetch ?? fetch;
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));

  async function post(rawBody: string, contentType = FORM): Promise<BotReply> {
    const timestamp = String(nowSeconds());
    const response = await doFetch(options.eventsUrl, {
      method: "POST",
      headers: {
        "content-type": contentType,
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signSlackRequest(options.signingSecret, timestamp, rawBody),
      },
      body: rawBody,
    });
    const body = await response.text();
    const reply: BotReply = { status: response.status, body };
    const json = parseObject(body);
    if (json !== undefined) reply.json = json;
    return reply;
  }

  return {
    sendSlashCommand: (fields) => post(new URLSearchParams(fields).toString()),
    sendInteraction: (payload) => post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString()),
    sendEvent: (payload) => post(JSON.stringify(payload), JSON_TYPE),
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
