import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import { recordAuditRead } from "../audit/record-audit-read.js";
import { explainCalendarConditions } from "../calendars/explain-calendar-conditions.js";
import type { Server } from "../cloud/types.js";
import type {
  HandlerContext,
  MutationIntent,
  OpsHandler,
  OpsIntent,
  RequestMeta,
  ScheduleIntent,
} from "../commands/types.js";
import { formatTarget, type Intent, intentAction, isMutation } from "../intents/index.js";
import { explainDecision } from "../policy/explain-decision.js";
import type { Policy, PolicyFlags } from "../policy/types.js";
import type { Message } from "../render/message-model.js";
import { resolveStartTime } from "../schedule/resolve-start-time.js";
import type { Clock, Store } from "../store/store.js";
import { nameMatchingFor } from "../targets/name-matching-for.js";
import { targetsOf } from "../targets/replace-target.js";
import { buildAuditReadNotRecordedView } from "../views/build-audit-read-not-recorded-view.js";
import { buildCalendarView } from "../views/build-calendar-view.js";
import { buildNotEnabledView } from "../views/build-notice-view.js";
import { buildScheduleRefusalView } from "../views/build-schedule-views.js";
import { planWaves, policyWavesOf, waveOptionsOfIntent } from "../waves/plan-waves.js";
import { buildApprovalListView, MAX_LISTED_APPROVALS } from "./build-approval-list-view.js";
import { buildAuditVerifyView } from "./build-audit-verify-view.js";
import { buildBreakGlassListView } from "./build-break-glass-views.js";
import { buildJobsView, type RecentJob } from "./build-jobs-view.js";
import { buildPolicyExplanationView } from "./build-policy-explanation-view.js";
import { createCancellersOf } from "./cancel-approvers-of.js";
import type { BreakGlassUse } from "./create-break-glass.js";
import { decidePolicy, readGroups, toPolicyTarget } from "./decide-policy.js";
import { listActionableApprovals } from "./list-actionable-approvals.js";
import { readCardLinks } from "./read-card-links.js";
import { readRunningJobs, readScheduledJobs, recentJobOf } from "./read-running-jobs.js";
import type { RequestDetailsStore } from "./request-details.js";
import { showAuditEntries } from "./show-audit-entries.js";
import { toOperationRequest } from "./to-operation-request.js";

// The audit page buttons' handler, where the bot is composed: the audit's read path is in its own files.

export interface OpsCommandDeps {
  policy: () => Policy;
  store: Store;
  audit: AuditLog;
  approvals: ApprovalService;
  details: RequestDetailsStore;
  clock: Clock;
  learnChat: (chat: ChatPort) => void;
  watchList?: (request: Pick<RequestMeta, "actor" | "channelId" | "channelName">) => Promise<Message>;
  /** `/ops audit break-glass`: every use with its review state. */
  breakGlassUses?: () => Promise<readonly BreakGlassUse[]>;
  /** `/ops schedule …` (recurring schedules); undefined: the answer was given already. */
  schedules?: (intent: ScheduleIntent, ctx: HandlerContext) => Promise<Message | undefined>;
}

/** How many finished operations `/ops jobs` shows. */
const RECENT_JOBS = 10;

/**
 * `/ops policy explain | jobs | approvals | audit [verify] | watch list | schedule …`. Replies go to the requester
 * only. The router has asked the read policy about each (as about an `/ecs` read) before it gets here, but for
 * `schedule add|pause|resume|delete`, which the schedules decide and audit themselves.
 */
export function createOpsCommandHandler(deps: OpsCommandDeps): OpsHandler {
  return async (intent, ctx) => {
    deps.learnChat(ctx.chat);
    const message = await answer(deps, intent, ctx);
    if (message !== undefined) await ctx.responder.respond(message);
  };
}

