import type { ApprovalRequest, ApprovalTarget } from "../approvals/approval-request.js";
import { parseServerTags } from "../cloud/parse-server-tags.js";
import type { Server } from "../cloud/types.js";
import type { HandlerContext, MutationIntent, ScheduleIntent } from "../commands/types.js";
import { buildNotRecordedView } from "../operations/build-preflight-views.js";
import { decidePolicy, readGroups } from "../operations/decide-policy.js";
import { describeApprovers, POLICY_ACTOR } from "../operations/describe-request.js";
import { directConversationOf } from "../operations/direct-conversation-of.js";
import {
  POLICY_ALLOWED_REQUIREMENT,
  preparingViewFor,
  withSelectors,
} from "../operations/request-post-parts.js";
import { toOperationRequest } from "../operations/to-operation-request.js";
import { termsOf } from "../policy/compare-decisions.js";
import { policyVersion } from "../policy/policy-version.js";
import { code, type Message, md } from "../render/message-model.js";
import { targetsOf } from "../targets/replace-target.js";
import { buildDirectMessageRefusalView } from "../views/build-direct-message-refusal-view.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import {
  buildScheduleDenialView,
  buildScheduleNeverRunsText,
  buildScheduleRequestedView,
} from "../views/build-recurring-schedule-views.js";
import { buildResolutionErrorView } from "../views/build-resolution-error-view.js";
import { withInlineCode } from "../views/format-values.js";
import type { Preflight } from "../workflow/preflight-types.js";
import { approvedServersOf } from "./approved-servers.js";
import { combineDecisions } from "./combine-decisions.js";
import { calendarsMatter, decideAtNextSlot } from "./decide-at-next-slot.js";
import { parseScheduleTiming } from "./parse-schedule-timing.js";
import { SCHEDULE_CREATE_ACTION, type ScheduleDeps } from "./schedule-deps.js";
import {
  newScheduleId,
  SCHEDULES_SET,
  type Schedule,
  ScheduleSchema,
  scheduleKey,
} from "./schedule-record.js";

/** A server as a request's target with the facts the policy decided on. */
function toApprovalTarget(server: Server): ApprovalTarget {
  return {
    id: server.id,
    name: server.name,
    status: server.status,
    flavor: server.flavor.id,
    tags: parseServerTags(server.tags),
  };
}

/**
 * `/ops schedule add`: the timing parsed, the command's servers resolved now, the policy decided for the
 * creation now and for the command at its next slot; then an approval request and a `pending` schedule record
 * (see `src/recurring/README.md`). Bad input and refusals change nothing.
 */
