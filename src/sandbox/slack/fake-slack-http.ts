/** HTTP plumbing of the fake Slack's server: reading request bodies, parsing response_url bodies, JSON replies. */
import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Reads the body as text; undefined when it exceeds the limit (5 MiB). */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A response_url body: JSON (as Bolt's `respond()` sends) or a form with `payload=<json>`. Undefined when
 * it is not a JSON object.
 */
export function parseResponseBody(
  contentType: string | undefined,
  raw: string,
): Record<string, unknown> | undefined {
  try {
    const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
    const json = type === "application/x-www-form-urlencoded" ? new URLSearchParams(raw).get("payload") : raw;
    const parsed: unknown = JSON.parse(json ?? "");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Sends `body` as JSON with its length; `headers` are added to (and may override) the defaults. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
