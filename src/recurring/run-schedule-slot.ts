import type { ChatPort } from "../app/ports.js";
import type { AuditEntryInput } from "../audit/audit-entry.js";
import type { Server } from "../cloud/types.js";
import type { MutationIntent } from "../commands/types.js";
import type { Logger } from "../log/create-logger.js";
import { policyChangeText } from "../operations/build-policy-change-view.js";
import { buildPreparingView } from "../operations/build-preflight-views.js";
import { decidePolicy, readGroups } from "../operations/decide-policy.js";
import { POLICY_ACTOR } from "../operations/describe-request.js";
import { POLICY_ALLOWED_REQUIREMENT, withSelectors } from "../operations/request-post-parts.js";
import { toOperationRequest } from "../operations/to-operation-request.js";
import { compareDecisions, termsOf } from "../policy/compare-decisions.js";
import { policyVersion } from "../policy/policy-version.js";
import type { Message, Span } from "../render/message-model.js";
import { renderPlain } from "../render/render-mrkdwn.js";
import { type TargetLookup, targetsOf } from "../targets/index.js";
import { buildScheduledRunNote, buildScheduleSkippedView } from "../views/build-scheduled-run-views.js";
import { runPreflight } from "../workflow/run-preflight.js";
import { findScheduleServers } from "./find-schedule-servers.js";
import type { ScheduleDeps } from "./schedule-deps.js";
import { type Schedule, slotKey } from "./schedule-record.js";

/** Who the audit names for what a schedule does on its own. */
export const SCHEDULER_ACTOR = "system:schedule";
/** How long a slot's claim is kept: far beyond any pass that could look at that slot again. */
export const SLOT_CLAIM_TTL_MS = 30 * 24 * 60 * 60_000;

export type SlotResult = NonNullable<Schedule["lastRun"]>;

/** What a slot's run uses: the schedules' deps, their logger, and the lookup that finds the command's servers. */
export interface SlotRunContext {
  deps: ScheduleDeps;
  logger: Logger;
  lookup: TargetLookup<Server>;
}

/** Longest reason kept as text (audit, `/ops schedule list`). */
const MAX_REASON_CHARS = 300;

/** A reason as text, for the audit and the list (code spans between backticks). */
function plainReason(reason: string | readonly Span[]): string {
  return typeof reason === "string" ? reason : renderPlain(reason, MAX_REASON_CHARS, { codeTicks: true });
}

/** Posts in the schedule's channel; a failure is logged, never thrown (the pass goes on). */
export async function postInChannel(
  { logger }: SlotRunContext,
  chat: ChatPort,
  channel: string,
  message: Message,
  threadTs?: string,
) {
  try {
    return await chat.postMessage(channel, message, threadTs !== undefined ? { threadTs } : undefined);
  } catch (error) {
    logger.warn({ err: error, channel }, "could not post in the schedule's channel");
    return undefined;
  }
}

/** Audits slots of `s` that did not run (`detail.why`: skipped at their time, or missed while the bot was down). */
export async function recordScheduleSkipped(
  deps: Pick<ScheduleDeps, "audit">,
  s: Schedule,
  message: string,
  detail: AuditEntryInput["detail"],
): Promise<void> {
  await deps.audit.record({
    type: "schedule.skipped",
    actorId: SCHEDULER_ACTOR,
    teamId: s.owner.teamId,
    requesterId: s.owner.userId,
    requestId: s.requestId,
    action: s.action,
    message,
    detail,
  });
}

async function skip(
  ctx: SlotRunContext,
  chat: ChatPort,
  s: Schedule,
  slotAt: number,
  given: readonly (string | Span[])[],
): Promise<SlotResult> {
  const { deps, logger } = ctx;
  const reasons = given.map(plainReason);
  await recordScheduleSkipped(deps, s, reasons.join("; "), {
    scheduleId: s.id,
    slot: new Date(slotAt).toISOString(),
    why: "skipped",
    reasons,
  });
  await postInChannel(
    ctx,
    chat,
    s.channel,
    buildScheduleSkippedView({
      schedule: { id: s.id, commandLine: s.commandLine, ownerId: s.owner.userId },
      slotAt,
      reasons: given,
    }),
  );
  logger.info({ schedule: s.id, slot: slotAt, reasons }, "scheduled run skipped");
  return { slotAt, result: "skipped", why: reasons[0] ?? "skipped" };
}

/**
 * One slot's run: find the servers (`findScheduleServers`), decide at the slot's time (calendars included),
 * check against what was approved, then the execution path (which decides again just before the claim).
 */
