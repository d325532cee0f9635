import type { ApprovalRequest } from "../approvals/approval-request.js";
import { formatDuration } from "../config/parse-duration.js";
import { approvalActionId } from "../operations/approval-action-ids.js";
import { buildDenialView, type DenialViewInput } from "../operations/build-denial-view.js";
import { describeExpiresAt } from "../operations/build-request-card.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  actions,
  button,
  code,
  context,
  groupMention,
  type ListItem,
  list,
  localTime,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";
import { emoji, typeable, withInlineCode } from "./format-values.js";

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

/** `at 19:00, Monday to Friday (0 19 * * 1-5, Europe/Paris)`. */
function when(s: Pick<ScheduleSummary, "cron" | "cronWords" | "timeZone">): Span[] {
  return s.cronWords !== undefined
    ? md`${s.cronWords} (${code(s.cron)}, ${s.timeZone})`
    : md`${code(s.cron)} (${s.timeZone})`;
}

function nextRunsText(nextRuns: readonly number[]): Span[] {
  if (nextRuns.length === 0) return md`none`;
  return nextRuns.flatMap((at, i) => (i === 0 ? [localTime(at)] : [...md` · `, localTime(at)]));
}

export interface ScheduleCardInput {
  request: ApprovalRequest;
  schedule: ScheduleSummary;
  /** User-group IDs by handle, so the approver groups are mentioned. */
  groupIds?: Readonly<Record<string, string>>;
}

/** Servers listed on a schedule's card; more are counted. */
const MAX_CARD_TARGETS = 10;

/**
 * The card of a request to create a recurring schedule: who asks to run what, when (the cron in words, the
 * zone, the next 3 runs in each reader's time), at most how many servers per run (the servers it selects
 * now), the approvals, and Approve / Reject / Cancel while it is pending. Pure.
 */
export function buildScheduleCard(input: ScheduleCardInput): Message {
  const { request, schedule } = input;
  const who = userMention(request.requester.userId);
  const blocks: Part[] = [
    section({ text: md`${headline(request)} ${who} ${verbFor(request)} ${code(schedule.commandLine)}` }),
  ];
  blocks.push(
    section({
      text: [
        ...md`*When:* ${when(schedule)}`,
        ...md`\n*Next runs:* ${nextRunsText(schedule.nextRuns)}`,
        ...md`\n*At most ${plural(schedule.maxTargets, "server")} per run* (what it selects now; a server named is this one at every run, even renamed; a ${code("tag:")} finds its servers again)`,
      ],
    }),
  );
  blocks.push(
    list(request.targets.slice(0, MAX_CARD_TARGETS).map(targetItem), {
      total: request.targets.length,
      moreHint: md`each run lists them again`,
    }),
  );
  blocks.push(
    context(
      md`Each run is checked by the policy as ${who} at that time; a run it would deny or ask approval for, or with more servers, is skipped and reported here.`,
    ),
  );
  const allowed = isAllowed(request);
  if (allowed) blocks.push(context(md`Allowed by the policy: no approval needed.`));
  else blocks.push(section({ text: approvalLine(request, input.groupIds ?? {}) }));
  if (request.status === "pending" && !allowed) {
    const req = request.requirement;
    blocks.push(
      context(
        describeExpiresAt(request),
        req.reasonRequired ? md`Rejecting needs a reason` : md`Rejecting needs no reason`,
      ),
    );
    blocks.push(actions(...scheduleButtons(request, schedule)));
  }
  const result = outcome(request, schedule);
  if (result !== undefined) blocks.push(section({ text: result }));
  return {
    text: md`${fallback(request)} ${schedule.commandLine} ${schedule.cron} (${schedule.timeZone})`,
    blocks,
  };
}

function isAllowed(request: ApprovalRequest): boolean {
  const { users, groups } = request.requirement.approvers;
  return groups.length === 0 && users.length === 1 && users[0] === "system:policy";
}

function verbFor(request: ApprovalRequest): string {
  return request.status === "pending" ? "asks to schedule" : "asked to schedule";
}

function headline(request: ApprovalRequest): Span[] {
  switch (request.status) {
    case "pending":
      return md`${emoji(":lock:")} *Schedule needs approval:*`;
    case "approved":
    case "executing":
      return md`${emoji(":white_check_mark:")} *Schedule approved:*`;
    case "succeeded":
      return md`${emoji(":repeat:")} *Schedule active:*`;
    case "rejected":
      return md`${emoji(":no_entry_sign:")} *Schedule rejected:*`;
    case "cancelled":
      return md`${emoji(":heavy_multiplication_x:")} *Schedule cancelled:*`;
    case "expired":
      return md`${emoji(":hourglass:")} *Schedule expired:*`;
    default:
      return md`${emoji(":x:")} *Schedule not created:*`;
  }
}

