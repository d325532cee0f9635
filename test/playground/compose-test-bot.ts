import { createPlaygroundBot } from "../../src/app/create-playground-bot.js";
import { loadAppConfig } from "../../src/app/load-app-config.js";
import type { ViewSubmission } from "../../src/commands/types.js";
import { md, userMention } from "../../src/render/message-model.js";
import type { PlaygroundBotFactory } from "../../src/sandbox/playground/index.js";

/** Action ID of the button that opens the test modal; callback ID of that modal. */
export const OPEN_FORM_ACTION = "pgtest.open";
export const FORM_CALLBACK = "pgtest.form";

/**
 * The real bot (the production composition, as `npm start` runs it in the playground), plus one extension registered through
 * its public extension points: a button that opens a modal with a text input, validated on submit, whose
 * submission the bot confirms in the channel. Lets tests drive modals through the real receiver before the
 * bot's own modals (rejection reasons) exist.
 */
export function composeTestBot(submissions: ViewSubmission[]): PlaygroundBotFactory {
  const app = loadAppConfig({});
  if (!app.ok) throw new Error(app.issues.join("; "));
  return createPlaygroundBot(app.config, (bot) => {
    bot.registerAction(OPEN_FORM_ACTION, async (action, ctx) => {
      if (action.triggerId === undefined) throw new Error("no trigger_id");
      await ctx.chat.openModal(action.triggerId, {
        id: FORM_CALLBACK,
        title: "Tell us why",
        submitLabel: "Send",
        privateMetadata: action.channelId ?? "",
        inputs: [{ id: "reason", label: "Reason", multiline: true }],
      });
    });
    bot.registerView(FORM_CALLBACK, {
      validate: (submission) =>
        (submission.values.reason ?? "").length < 5 ? { reason: "Give a reason (5+ characters)" } : undefined,
      async handle(submission, ctx) {
        submissions.push(submission);
        const reason = submission.values.reason ?? "";
        await ctx.chat.postMessage(submission.privateMetadata, {
          text: md`Reason received: ${reason}`,
          blocks: [
            {
              kind: "section",
              text: md`:white_check_mark: Reason received from ${userMention(submission.actor.userId)}: ${reason}`,
            },
          ],
        });
      },
    });
  });
}
