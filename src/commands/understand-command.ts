import { extractBreakGlass, extractReason } from "../intents/extract-text-flag.js";
import { secretInTextRefused, textCarriesPassword } from "../intents/find-secrets-in-text.js";
import {
  type Intent,
  type IntentAction,
  intentAction,
  MUTATING_ACTIONS,
  parseIntent,
} from "../intents/index.js";
import { withTypedFlags } from "../intents/unknown-verb.js";
import type { Message } from "../render/message-model.js";
import { code, md } from "../render/message-model.js";
import { takeScheduleFlags } from "../schedule/take-schedule-flags.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { buildParseErrorView } from "../views/build-parse-error-view.js";
import { withInlineCode } from "../views/format-values.js";
import { commandLabel } from "./command-label.js";
import type { CommandRequest, MutationIntent, RequestMeta } from "./types.js";

/** Commands whose action changes servers go to the mutation handler (a `resize --dry-run` included). */
export function isMutationIntent(intent: Intent): intent is MutationIntent {
  return (MUTATING_ACTIONS as readonly IntentAction[]).includes(intentAction(intent));
}

/**
 * A slash command as the router runs it, or why it cannot run: `verb` is the intent type for the metrics
 * (`unparsed` before there is one), `message` the answer for the requester, `parseErrorCode` the grammar's
 * code when the text was not understood.
 */
export type CommandUnderstanding =
  | { ok: true; intent: Intent; meta: RequestMeta }
  | { ok: false; verb: string; message: Message; parseErrorCode?: string };

/**
 * Reads a slash command: the flags that apply to every change (`--at` / `--window`, `--break-glass`,
 * `--reason`) are taken out here, so no verb's grammar has to know them, then the rest is parsed; flags on a
 * command they do not apply to are refused. Pure: changes nothing and logs nothing.
 */
export function understandCommand(request: CommandRequest, requestId: string): CommandUnderstanding {
  const glass = extractBreakGlass(request.text);
  if (!glass.ok) return refused("unparsed", buildNoticeView(":raised_hand:", withInlineCode(glass.message)));
  const why = extractReason(glass.text);
  if (!why.ok) return refused("unparsed", buildNoticeView(":raised_hand:", withInlineCode(why.message)));
  const taken = takeScheduleFlags(why.text, { breakGlass: glass.value !== undefined });
  if (!taken.ok)
    return refused("unparsed", buildParseErrorView({ code: "invalid_flag", message: taken.message }));
  const meta: RequestMeta = {
    ...(taken.flags !== undefined && { schedule: taken.flags }),
    actor: request.actor,
    channelId: request.channelId,
    ...(request.channelName !== undefined ? { channelName: request.channelName } : {}),
    ...(request.triggerId !== undefined ? { triggerId: request.triggerId } : {}),
    // Without the quoted flags, kept apart (`--at` and `--window` stay in it): the line the card and audit show.
    commandLine: `${request.command} ${why.text}`.trim(),
    requestId,
  };
  // A password or a credential in the reason would be shown to every approver and kept in the audit and the
  // logs: refused like anywhere, saying what kind was found (never the value).
  for (const free of [why.value, glass.value])
    if (free !== undefined && textCarriesPassword(free)) {
      const { error } = secretInTextRefused(free);
      return refused("unparsed", buildParseErrorView(error));
    }
  const parsed = parseIntent(request.command, taken.text);
  if (!parsed.ok) {
    // A corrected command to copy keeps the flags taken out above, as typed.
    const error = withTypedFlags(parsed.error, request.command, request.text);
    return { ...refused("unparsed", buildParseErrorView(error)), parseErrorCode: error.code };
  }
  const { intent } = parsed;
  // Flags that only mean something for a change: refused on anything else, said why.
  const changeOnly = isMutationIntent(intent)
    ? undefined
    : why.value !== undefined
      ? intent.type === "ops.schedule.add"
        ? md`\`--reason\` goes on a command that changes servers now; ${code(commandLabel(intent.type))} does not take it.`
        : md`\`--reason\` says why a change is asked for, for its approvers; ${code(commandLabel(intent.type))} changes nothing.`
      : glass.value !== undefined
        ? md`\`--break-glass\` only applies to commands that change servers (it skips their approval); ${code(commandLabel(intent.type))} needs none.`
        : undefined;
  if (changeOnly !== undefined) return refused(intent.type, buildNoticeView(":raised_hand:", changeOnly));
  if (why.value !== undefined) meta.why = why.value;
  if (glass.value !== undefined) meta.breakGlass = { reason: glass.value };
  // `/ops policy explain <change> --window …` explains the decision as of that start time.
  const explainsChange = intent.type === "ops.policy.explain" && isMutationIntent(intent.intent);
  if (taken.flags !== undefined && !isMutationIntent(intent) && !explainsChange) {
    // A recurring schedule does change servers, at its cron times: it takes neither flag, and a window is
    // kept by the policy (a rule that denies its action `outside:` the window), not by the schedule.
    const message =
      intent.type === "ops.schedule.add"
        ? "`--at` and `--window` schedule one change; a recurring schedule runs at its cron times and takes neither. To keep its runs inside a maintenance window, give the policy a rule that denies the action `outside: [maintenance]` (your window's name); each run is decided against it then"
        : "`--at` and `--window` schedule a change (`/ecs stop web-01 --window <name>`); this command changes nothing";
    return refused(intent.type, buildParseErrorView({ code: "invalid_flag", message }));
  }
  return { ok: true, intent, meta };
}

function refused(verb: string, message: Message): Extract<CommandUnderstanding, { ok: false }> {
  return { ok: false, verb, message };
}