export async function addSchedule(
  deps: ScheduleDeps,
  intent: Extract<ScheduleIntent, { type: "ops.schedule.add" }>,
  ctx: HandlerContext,
): Promise<Message | undefined> {
  const { actor, channelId, channelName } = ctx.request;
  const timing = parseScheduleTiming(intent.cron, intent.timeZone);
  if (!timing.ok) return buildNoticeView(":x:", md`${withInlineCode(timing.message)} Nothing was created.`);
  const command = intent.intent as MutationIntent;

  const resolution = await ctx.resolveTargets(targetsOf(command), "exact");
  if (!resolution.ok) {
    if (resolution.failed.length > 0) return buildResolutionErrorView(resolution.failed);
    return buildNoticeView(
      ":x:",
      md`A name in ${code(intent.commandLine)} matches several servers. Name them by ID or select them by tag; nothing was created.`,
    );
  }
  const servers = resolution.servers;
  const op = toOperationRequest(command);
  const groups = await readGroups(ctx.chat);
  const channel = { id: channelId, ...(channelName !== undefined && { name: channelName }) };
  const policy = deps.policy();
  const now = deps.clock.now();
  // The command is decided as its runs will be: at its next slot (a freeze or a window counts at the run's time,
  // not now). A denied next slot with a later one let through is asked for under that later one, with a note.
  const timeMatters = calendarsMatter(policy, op.action);
  const judged = decideAtNextSlot(
    timing.timing,
    now,
    (at) =>
      decidePolicy(
        policy,
        {
          action: op.action,
          requesterId: actor.userId,
          channel,
          targets: servers,
          flags: op.flags,
          ...(op.tagChange !== undefined && { tagChange: op.tagChange }),
          at,
        },
        groups,
      ),
    { timeMatters },
  );
  if (judged.kind === "no_slot") return buildNoticeView(":x:", buildScheduleNeverRunsText(timing.timing));
  const commandDecision = judged.decision;
  // Creating the schedule is decided now: it is asked for and approved now.
  const scheduleDecision = decidePolicy(
    policy,
    {
      action: SCHEDULE_CREATE_ACTION,
      requesterId: actor.userId,
      channel,
      targets: servers,
      flags: {},
      at: now,
    },
    groups,
  );
  const decision = combineDecisions(scheduleDecision, commandDecision);
  // The creation request's ID before its first decision is recorded, which names it (as a change's does).
  const plannedId =
    decision.effect === "deny" || commandDecision.effect === "deny" ? undefined : deps.approvals.newId();
  await deps.audit.record({
    type: "policy.decided",
    actorId: actor.userId,
    teamId: actor.teamId,
    requesterId: actor.userId,
    ...(plannedId !== undefined && { requestId: plannedId }),
    action: SCHEDULE_CREATE_ACTION,
    decision: decision.effect,
    serverIds: servers.map((s) => s.id),
    ruleIds: decision.rules.map((r) => r.id),
    message: ctx.request.commandLine,
    detail: {
      channel: channelId,
      reference: ctx.request.requestId,
      ...policyVersion(policy),
      command: intent.commandLine,
      commandAction: op.action,
      commandDecision: commandDecision.effect,
      commandDecidedAt: new Date(judged.slotAt).toISOString(),
      ...(judged.kind === "later" && {
        nextSlotDenied: new Date(judged.deniedAt).toISOString(),
        slotsDenied: judged.skipped,
      }),
      cron: timing.timing.cron,
      timeZone: timing.timing.timeZone,
    },
  });
  if (decision.effect === "deny" || commandDecision.effect === "deny") {
    const reasons = decision.effect === "deny" ? decision.reasons : [];
    return buildScheduleDenialView({
      commandLine: ctx.request.commandLine,
      reasons,
      rules: decision.rules,
      // Named only when the time can matter: a deny on a locked server is not about when it runs.
      ...(judged.kind === "denied" &&
        timeMatters && {
          slots: { firstAt: judged.slotAt, lastCheckedAt: judged.lastCheckedAt, checked: judged.checked },
        }),
    });
  }
  const deniedRuns =
    judged.kind === "later"
      ? {
          firstAt: judged.deniedAt,
          count: judged.skipped,
          reasons: judged.denied.reasons,
          firstAllowedAt: judged.slotAt,
        }
      : undefined;

  // A schedule always needs approval: asked in a direct conversation, its card would wait where no approver
  // can see it (as a change's would; see the mutation handler).
  const direct = directConversationOf(channelId, channelName);
  if (direct !== undefined && decision.effect === "needs_approval")
    return buildDirectMessageRefusalView({
      commandLine: ctx.request.commandLine,
      where: direct,
      needs: { approval: decision.approval },
    });

  const root = await ctx.postToChannel(
    preparingViewFor(ctx.request.commandLine, decision, groups.ids, actor.userId),
  );

  if (root === undefined) return undefined;

  const id = newScheduleId();
  let request: ApprovalRequest;
  try {
    request = await deps.approvals.create({
      requester: { userId: actor.userId, teamId: actor.teamId },
      channel: channelId,
      action: SCHEDULE_CREATE_ACTION,
      commandText: ctx.request.commandLine,
      targets: withSelectors(servers.map(toApprovalTarget), targetsOf(command)).map((t) => ({
        id: t.id,
        name: t.name,
        status: t.status,
        flavor: t.flavor,
        ...(t.tags !== undefined && { tags: t.tags }),
        ...(t.selectedBy !== undefined && { selectedBy: t.selectedBy }),
      })),
      // Bound by the request's hash: approving it approves exactly this schedule, timing and command.
      parameters: {
        scheduleId: id,
        cron: timing.timing.cron,
        timeZone: timing.timing.timeZone,
        commandLine: intent.commandLine,
        maxTargets: servers.length,
      },
      ruleIds: decision.rules.map((r) => r.id),
      requirement: decision.effect === "needs_approval" ? decision.approval : POLICY_ALLOWED_REQUIREMENT,
      terms: termsOf(decision),
      message: root,
      decisionRef: ctx.request.requestId,
      ...(plannedId !== undefined && { id: plannedId }),
    });
    const schedule: Schedule = ScheduleSchema.parse({
      id,
      status: "pending",
      cron: timing.timing.cron,
      timeZone: timing.timing.timeZone,
      commandLine: intent.commandLine,
      intent: command,
      action: op.action,
      owner: { userId: actor.userId, teamId: actor.teamId },
      channel: channelId,
      ...(channelName !== undefined && { channelName }),
      requestId: request.id,
      maxTargets: servers.length,
      // The servers on the card: each run acts on these, not on whatever takes their names later.
      approvedServers: approvedServersOf(resolution.outcomes),
      commandTerms: termsOf(commandDecision),
      approvedBy: [],
      approvers:
        decision.effect === "needs_approval"
          ? decision.approval.approvers
          : { users: [] as string[], groups: [] as string[] },
      createdAt: now,
    });
    const created = await deps.store.createIfAbsent(scheduleKey(id), schedule, {
      addToSets: [{ setKey: SCHEDULES_SET, member: id }],
    });
    if (!created) throw new Error(`schedule ${id} exists already`);
    await deps.details.create({
      requestId: request.id,
      kind: decision.effect === "needs_approval" ? "approval" : "allowed",
      rules: decision.rules,
      preflight: emptyPreflight(op.operation, now),
      ...(channelName !== undefined && { channelName }),
    });
  } catch (error) {
    await ctx.chat.updateMessage(root, buildNotRecordedView(ctx.request.commandLine)).catch(() => undefined);
    throw error;
  }
  ctx.logger.info({ approval: request.id, schedule: id, decision: decision.effect }, "schedule requested");

  if (decision.effect === "allow") {
    const approved = await deps.approvals.act(
      request.id,
      { type: "approve", userId: POLICY_ACTOR },
      { isApprover: true },
    );
    if (!approved.ok)
      throw new Error(`the policy-allowed schedule ${id} could not be approved: ${approved.code}`);
    await deps.refreshCard(request.id);
    void deps.runApproved(request.id);
    return buildScheduleRequestedView({ id, allowed: true, ...(deniedRuns !== undefined && { deniedRuns }) });
  }
  await deps.refreshCard(request.id);
  // Asked the same way as for any change (`notify_approvers`), from the same place.
  await deps.approverMessages?.requested(request, ctx.chat, groups.members);
  return buildScheduleRequestedView({
    id,
    allowed: false,
    minApprovals: decision.approval.minApprovals,
    approvers: describeApprovers(decision.approval, groups.ids),
    ...(deniedRuns !== undefined && { deniedRuns }),
  });
}

/** A schedule request has no preflight of its own (each run has one): the details record gets an empty one. */
function emptyPreflight(operation: Preflight["operation"], now: number): Preflight {
  return {
    operation,
    parameters: {},
    checkedAt: now,
    checks: [],
    targets: [],
    problems: [],
    blocking: false,
    snapshot: [],
  };
}
