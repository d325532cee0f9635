import { buildDenialView, type DenialViewInput } from "../operations/build-denial-view.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  code,
  context,
  localTime,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";
import { emoji, withInlineCode } from "./format-values.js";

/** What a schedule's card and list lines show about it (the view's own shape: no store types). */
export interface ScheduleSummary {
  id: string;
  status: "pending" | "active" | "paused";
  cron: string;
  /** The cron in words (`describeCron`), absent when it has no common form: the raw expression is shown. */
  cronWords?: string;
  timeZone: string;
  commandLine: string;
  ownerId: string;
  maxTargets: number;
  /** The next slots (epoch ms), shown in each reader's local time. */
  nextRuns: readonly number[];
  lastRun?: { slotAt: number; result: "started" | "skipped" | "missed"; why?: string };
}

/**
 * When a schedule runs, as a phrase: `at 19:00, Monday to Friday, Europe/Paris time (cron \`0 19 * * 1-5\`)`;
 * a cron with no words, `on the cron \`0 19 * 3 1-5\`, Europe/Paris time`. The time zone sits with the time
 * (the slots are that zone's wall-clock times); the expression stays, as typed, for whoever edits it.
 */
export function whenText(s: Pick<ScheduleSummary, "cron" | "cronWords" | "timeZone">): Span[] {
  return s.cronWords !== undefined
    ? md`${s.cronWords}, ${s.timeZone} time (cron ${code(s.cron)})`
    : md`on the cron ${code(s.cron)}, ${s.timeZone} time`;
}

/** `/ops schedule list`: every schedule, its timing and next run, its command and owner, its last run. */
export function buildScheduleListView(schedules: readonly ScheduleSummary[]): Message {
  if (schedules.length === 0) {
    return {
      text: "No recurring schedules.",
      blocks: [
        section({
          text: md`No recurring schedules. Create one with ${code('/ops schedule add "0 19 * * 1-5" tz=Europe/Paris /ecs stop tag:env=dev')}.`,
        }),
      ],
    };
  }
  const blocks: Part[] = [section({ text: md`*Recurring schedules* (${String(schedules.length)})` })];
  for (const s of schedules.slice(0, 40)) {
    const state =
      s.status === "active"
        ? md`:repeat: active`
        : s.status === "paused"
          ? md`:double_vertical_bar: paused`
          : md`:raising_hand: waiting for approval`;
    const next =
      s.status === "active" && s.nextRuns[0] !== undefined
        ? md` · next run ${localTime(s.nextRuns[0])}`
        : md``;
    const last =
      s.lastRun === undefined
        ? md``
        : md`\nLast run ${localTime(s.lastRun.slotAt)}: ${s.lastRun.result === "started" ? "started" : s.lastRun.result === "skipped" ? "skipped" : "missed"}${s.lastRun.why ? md` (${s.lastRun.why})` : md``}`;
    blocks.push(
      section({
        text: md`${code(s.id)} ${state} · ${code(s.commandLine)}\nRuns ${whenText(s)}${next} · owner ${userMention(s.ownerId)} · at most ${plural(s.maxTargets, "server")} per run${last}`,
      }),
    );
  }
  if (schedules.length > 40) blocks.push(context(md`…and ${String(schedules.length - 40)} more.`));
  blocks.push(
    context(md`${code("/ops schedule pause|resume|delete <id>")}: the owner or an approver of the schedule.`),
  );
  return { text: plural(schedules.length, "recurring schedule"), blocks };
}

/**
 * A new schedule whose next run the policy denies (decided at that run's time) while a later run is let through:
 * the runs from `firstAt` (`count` of them) will be skipped when they come, for `reasons`; the schedule is asked
 * for under the decision at `firstAllowedAt`.
 */
export interface DeniedRuns {
  firstAt: number;
  count: number;
  reasons: readonly string[];
  firstAllowedAt: number;
}

/**
 * To the requester: the schedule is asked for (its card is in the channel) and active at once when the policy
 * allows it, or waiting for approvals. When its next runs are denied, says which will be skipped and why, and
 * the first run the policy lets through, whose decision the schedule was asked under.
 */
export function buildScheduleRequestedView(
  input: { id: string; deniedRuns?: DeniedRuns } & (
    | { allowed: true }
    | { allowed: false; minApprovals: number; approvers: readonly Span[] }
  ),
): Message {
  const notice = input.allowed
    ? buildNoticeView(
        ":repeat:",
        md`Schedule ${code(input.id)} is allowed by the policy and active; its card is in the channel.`,
      )
    : buildNoticeView(
        ":raising_hand:",
        md`Your schedule ${code(input.id)} needs ${plural(input.minApprovals, "approval")} from ${input.approvers}; I posted it in the channel.`,
      );
  const denied = input.deniedRuns;
  if (denied === undefined) return notice;
  const which =
    denied.count === 1
      ? md`Its next run, ${localTime(denied.firstAt)}, is denied by the policy as it stands`
      : md`Its next ${String(denied.count)} runs, from ${localTime(denied.firstAt)}, are denied by the policy as it stands`;
  return {
    text: notice.text,
    blocks: [
      ...notice.blocks,
      section({
        text: [
          ...md`${emoji(":fast_forward:")} ${which}${denied.reasons.length > 0 ? md`:` : md``}`,
          ...denied.reasons.slice(0, 5).flatMap((r) => md`\n• ${withInlineCode(r)}`),
          ...md`\n${denied.count === 1 ? "It will be skipped" : "They will be skipped"} (and reported in the channel) unless the policy changes by then. The first run the policy lets through is ${localTime(denied.firstAllowedAt)}: the schedule is asked for under the policy's decision for that run.`,
        ],
      }),
    ],
  };
}

/**
 * A schedule refused by the policy. `slots`: its command was denied at its next run (`firstAt`) and at every
 * run looked at after it, up to `lastCheckedAt`; the denial says so, since the same command could be allowed now.
 */
export function buildScheduleDenialView(
  input: DenialViewInput & { slots?: { firstAt: number; lastCheckedAt: number; checked: number } },
): Message {
  const { slots, ...denial } = input;
  const view = buildDenialView(denial);
  if (slots === undefined) return view;
  const when =
    slots.checked === 1
      ? md`Decided for its next run, ${localTime(slots.firstAt)} (the policy judges each run at its time).`
      : md`Decided for its next run, ${localTime(slots.firstAt)} (the policy judges each run at its time), and for every run after it up to ${localTime(slots.lastCheckedAt)} (${String(slots.checked)} runs): all would be denied, so nothing was created.`;
  const [first, ...rest] = view.blocks;
  return { text: view.text, blocks: [...(first !== undefined ? [first] : []), context(when), ...rest] };
}

/** A schedule whose cron names no time to come (e.g. the 30th of February): nothing is created. */
export function buildScheduleNeverRunsText(timing: { cron: string; timeZone: string }): Span[] {
  return md`The cron expression ${code(timing.cron)} (${timing.timeZone}) names no time to come: the schedule would never run. Nothing was created.`;
}
