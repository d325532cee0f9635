import { code, type Message, md, section, type Text } from "../render/message-model.js";
import { emoji } from "./format-values.js";

/** A one-line notice with an icon. */
export function buildNoticeView(icon: `:${string}:`, text: Text): Message {
  return { text, blocks: [section({ text: md`${emoji(icon)} ${text}` })] };
}

/** A command this deployment does not run (no handler plugged in for it). */
export function buildNotEnabledView(commandLabel: string): Message {
  return buildNoticeView(
    ":no_entry:",
    md`${code(commandLabel)} is not enabled in this deployment: this bot answers read-only commands only. Ask the people who run hwc-chatops to enable it.`,
  );
}

/** A button or menu whose stored context is gone (expired, or the bot restarted without shared state). */
export function buildExpiredView(): Message {
  return buildNoticeView(":stopwatch:", md`This result has expired. Run the command again.`);
}

/** A second click on a choice (a server, an action) already made: the first one continued the command. */
export function buildChoiceMadeView(): Message {
  return buildNoticeView(
    ":information_source:",
    md`This choice was already made, so nothing more was done. Run the command again to choose anew.`,
  );
}

/** A click on something meant for someone else (a choice only the requester may make). */
export function buildNotYoursView(): Message {
  return buildNoticeView(
    ":raised_hand:",
    md`Only the person who ran the command can choose here. Run it yourself to get your own menu.`,
  );
}

/**
 * A command that holds one of the bot's own secrets (its Slack token or signing secret, the cloud's key): it is
 * not run, so the secret goes nowhere else (no card, audit entry, tag or log line), and never repeated.
 */
export function buildOwnSecretRefusedView(): Message {
  return buildNoticeView(
    ":no_entry:",
    md`That command holds one of this bot's own secrets (a Slack token or signing secret, or a cloud key), so I did nothing with it. It is now in this conversation's history: delete the message if Slack kept it, and ask the people who run hwc-chatops to rotate that secret.`,
  );
}
