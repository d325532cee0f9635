import type { ApprovalRequest } from "../approvals/approval-request.js";
import { approvalActionId } from "../operations/approval-action-ids.js";
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
import { type ScheduleSummary, whenText } from "./build-recurring-schedule-views.js";
import { emoji, typeable } from "./format-values.js";

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
        ...md`*When:* ${whenText(schedule)}`,
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
        // Said only when it binds: "needs no reason" on every card would be noise.
        ...(req.reasonRequired ? [md`Rejecting needs a reason`] : []),
      ),
    );
    blocks.push(actions(...scheduleButtons(request, schedule)));
  }
  const result = outcome(request, schedule);
  if (result !== undefined) blocks.push(section({ text: result }));
  return {
    // The notification preview: the cron in words (the raw expression only when it has none), as on the card.
    text: md`${fallback(request)} ${schedule.commandLine}, ${schedule.cronWords ?? `on the cron ${schedule.cron}`}, ${schedule.timeZone} time`,
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
      return md`${emoji(":raising_hand:")} *Schedule needs approval:*`;
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
      return md`${emoji(":stopwatch:")} *Schedule expired:*`;
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
        text: md`Run ${code(schedule.commandLine)} ${whenText(schedule)}, on at most ${plural(schedule.maxTargets, "server")} each time, until it is deleted?`,
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
