import { parse as parseQueryString } from "node:querystring";
import type { SlackPayloadKind } from "./check-slack-payload.js";

/** A body Slack POSTs to `/slack/events`, read exactly as Bolt's `HTTPReceiver` will read it. */
export type SlackHttpBody =
  /** `ssl_check=1`: Slack checking the certificate; unsigned by design, Bolt answers it. */
  { kind: "ssl_check" } | { kind: SlackPayloadKind; body: unknown } | { kind: "unparseable"; reason: string };

const FORM = "application/x-www-form-urlencoded";

/**
 * Parses a raw body the way Bolt does (a form with a `payload` field is an interaction, a form without one a
 * slash command, anything else JSON for the Events API, the content type compared exactly), so that what the
 * front checks is what Bolt then dispatches. Never throws.
 */
export function parseSlackHttpBody(contentType: string | undefined, raw: string): SlackHttpBody {
  if (contentType === FORM) {
    const fields = parseQueryString(raw);
    if (fields.ssl_check === "1") return { kind: "ssl_check" };
    if (typeof fields.payload !== "string") return { kind: "slash_commands", body: { ...fields } };
    const payload = parseJson(fields.payload);
    return payload.ok
      ? { kind: "interactive", body: payload.value }
      : { kind: "unparseable", reason: `the interaction payload is not JSON (${payload.error})` };
  }
  const json = parseJson(raw);
  return json.ok
    ? { kind: "events_api", body: json.value }
    : { kind: "unparseable", reason: `the body is neither a form nor JSON (${json.error})` };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message.slice(0, 100) : "syntax error" };
  }
}
