/** Arguments that Slack clients send JSON-encoded inside form fields. */
const JSON_FIELDS = new Set(["blocks", "attachments", "view", "metadata", "user_auth_blocks", "unfurls"]);

export type ParsedApiRequest =
  | { ok: true; args: Record<string, unknown>; bodyToken?: string }
  | { ok: false; error: string };

/**
 * Parses a Web API request the way Slack does: query string plus either a form-encoded body
 * (JSON-valued fields decoded; a field that is not valid JSON stays a string so the method can
 * reject it) or a JSON body. A `token` is taken from a form body or query only, as Slack ignores
 * it in JSON bodies.
 */
export function parseApiRequest(
  contentType: string | undefined,
  rawBody: string,
  query: URLSearchParams,
): ParsedApiRequest {
  const args: Record<string, unknown> = {};
  let bodyToken: string | undefined;
  for (const [key, value] of query) args[key] = decodeField(key, value);
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (rawBody.length > 0) {
    if (type === "application/json") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        return { ok: false, error: "invalid_json" };
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return { ok: false, error: "invalid_json" };
      }
      const { token: _ignored, ...rest } = parsed as Record<string, unknown>;
      Object.assign(args, rest);
    } else if (type === "application/x-www-form-urlencoded" || type === "") {
      for (const [key, value] of new URLSearchParams(rawBody)) args[key] = decodeField(key, value);
    } else {
      return { ok: false, error: "invalid_form_data" };
    }
  }
  if (typeof args.token === "string") {
    bodyToken = args.token;
    delete args.token;
  }
  return bodyToken === undefined ? { ok: true, args } : { ok: true, args, bodyToken };
}

function decodeField(key: string, value: string): unknown {
  if (!JSON_FIELDS.has(key)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
