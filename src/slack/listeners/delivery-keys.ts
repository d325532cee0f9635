import { createHash } from "node:crypto";

/**
 * Dedupe keys of Slack deliveries: the same key for a redelivery of one request (an HTTP retry with
 * `X-Slack-Retry-Num`, a Socket Mode envelope delivered again, the same request reaching two replicas),
 * a different key for anything a person did again (a second click is a new `action_ts`, a new command a new
 * `trigger_id`), so a repeat is handled once and a different click is never blocked.
 */

const hash = (text: string) => createHash("sha256").update(text).digest("base64url");

/** How a slash command's delivery key begins (the dedupe counts commands turned away by it). */
export const COMMAND_KEY_PREFIX = "slack:command:";

/** A slash command: its `trigger_id` (one per invocation), with the rest of the body as a fallback. */
export function commandDeliveryKey(command: {
  trigger_id?: string;
  team_id?: string;
  user_id?: string;
  channel_id?: string;
  command?: string;
  text?: string;
}): string {
  const { trigger_id, team_id, user_id, channel_id, command: name, text } = command;
  return `${COMMAND_KEY_PREFIX}${hash(JSON.stringify([trigger_id, team_id, user_id, channel_id, name, text]))}`;
}

/**
 * A click: the action's `action_ts`, the message (or view) it was on, the action ID and the user, plus the
 * interaction's `trigger_id` (new for every click, kept by a redelivery), so two clicks can never share a key
 * even if their `action_ts` were equal.
 */
export function actionDeliveryKey(body: {
  user?: { id?: string };
  actions?: readonly { action_id?: string; action_ts?: string }[];
  message?: { ts?: string };
  container?: unknown;
  view?: { id?: string };
  trigger_id?: string;
}): string {
  const action = body.actions?.[0];
  const container = body.container as { message_ts?: string; view_id?: string } | undefined;
  const where = body.message?.ts ?? container?.message_ts ?? body.view?.id ?? container?.view_id ?? "-";
  const parts = [body.user?.id, action?.action_id, where, action?.action_ts, body.trigger_id];
  return `slack:action:${hash(JSON.stringify(parts))}`;
}

/**
 * A modal submission: the whole payload (its `trigger_id` is new for every submission, and the values are in
 * it), so only a redelivery of the same submission matches.
 */
export function viewDeliveryKey(body: unknown): string {
  return `slack:view:${hash(JSON.stringify(body))}`;
}

/** An Events API delivery: its `event_id`, which Slack keeps across retries. */
export function eventDeliveryKey(body: { event_id?: string }, event: unknown): string {
  return `slack:event:${body.event_id ?? hash(JSON.stringify(event))}`;
}