async function answer(
  deps: OpsCommandDeps,
  intent: OpsIntent,
  ctx: HandlerContext,
): Promise<Message | undefined> {
  switch (intent.type) {
    case "ops.policy.explain":
      return explainPolicy(deps, intent.intent, intent.commandLine, ctx);
    case "ops.jobs":
      return listJobs(deps, ctx);
    case "ops.approvals":
      return listApprovals(deps, ctx);
    case "ops.audit":
      return showAuditEntries(deps, intent, ctx);
    case "ops.audit.verify": {
      const verification = await deps.audit.verify();
      return recordedRead(deps, ctx, "ops:audit:verify", verification.checked, () =>
        buildAuditVerifyView(verification),
      );
    }
    case "ops.audit.break-glass": {
      if (!deps.breakGlassUses) return buildNotEnabledView("/ops audit break-glass");
      const uses = await deps.breakGlassUses();
      return recordedRead(deps, ctx, "ops:audit:breakGlass", uses.length, () =>
        buildBreakGlassListView(uses, deps.clock.now()),
      );
    }
    case "ops.watch.list":
      return deps.watchList ? deps.watchList(ctx.request) : buildNotEnabledView("/ops watch list");
    case "ops.calendar":
      return buildCalendarView(deps.policy().calendars ?? [], deps.clock.now());
    case "ops.schedule.add":
    case "ops.schedule.list":
    case "ops.schedule.pause":
    case "ops.schedule.resume":
    case "ops.schedule.delete":
      return deps.schedules ? deps.schedules(intent, ctx) : buildNotEnabledView("/ops schedule");
  }
}

/**
 * An audit read's answer once it is recorded (`audit.read`: who, how many); not recorded, nothing is shown. The
 * entries' pages record themselves (`showAuditPage`).
 */
async function recordedRead(
  deps: OpsCommandDeps,
  ctx: HandlerContext,
  action: "ops:audit:verify" | "ops:audit:breakGlass",
  entries: number,
  view: () => Message,
): Promise<Message> {
  const recorded = await recordAuditRead(
    (entry) => deps.audit.record(entry),
    {
      actorId: ctx.request.actor.userId,
      teamId: ctx.request.actor.teamId,
      action,
      via: "view",
      filters: {},
      entries,
    },
    ctx.logger,
  );
  return recorded ? view() : buildAuditReadNotRecordedView();
}

/** Flags the policy looks at for an intent (none for reads). */
function flagsOf(intent: Intent): PolicyFlags {
  if (intent.type === "ecs.resize") return { dryRun: intent.dryRun };
  if (isMutation(intent)) return toOperationRequest(intent as MutationIntent).flags;
  return {};
}

/** The tag change of an explained tag command (none for others). */
function tagChangeOfIntent(intent: MutationIntent) {
  const tagChange = toOperationRequest(intent).tagChange;
  return tagChange === undefined ? {} : { tagChange };
}

/** Explains the decision for a command line without doing anything; targets are resolved so tag rules apply. */
async function explainPolicy(
  deps: OpsCommandDeps,
  inner: Intent,
  commandLine: string,
  ctx: HandlerContext,
): Promise<Message> {
  const { actor, channelId, channelName } = ctx.request;
  const action = intentAction(inner);
  const targets = targetsOf(inner);
  let servers: Server[] = [];
  const unresolved: string[] = [];
  if (targets.length > 0) {
    // Resolved as the explained command would be: exact names for anything that changes servers.
    const resolution = await ctx.resolveTargets(targets, nameMatchingFor(inner));
    if (resolution.ok) servers = resolution.servers;
    else {
      for (const o of resolution.outcomes) {
        if (o.kind === "resolved") servers.push(...o.servers);
        else unresolved.push(formatTarget(o.target));
      }
    }
  }
  const considered = servers.map(toPolicyTarget);
  // Explained as of the start time when the explained change is scheduled (`--at`, `--window`).
  let at = deps.clock.now();
  if (ctx.request.schedule !== undefined) {
    const start = await resolveStartTime(ctx.request.schedule, {
      now: at,
      policy: deps.policy(),
      timeZone: () => ctx.chat.userTimeZone(actor.userId),
    });
    if (!start.ok) return buildScheduleRefusalView(commandLine, start.message);
    at = start.schedule.runAt;
  }
  const decision = decidePolicy(
    deps.policy(),
    {
      action,
      requesterId: actor.userId,
      channel: { id: channelId, ...(channelName !== undefined && { name: channelName }) },
      targets: considered,
      flags: flagsOf(inner),
      ...(isMutation(inner) && tagChangeOfIntent(inner as MutationIntent)),
      ...explainedWaves(inner, considered),
      at,
    },
    await readGroups(ctx.chat),
  );
  return buildPolicyExplanationView({
    commandLine,
    action,
    explanation: explainDecision(decision),
    calendars: explainCalendarConditions(deps.policy(), decision.rules, at),
    servers: considered,
    unresolved,
  });
}

