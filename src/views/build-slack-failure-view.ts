import { code, type Message, md, type Span } from "../render/message-model.js";
import { CHANNEL_DELIVERY_ERRORS } from "../slack/channel-delivery-errors.js";
import { buildDeliveryErrorView } from "./build-delivery-error-view.js";
import { buildNoticeView } from "./build-notice-view.js";

/**
 * Slack's refusals that are about where the bot posts (the channel, the app's access there, the rate): the
 * requester can act on them (invite the bot, use another channel, wait), so they are explained as such
 * (`buildDeliveryErrorView`). Any other failure is the bot's or Slack's, whichever call it was.
 */
export const CHANNEL_REFUSALS: ReadonlySet<string> = new Set([...CHANNEL_DELIVERY_ERRORS, "ratelimited"]);

/** Failures of the app's own access (its token, its scopes): nothing the requester can do but tell someone. */
const ACCESS_FAILURES: ReadonlySet<string> = new Set([
  "missing_scope",
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
]);

export interface SlackFailureViewInput {
  /** The Slack call that failed (`usergroups.list`, `chat.postMessage`, `respond`…); absent: a message. */
  method?: string;
  /** Slack's error code, or `http_<status>` / `request_error` for a failure before Slack answered. */
  code: string;
  /** The bot's Slack user ID, for the `/invite` hint (see `DeliveryErrorViewInput`). */
  botUserId?: string | undefined;
  /**
   * The failure came while answering a read (or sharing one): nothing was changed. Otherwise a failed message
   * may have been the answer to a change, and the view says where to check before asking again.
   */
  onlyRead?: boolean;
}

/**
 * What failed when a Slack call did, in the requester's words, and what to do: a failed read of their user
 * groups (which the policy decides on) or of their time zone says so and that nothing was done, never "run the
 * command in another channel", which only helps a refusal about the channel ({@link CHANNEL_REFUSALS}).
 */
export function buildSlackFailureView(input: SlackFailureViewInput): Message {
  if (CHANNEL_REFUSALS.has(input.code)) return buildDeliveryErrorView(input);
  const answered = slackAnswer(input.code);
  const next = ACCESS_FAILURES.has(input.code)
    ? md`Ask the people who run hwc-chatops to check the app's Slack access.`
    : md`Try again in a moment.`;
  let text: Span[];
  switch (input.method) {
    case "usergroups.list":
      text = md`I could not read your Slack user groups (${answered}), which the policy needs to decide this request: nothing was done. ${next}`;
      break;
    case "users.info":
      text = md`I could not read your time zone from your Slack profile (${answered}), which I need to read the time you gave: nothing was done. ${next}`;
      break;
    case "views.open":
      text = md`I could not open the form (${answered}): nothing was done. ${next}`;
      break;
    default:
      text =
        input.onlyRead === true
          ? md`Slack did not take my message (${answered}). It was only a read, so nothing was changed. ${next}`
          : ACCESS_FAILURES.has(input.code)
            ? md`Slack did not take my message (${answered}), so you may have missed my answer. ${next}`
            : md`Slack did not take my message (${answered}), so you may have missed my answer. If you asked for a change, check ${code("/ops approvals")} and ${code("/ops jobs")} before asking again; otherwise try again in a moment.`;
  }
  return buildNoticeView(":warning:", text);
}

/** "Slack answered 503", "Slack could not be reached", "Slack answered `internal_error`". */
function slackAnswer(slackCode: string): Span[] {
  const http = /^http_(\d{3})$/.exec(slackCode);
  if (http !== null) return md`Slack answered ${http[1]!}`;
  if (slackCode === "request_error") return md`Slack could not be reached`;
  return md`Slack answered ${code(slackCode)}`;
}
