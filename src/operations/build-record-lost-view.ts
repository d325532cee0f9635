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
 * continue or finish the run, so the thread would otherwise stay silent. Says what was sent as far as this
 * replica knows, that nothing is sent again, and how to check the servers.
 */
export function buildRecordLostView(input: RecordLostInput): Message {
  const sent: Span[] =
    input.sent === undefined
      ? md`Nothing had been sent to the cloud for it.`
      : md`Sent: *${input.verb}* for ${names(input.sent.names)}${
          input.sent.jobIds.length > 0
            ? md` (${plural(input.sent.jobIds.length, "job")} ${listed(input.sent.jobIds.map((j) => code(j)))})`
            : md` (no job ID was seen)`
        }; whether it took effect is not recorded anywhere now.`;
  const checks = listed(input.targetNames.slice(0, MAX_SHOWN).map((n) => code(`/ecs show ${n}`)));
  const more = input.targetNames.length - MAX_SHOWN;
  const text = md`:warning: ${userMention(input.requesterId)} *The bot's state store lost this run's record* (a store that came back empty), so no replica can continue or finish this *${input.verb}* and no summary will follow. ${sent} Nothing will be sent again. Check the servers: ${checks}${more > 0 ? md` and ${plural(more, "more server")}` : md``}.`;
  return {
    text: md`The state store lost this run's record: check the servers.`,
    blocks: [section({ text })],
  };
}

/** The card's result line when the run's record was lost. */
export const RECORD_LOST_RESULT =
  "the state store lost this run's record; check the servers (see the thread)";

/** The spans separated by commas. */
function listed(items: readonly Span[]): Span[] {
  return items.flatMap((item, i) => (i > 0 ? [...md`, `, item] : [item]));
}

function names(list: readonly string[]): Span[] {
  const shown = listed(list.slice(0, MAX_SHOWN).map(typeable));
  const more = list.length - MAX_SHOWN;
  return more > 0 ? [...shown, ...md` and ${plural(more, "more server")}`] : shown;
}