export async function runScheduleSlot(
  ctx: SlotRunContext,
  chat: ChatPort,
  s: Schedule,
  slotAt: number,
): Promise<SlotResult> {
  const { deps, logger } = ctx;
  const command = s.intent as MutationIntent;
  const op = toOperationRequest(command);
  const targets = targetsOf(command);
  const found = await findScheduleServers(ctx.deps, ctx.lookup, s, targets);
  if (!found.ok) return skip(ctx, chat, s, slotAt, found.reasons);
  const { servers, notes } = found;
  if (servers.length === 0) return skip(ctx, chat, s, slotAt, notes);
  if (servers.length > s.maxTargets) {
    return skip(ctx, chat, s, slotAt, [
      `It selects ${servers.length} servers now, more than the ${s.maxTargets} approved for each run.`,
    ]);
  }
  const groups = await readGroups(chat);
  const policy = deps.policy();
  const decision = decidePolicy(
    policy,
    {
      action: op.action,
      requesterId: s.owner.userId,
      channel: { id: s.channel, ...(s.channelName !== undefined && { name: s.channelName }) },
      targets: servers,
      flags: op.flags,
      ...(op.tagChange !== undefined && { tagChange: op.tagChange }),
      // The run is decided at its slot: a freeze or a window counts when the run is due, as at creation.
      at: slotAt,
    },
    groups,
  );
  const approvers = s.approvedBy.map((userId) => ({ userId, groups: groups.groupsOf(userId) }));
  const tightenings = compareDecisions(s.commandTerms, decision, approvers, s.owner.userId);
  // The run's request ID before its first decision is recorded, so `/ops audit apr_…` starts there.
  const runId = tightenings.length > 0 || decision.effect === "deny" ? undefined : deps.approvals.newId();
  await deps.audit.record({
    type: "policy.decided",
    ...(runId !== undefined && { requestId: runId }),
    actorId: SCHEDULER_ACTOR,
    teamId: s.owner.teamId,
    requesterId: s.owner.userId,
    action: op.action,
    decision: decision.effect,
    serverIds: servers.map((x) => x.id),
    ruleIds: decision.rules.map((r) => r.id),
    message: s.commandLine,
    detail: {
      ...policyVersion(policy),
      scheduleId: s.id,
      slot: new Date(slotAt).toISOString(),
      stricter: tightenings.length > 0,
      tightenings: tightenings.map((t) => t.kind),
    },
  });
  if (tightenings.length > 0 || decision.effect === "deny") {
    return skip(ctx, chat, s, slotAt, [
      "The policy, checked as the schedule's owner at this run's time, is stricter than when the schedule was approved:",
      ...policyChangeText({ changes: [], tightenings }, op.action),
    ]);
  }
  const preflight = await runPreflight(op.operation, servers, op.parameters, deps.cloud, {
    flow: deps.flows[op.operation],
    now: () => deps.clock.now(),
  });
  if (preflight.blocking || preflight.snapshot.length === 0) {
    const blocking = preflight.problems.filter((p) => p.severity === "blocking").map((p) => p.message);
    return skip(ctx, chat, s, slotAt, blocking.length > 0 ? blocking : ["No server can be acted on now."]);
  }

  const root = await postInChannel(ctx, chat, s.channel, buildPreparingView(s.commandLine));
  if (root === undefined) return { slotAt, result: "skipped", why: "the bot cannot post in the channel" };
  const request = await deps.approvals.create({
    ...(runId !== undefined && { id: runId }),
    requester: s.owner,
    channel: s.channel,
    action: op.action,
    commandText: s.commandLine,
    targets: withSelectors(preflight.snapshot, targets),
    parameters: { ...preflight.parameters },
    ruleIds: decision.rules.map((r) => r.id),
    // Approved by the schedule's own approval: the run is recorded like a request the policy allows.
    requirement: POLICY_ALLOWED_REQUIREMENT,
    terms: termsOf(decision),
    message: root,
  });
  await deps.details.create({
    requestId: request.id,
    kind: "allowed",
    rules: decision.rules,
    preflight,
    ...(s.channelName !== undefined && { channelName: s.channelName }),
  });
  const approved = await deps.approvals.act(
    request.id,
    { type: "approve", userId: POLICY_ACTOR },
    { isApprover: true },
  );
  if (!approved.ok)
    throw new Error(`the scheduled run ${request.id} could not be approved: ${approved.code}`);
  await deps.store.update<Record<string, unknown>, never>(
    slotKey(s.id, slotAt),
    (current) =>
      current === undefined ? { requestId: request.id } : { ...current.value, requestId: request.id },
    { retries: 5, ttlMs: SLOT_CLAIM_TTL_MS },
  );
  await deps.audit.record({
    type: "schedule.run",
    actorId: SCHEDULER_ACTOR,
    teamId: s.owner.teamId,
    requesterId: s.owner.userId,
    requestId: request.id,
    action: op.action,
    serverIds: request.targets.map((t) => t.id),
    bindingHash: request.bindingHash,
    message: s.commandLine,
    detail: {
      scheduleId: s.id,
      slot: new Date(slotAt).toISOString(),
      servers: servers.length,
      ...(notes.length > 0 && { notes: notes.map(plainReason) }),
    },
  });
  await postInChannel(
    ctx,
    chat,
    s.channel,
    buildScheduledRunNote({
      scheduleId: s.id,
      slotAt,
      maxTargets: s.maxTargets,
      count: servers.length,
      notes,
    }),
    root.ts,
  );
  await deps.refreshCard(request.id);
  void deps.runApproved(request.id);
  logger.info({ schedule: s.id, slot: slotAt, approval: request.id }, "scheduled run started");
  const first = notes[0];
  return {
    slotAt,
    result: "started",
    requestId: request.id,
    ...(first !== undefined && { why: plainReason(first) }),
  };
}