/** The waves the explained command would plan, for `require_waves` rules (none when it plans none). */
function explainedWaves(intent: Intent, servers: readonly { id: string }[]) {
  const options = waveOptionsOfIntent(intent);
  if (options === undefined) return {};
  const planned = planWaves(
    servers.map((s) => s.id),
    options,
  );
  return planned.ok ? { waves: policyWavesOf(planned.plan) } : {};
}

/** Running, scheduled and recent operations, each with a link to its thread (the request's card). */
async function listJobs(deps: OpsCommandDeps, ctx: HandlerContext): Promise<Message> {
  const running = await readRunningJobs(deps.store, deps.approvals);
  // The groups as recently read, as the gate's re-decision reads them; unreadable, the scheduled changes are
  // judged on their time and window only.
  const groups = await readGroups(ctx.chat).catch((error: unknown) => {
    ctx.logger.warn(
      { err: error },
      "could not read the user groups: scheduled changes judged without the policy",
    );
    return undefined;
  });
  const scheduled = await readScheduledJobs(deps.approvals, {
    policy: deps.policy(),
    now: deps.clock.now(),
    ...(groups !== undefined && { groupsOf: groups.groupsOf }),
    channelNameOf: async (requestId) => (await deps.details.get(requestId))?.channelName,
  });
  const finished = await deps.audit.query({ type: "execution.finished", limit: RECENT_JOBS });
  const recent: RecentJob[] = [];
  const requests = new Map<string, ApprovalRequest>();
  for (const job of running) {
    const request = await deps.approvals.get(job.requestId);
    if (request !== undefined) requests.set(request.id, request);
  }
  for (const entry of finished) {
    const { requestId } = entry;
    if (requestId === undefined) continue;
    const request = await deps.approvals.get(requestId);
    if (request !== undefined) requests.set(request.id, request);
    recent.push(recentJobOf({ ...entry, requestId }, request, await deps.details.get(requestId)));
  }
  for (const request of scheduled.requests) requests.set(request.id, request);
  const links = await readCardLinks(ctx.chat, [...requests.values()], ctx.logger);
  const withLink = <J extends { requestId: string }>(job: J): J => {
    const url = links.get(job.requestId);
    return url === undefined ? job : { ...job, link: url };
  };
  return buildJobsView({
    running: running.map(withLink),
    scheduled: { jobs: scheduled.jobs.map(withLink), total: scheduled.total },
    recent: recent.map(withLink),
    now: deps.clock.now(),
  });
}

/** The requests this user may approve now first, then their own pending ones, with links to the cards. */
async function listApprovals(deps: OpsCommandDeps, ctx: HandlerContext): Promise<Message> {
  const { actor } = ctx.request;
  const groups = await ctx.chat.userGroupsOf(actor.userId);
  const { waiting, mine, scheduled, starts } = await listActionableApprovals(
    deps.approvals,
    { ...actor, groups },
    deps.clock.now(),
    createCancellersOf(deps.policy, deps.details, ctx.chat),
    deps.policy(),
  );
  const pendingMine = mine.filter((r) => r.status === "pending");
  const shown = [...waiting, ...pendingMine, ...scheduled].slice(0, MAX_LISTED_APPROVALS);
  const links = await readCardLinks(ctx.chat, shown, ctx.logger);
  const item = (request: ApprovalRequest, canApprove: boolean) => ({
    request,
    canApprove,
    canCancel: request.requester.userId === actor.userId,
    ...(links.has(request.id) && { link: links.get(request.id) }),
  });
  return buildApprovalListView([
    ...waiting.map((r) => item(r, true)),
    ...pendingMine.map((r) => item(r, false)),
    ...scheduled.map((r) => {
      const start = starts.get(r.id);
      return { ...item(r, false), canCancel: true, scheduled: true, ...(start !== undefined && { start }) };
    }),
  ]);
}
