import { plural } from "../render/escape-mrkdwn.js";
import { code, type Message, md, type Span, section, userMention } from "../render/message-model.js";
import { typeable } from "../views/format-values.js";

export interface RecordLostInput {
  /** The request's verb (`stop`). */
  verb: string;
  /** Mentioned first, so they learn the run will not finish. */
  requesterId: string;
  /** The servers of the request, by name. */
  targetNames: readonly string[];
  /** What this replica saw sent (servers by name, job IDs); undefined: nothing was sent. */
  sent: { names: readonly string[]; jobIds: readonly string[] } | undefined;
}

/** Servers named with a `/ecs show` each; more than this are counted. */
const MAX_SHOWN = 5;

/**
 * The note in a run's thread when the store lost the run's record (a Redis that came back empty): nobody can
 * continue or finish the run, so the thread would otherwise stay silent. Said as the operator sees it: the bot
 * stopped following this change, what it had asked Huawei Cloud to do as far as this replica knows (with the
 * jobs to look up), that nothing more is sent, and how to check the servers and carry on.
 */
export function buildRecordLostView(input: RecordLostInput): Message {
  const sent: Span[] =
    input.sent === undefined
      ? md`Nothing had been sent to Huawei Cloud for it, and nothing will be.`
      : md`It had asked Huawei Cloud to *${input.verb}* ${names(input.sent.names)}${
          input.sent.jobIds.length > 0
            ? md` (${input.sent.jobIds.length === 1 ? "job" : "jobs"} ${listed(input.sent.jobIds.map((j) => code(j)))}: ${code(`/ecs job ${input.sent.jobIds[0]}`)} shows ${input.sent.jobIds.length === 1 ? "it" : "one"})`
            : md``
        }; whether that worked is not known. Nothing more will be sent.`;
  const checks = listed(input.targetNames.slice(0, MAX_SHOWN).map((n) => code(`/ecs show ${n}`)));
  const more = input.targetNames.length - MAX_SHOWN;
  const text = md`:warning: ${userMention(input.requesterId)} *The bot lost track of this ${input.verb}* (its saved progress was wiped), so it will not finish it and no summary will follow. ${sent} Check the servers: ${checks}${more > 0 ? md` and ${plural(more, "more server")}` : md``}; if the change is still needed, ask for it again.`;
  return {
    text: md`The bot lost track of this ${input.verb}: check the servers.`,
    blocks: [section({ text })],
  };
}

/** The card's result line when the run's record was lost. */
export const RECORD_LOST_RESULT = "the bot lost track of this run; check the servers (see the thread)";

/** The spans separated by commas. */
function listed(items: readonly Span[]): Span[] {
  return items.flatMap((item, i) => (i > 0 ? [...md`, `, item] : [item]));
}

function names(list: readonly string[]): Span[] {
  const shown = listed(list.slice(0, MAX_SHOWN).map(typeable));
  const more = list.length - MAX_SHOWN;
  return more > 0 ? [...shown, ...md` and ${plural(more, "more server")}`] : shown;
}
