import type { SlackHttpBody } from "../parse-slack-http-body.js";

/**
 * Whether a judged Slack request is acked by the ack thread itself, before the bot's thread sees it: slash
 * commands, block actions and Events API callbacks, whose listeners ack with an empty 200 and do their work
 * after it. A modal submission (its ack carries validation errors), a URL verification (its ack carries the
 * challenge) and anything else wait for the bot's answer.
 */
export function acksAtOnce(body: SlackHttpBody): boolean {
  if (body.kind === "slash_commands") return true;
  if (body.kind !== "interactive" && body.kind !== "events_api") return false;
  const type = (body.body as { type?: unknown }).type;
  return body.kind === "interactive" ? type === "block_actions" : type === "event_callback";
}
