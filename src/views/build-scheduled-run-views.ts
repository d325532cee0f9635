import { formatDuration } from "../config/parse-duration.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  code,
  context,
  localTime,
  type Message,
  md,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import type { ScheduleSummary } from "./build-recurring-schedule-views.js";
import { emoji, shortServerId, typeable } from "./format-values.js";

/**
 * Why one slot of a schedule did not run (operator text), posted in the schedule's channel. A reason is plain
 * text, or spans (`describeScheduledServer`).
 */
export function buildScheduleSkippedView(input: {
  schedule: Pick<ScheduleSummary, "id" | "commandLine" | "ownerId">;
  slotAt: number;
  reasons: readonly (string | readonly Span[])[];
}): Message {
  const { schedule } = input;
  return {
    text: md`Schedule ${schedule.id}: the run of ${localTime(input.slotAt)} was skipped. ${input.reasons[0] ?? ""}`,
    blocks: [
      section({
        text: [
          ...md`${emoji(":fast_forward:")} *Skipped:* the run of ${localTime(input.slotAt)} of schedule ${code(schedule.id)} (${code(schedule.commandLine)}, by ${userMention(schedule.ownerId)})`,
          ...input.reasons.slice(0, 8).flatMap((r) => md`\n• ${r}`),
        ],
      }),
      context(
        md`Nothing was done. The schedule stays active and its next run is checked again. To run it now, type the command: it gets the approvals it needs today.`,
      ),
    ],
  };
}

/**
 * Slots missed while no replica was running, in one message: how many, from when to when, and whether the
 * latest one runs now (only when it is within the grace) or not at all.
 */
export function buildScheduleMissedView(input: {
  schedule: Pick<ScheduleSummary, "id" | "commandLine">;
  missed: readonly number[];
  truncated: boolean;
  /** The latest slot runs now (it is recent enough). */
  runsLatest: boolean;
  latest: number;
  graceMs: number;
}): Message {
  const { schedule, missed } = input;
  const first = missed[0];
  const count = `${input.truncated ? "more than " : ""}${missed.length} run${missed.length === 1 ? "" : "s"}`;
  const span =
    first === undefined
      ? md``
      : missed.length === 1
        ? md` (${localTime(first)})`
        : md` (${localTime(first)} to ${localTime(missed.at(-1) ?? first)})`;
  const then = input.runsLatest
    ? md`The latest, ${localTime(input.latest)}, runs now.`
    : md`The latest, ${localTime(input.latest)}, is more than ${formatDuration(input.graceMs)} old, so it does not run either; the schedule continues at its next slot.`;
  return {
    text: md`Schedule ${schedule.id} missed ${count} while the bot was not running.`,
    blocks: [
      section({
        text: md`${emoji(":warning:")} Schedule ${code(schedule.id)} (${code(schedule.commandLine)}) missed ${count}${span} while the bot was not running. They are not run late. ${then}`,
      }),
    ],
  };
}

/**
 * The reply under a scheduled run's card: which schedule and slot it is, and what became of the servers the
 * command names whose approved server was renamed, deleted or replaced (`describeScheduledServer`).
 */
export function buildScheduledRunNote(input: {
  scheduleId: string;
  slotAt: number;
  maxTargets: number;
  count: number;
  notes?: readonly (readonly Span[])[];
}): Message {
  const notes = input.notes ?? [];
  return {
    text: md`Run of schedule ${input.scheduleId} for ${localTime(input.slotAt)}`,
    blocks: [
      context(
        md`${emoji(":repeat:")} Run of schedule ${code(input.scheduleId)} for ${localTime(input.slotAt)}: ${String(input.count)} of at most ${plural(input.maxTargets, "server")}, allowed by the schedule's approval.`,
      ),
      ...(notes.length > 0
        ? [section({ text: notes.slice(0, 8).flatMap((n, i) => md`${i === 0 ? "" : "\n"}• ${n}`) })]
        : []),
    ],
  };
}

/**
 * What became of one server reference of a scheduled command (an exact name, an ID or an IP address) at a run,
 * against the server its approvers saw. `moved`: the approved server still exists and the run includes it (by
 * ID), but it was renamed (`nowNamed`) or the reference now names `others` too, which the run leaves alone;
 * `gone`: the approved server no longer exists; `unknown`: a schedule stored before the approved servers were
 * kept, whose request has expired. The last two are skipped.
 */
export type ScheduledServerNote = {
  /** The reference as typed: a name, an ID or an address. */
  target: string;
  /** Whether the reference is a name (what it names now is then "the new `web-03`"). */
  isName: boolean;
  /** Servers the reference names now that are not the approved one: never acted on. */
  others: readonly { id: string; name: string }[];
} & (
  | { kind: "moved"; approved: { id: string; name?: string }; nowNamed?: string }
  | { kind: "gone"; approved: { id: string; name?: string } }
  | { kind: "unknown" }
);

function serversText(servers: ScheduledServerNote["others"]): Span[] {
  const shown = servers.slice(0, 3).map((o) => md`${typeable(o.name)} (${shortServerId(o.id)})`);
  const more = servers.length - shown.length;
  return [
    ...shown.flatMap((o, i) => (i === 0 ? o : [...md`, `, ...o])),
    ...(more > 0 ? md` and ${plural(more, "other")}` : []),
  ];
}

/** One line of the run's note, or one reason of a skipped run, about one server reference (see the type). */
export function describeScheduledServer(note: ScheduledServerNote): Span[] {
  const target = typeable(note.target);
  const { others } = note;
  if (note.kind === "unknown") {
    return md`Skipped ${target}: this schedule was stored before the bot kept the IDs of the servers it approves, and its approval request is no longer kept, so nothing says which server its approvers saw. Ask for a new schedule to change ${target}.`;
  }
  const approvedId = shortServerId(note.approved.id);
  const one = others.length === 1;
  const skipped = md`Skipped ${serversText(others)}${note.isName ? md`` : md`, which ${target} now selects`}: ${one ? "it is" : "they are"} not the server this schedule was approved for`;
  const askAgain = note.isName
    ? md`Ask for a new schedule to change the new ${target}.`
    : md`Ask for a new schedule to change ${one ? "it" : "them"}.`;
  if (note.kind === "gone") {
    if (others.length === 0) {
      const was = note.approved.name !== undefined ? md`${typeable(note.approved.name)}, ` : md``;
      return md`Skipped ${target}: the server this schedule was approved for (${was}${approvedId}) no longer exists.`;
    }
    return md`${skipped} (that was ${approvedId}, which no longer exists). ${askAgain}`;
  }
  const renamed = note.nowNamed !== undefined ? md`, now named ${typeable(note.nowNamed)}` : md``;
  if (others.length === 0) {
    if (note.nowNamed === undefined) return md`${target} is the server approved (${approvedId}).`;
    const approvedAs = note.approved.name !== undefined ? md` as ${typeable(note.approved.name)}` : md``;
    return md`The server approved${approvedAs} (${approvedId}) is now named ${typeable(note.nowNamed)}: this run includes it, as approved.`;
  }
  return md`${skipped} (that was ${approvedId}${renamed}, which this run includes, as approved). ${askAgain}`;
}
