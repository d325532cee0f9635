import { createHmac } from "node:crypto";

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing
 * secret. The playground signs what it sends so the bot's real receiver verifies it like Slack's.
 */
export function signSlackRequest(signingSecret: string, timestamp: number | string, rawBody: string): string {
  const digest = createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex");
  return `v0=${digest}`;
}
