import { code, md, type Span, userMention } from "../render/message-model.js";

/**
 * The `/invite` that brings the bot into a channel, naming the bot by its Slack user ID (`auth.test` at start):
 * "`/invite` @name", with the name a workspace gave the app, as a mention outside the code span (Slack does not
 * render one inside it). Without the ID (a failure before `auth.test`, a harness without it): the app's name
 * from its manifest, "`/invite @hwc-chatops`".
 */
export function formatInviteCommand(botUserId: string | undefined): Span[] {
  return botUserId === undefined
    ? [code("/invite @hwc-chatops")]
    : md`${code("/invite")} ${userMention(botUserId)}`;
}
