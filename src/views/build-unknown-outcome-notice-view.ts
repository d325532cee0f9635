import { formatCount, plural } from "../render/escape-mrkdwn.js";
import {
  bold,
  context,
  localTime,
  type Message,
  md,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { emoji } from "./format-values.js";

export interface UnknownOutcomeNoticeInput {
  /** The call as a noun: "the delete", "the stop". */
  what: string;
  /** The servers that show nothing of it, as last read. */
  servers: readonly { name: string; status: string }[];
  /** What the cloud answered to the call, in operator words (HTTP status, code, request ID). */
  answer?: string;
  /** How long the servers were watched. */
  watchedMs: number;
  /** Until when they are watched. */
  until: number;
  /** Told with a mention, so they learn it without watching the thread. */
  requesterId?: string;
}

/** Servers named in the notice; the rest are counted. */
const NAMED = 5;

/**
 * A reply in the request's thread a short while after a call whose outcome is unknown: what the servers show
 * (still as before, no task in progress), that the call may not have been taken and is never sent again, and
 * what to check. The bot keeps watching until the wait's deadline and reports the end as usual.
 */
export function buildUnknownOutcomeNoticeView(input: UnknownOutcomeNoticeInput): Message {
  const minutes = Math.max(1, Math.round(input.watchedMs / 60_000));
  const after = plural(minutes, "minute");
  const [only] = input.servers;
  const seen: Span[] =
    input.servers.length === 1 && only !== undefined
      ? md`${bold(only.name)} is still ${only.status} with no task in progress`
      : md`${formatCount(input.servers.length)} servers still show no change and no task in progress (${listed(input.servers)})`;
  const answered = input.answer !== undefined ? md` (${input.answer})` : md``;
  const text = md`Outcome unknown: ${seen} ${after} after ${input.what} was sent${answered}; the cloud may not have taken it. Nothing will be sent again. Check the servers in the Huawei Cloud console (and its task list) before asking again. I keep watching until ${localTime(input.until, "time")} and will post how it ends.`;
  return {
    text,
    blocks: [
      ...(input.requesterId !== undefined
        ? [context(md`${userMention(input.requesterId)}, your request needs a look:`)]
        : []),
      section({ text: md`${emoji(":grey_question:")} ${text}` }),
    ],
  };
}

function listed(servers: UnknownOutcomeNoticeInput["servers"]): string {
  const named = servers.slice(0, NAMED).map((s) => `${s.name} ${s.status}`);
  const more = servers.length - named.length;
  return more > 0 ? `${named.join(", ")} and ${formatCount(more)} more` : named.join(", ");
}
