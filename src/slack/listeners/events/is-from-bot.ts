/** The fields of a Slack message/mention event that tell who wrote it. */
export interface AuthoredEvent {
  user?: string;
  bot_id?: string;
  bot_profile?: unknown;
  subtype?: string;
}

/**
 * True for messages written by any bot or app, including this one: the bot never answers bots, so two
 * bots cannot talk each other into a loop.
 */
export function isFromBot(event: AuthoredEvent, botUserId: string | undefined): boolean {
  return (
    (typeof event.bot_id === "string" && event.bot_id !== "") ||
    event.bot_profile !== undefined ||
    event.subtype === "bot_message" ||
    (botUserId !== undefined && event.user === botUserId)
  );
}