function fallback(request: ApprovalRequest): string {
  return request.status === "pending" ? "Schedule needs approval:" : "Schedule:";
}

function targetItem(t: ApprovalRequest["targets"][number]): ListItem {
  const env = t.tags?.env;
  return {
    status: t.status,
    title: typeable(t.name),
    subtitle: env !== undefined ? md`${t.flavor} · env=${env}` : md`${t.flavor}`,
  };
}

function approvalLine(request: ApprovalRequest, groupIds: Readonly<Record<string, string>>): Span[] {
  const req = request.requirement;
  const people: Span[][] = [
    ...req.approvers.users.map((u) => [userMention(u)]),
    ...req.approvers.groups.map((g) => {
      const id = groupIds[g];
      return id !== undefined ? [groupMention(id, g)] : md`@${g}`;
    }),
  ];
  const whom = people.flatMap((p, i) => (i === 0 ? p : [...md`, `, ...p]));
  const given = request.approvals.map((a) => userMention(a.userId));
  const by = given.length === 0 ? md`nobody yet` : given.flatMap((g, i) => (i === 0 ? [g] : [...md`, `, g]));
  if (request.status === "pending") {
    return md`*Approvals: ${String(request.approvals.length)} of ${String(req.minApprovals)}* from ${whom}${req.allowSelfApproval ? md`` : md` (not ${userMention(request.requester.userId)})`} · approved by: ${by}`;
  }
  return md`*Approved by* ${by}`;
}

function scheduleButtons(request: ApprovalRequest, schedule: ScheduleSummary) {
  return [
    button({
      id: approvalActionId("approve"),
      label: "Approve",
      value: request.id,
      style: "primary",
      confirm: {
        title: "Approve the schedule?",
        text: md`Run ${code(schedule.commandLine)} ${schedule.cronWords ?? schedule.cron} (${schedule.timeZone}), on at most ${plural(schedule.maxTargets, "server")} each time, until it is deleted?`,
        confirm: "Approve schedule",
        deny: "Back",
      },
    }),
    button({ id: approvalActionId("reject"), label: "Reject", value: request.id, style: "danger" }),
    button({ id: approvalActionId("cancel"), label: "Cancel request", value: request.id }),
  ];
}

function outcome(request: ApprovalRequest, schedule: ScheduleSummary): Span[] | undefined {
  switch (request.status) {
    case "succeeded":
      return md`Schedule ${code(schedule.id)} is active. ${code(`/ops schedule pause ${schedule.id}`)} pauses it; ${code("/ops schedule list")} shows every schedule.`;
    case "rejected":
      return request.rejection?.reason
        ? md`Rejected by ${userMention(request.rejection.userId)}: ${request.rejection.reason}\nNothing will run.`
        : md`Nothing will run.`;
    case "cancelled":
    case "expired":
      return md`Nothing will run; ask again if it is still needed.`;
    case "failed":
    case "revoked":
    case "outcome_unknown":
      return md`The schedule was not created${request.execution?.error ? md`: ${request.execution.error}` : md``}. Nothing will run.`;
    default:
      return undefined;
  }
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
          : md`:lock: waiting for approval`;
    const next =
      s.status === "active" && s.nextRuns[0] !== undefined ? md` · next ${localTime(s.nextRuns[0])}` : md``;
    const last =
      s.lastRun === undefined
        ? md``
        : md`\nLast run ${localTime(s.lastRun.slotAt)}: ${s.lastRun.result === "started" ? "started" : s.lastRun.result === "skipped" ? "skipped" : "missed"}${s.lastRun.why ? md` (${s.lastRun.why})` : md``}`;
    blocks.push(
      section({
        text: md`${code(s.id)} ${state} · ${code(s.commandLine)}\n${when(s)}${next} · by ${userMention(s.ownerId)} · at most ${plural(s.maxTargets, "server")}${last}`,
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

/** `a9f8e7d6…`: as cards shorten server IDs. */
function shortId(id: string): Span {
  return code(`${id.slice(0, 8)}…`);
}

function serversText(servers: ScheduledServerNote["others"]): Span[] {
  const shown = servers.slice(0, 3).map((o) => md`${typeable(o.name)} (${shortId(o.id)})`);
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
  const approvedId = shortId(note.approved.id);
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
        ":lock:",
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
