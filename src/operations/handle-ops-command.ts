import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditRecord } from "../audit/audit-entry.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import { explainCalendarConditions } from "../calendars/explain-calendar-conditions.js";
import type { Server } from "../cloud/types.js";
import type {
  ActionHandler,
  HandlerContext,
  MutationIntent,
  OpsHandler,
  OpsIntent,
  ReadPolicy,
  RequestMeta,
  ScheduleIntent,
} from "../commands/types.js";
import { formatTarget, type Intent, intentAction, isMutation } from "../intents/index.js";
import { explainDecision } from "../policy/explain-decision.js";
import type { Policy, PolicyFlags } from "../policy/types.js";
import { code, type Message, md } from "../render/message-model.js";
import { resolveStartTime } from "../schedule/resolve-start-time.js";
import type { Clock, Store } from "../store/store.js";
import { nameMatchingFor } from "../targets/name-matching-for.js";
import { targetsOf } from "../targets/replace-target.js";
import { buildCalendarView } from "../views/build-calendar-view.js";
import { buildExpiredView, buildNotEnabledView, buildNoticeView } from "../views/build-notice-view.js";
import { buildScheduleRefusalView } from "../views/build-schedule-views.js";
import { planWaves, policyWavesOf, waveOptionsOfIntent } from "../waves/plan-waves.js";
import { buildApprovalListView, MAX_LISTED_APPROVALS } from "./build-approval-list-view.js";
import { buildAuditVerifyView } from "./build-audit-verify-view.js";
import { type AuditPageQuery, buildAuditView, decodeAuditPage } from "./build-audit-view.js";
import { buildBreakGlassListView } from "./build-break-glass-views.js";
import { buildJobsView, type RecentJob } from "./build-jobs-view.js";
import { buildPolicyExplanationView } from "./build-policy-explanation-view.js";
import { createCancellersOf } from "./cancel-approvers-of.js";
import type { BreakGlassUse } from "./create-break-glass.js";
import { decidePolicy, readGroups, toPolicyTarget } from "./decide-policy.js";
import { guardStoreUnavailable } from "./guard-store-unavailable.js";
import { listActionableApprovals } from "./list-actionable-approvals.js";
import { readCardLinks } from "./read-card-links.js";
import { readRunningJobs, readScheduledJobs, recentJobOf } from "./read-running-jobs.js";
import { type RequestDetailsStore, serverNameKey } from "./request-details.js";
import { toOperationRequest } from "./to-operation-request.js";

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

/** Default and cap of `/ops audit … n`. */
const DEFAULT_AUDIT_ENTRIES = 20;
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
      return showAudit(deps, intent, ctx);
    case "ops.audit.verify":
      return buildAuditVerifyView(await deps.audit.verify());
    case "ops.audit.break-glass":
      return deps.breakGlassUses
        ? buildBreakGlassListView(await deps.breakGlassUses(), deps.clock.now())
        : buildNotEnabledView("/ops audit break-glass");
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

async function showAudit(
  deps: OpsCommandDeps,
  intent: Extract<OpsIntent, { type: "ops.audit" }>,
  ctx: HandlerContext,
): Promise<Message> {
  const limit = intent.limit ?? DEFAULT_AUDIT_ENTRIES;
  // Typed `--before`: which page of the history this is, is not known; the pages' buttons keep count.
  const paging = intent.beforeSeq === undefined ? { offset: 0 } : { beforeSeq: intent.beforeSeq };
  const subject = intent.subject;
  if (subject === undefined) return showAuditPage(deps.audit, { limit, ...paging });
  if (subject.kind === "request") {
    return showAuditPage(deps.audit, {
      subject: { kind: "request", requestId: subject.requestId },
      limit,
      ...paging,
    });
  }
  if (subject.kind === "user") {
    return showAuditPage(deps.audit, { subject: { kind: "user", userId: subject.userId }, limit, ...paging });
  }
  const ref = subject.server;
  const label = formatTarget(ref);
  const ids = new Set<string>();
  if (ref.kind === "id") ids.add(ref.id);
  else {
    const resolution = await ctx.resolveTargets([ref], "prefix");
    if (resolution.ok) for (const s of resolution.servers) ids.add(s.id);
    else
      for (const o of resolution.outcomes)
        if (o.kind === "ambiguous") for (const c of o.candidates) ids.add(c.id);
    // A deleted server no longer resolves: the IDs its name had in requests still find its history.
    if (ref.kind === "name") for (const id of await deps.store.members(serverNameKey(ref.name))) ids.add(id);
  }
  if (ids.size === 0) {
    return buildNoticeView(":mag:", md`No server ${code(label)} exists, and no request ever named it.`);
  }
  return showAuditPage(deps.audit, { subject: { kind: "server", label, ids: [...ids] }, limit, ...paging });
}

/**
 * A page of `/ops audit`: the matching entries older than the query's cursor, one more than asked for (so the
 * view knows older ones exist), read from the stream below the cursor. The command and its paging buttons
 * both answer through here.
 */
function showAuditPage(audit: AuditLog, query: AuditPageQuery): Promise<Message> {
  return queryAuditPage(audit, query).then((entries) => buildAuditView({ query, entries }));
}

async function queryAuditPage(audit: AuditLog, query: AuditPageQuery): Promise<AuditRecord[]> {
  const limit = query.limit + 1;
  const before = query.beforeSeq === undefined ? {} : { beforeSeq: query.beforeSeq };
  const subject = query.subject;
  if (subject === undefined) return audit.query({ limit, ...before });
  if (subject.kind === "request") return audit.query({ requestId: subject.requestId, limit, ...before });
  if (subject.kind === "user") return audit.query({ userId: subject.userId, limit, ...before });
  return queryServers(audit, subject.ids, limit, query.beforeSeq);
}

/** Entries of any of the servers older than `beforeSeq` (when given), newest first, at most `limit`. */
async function queryServers(
  audit: AuditLog,
  serverIds: readonly string[],
  limit: number,
  beforeSeq: number | undefined,
): Promise<AuditRecord[]> {
  const bySeq = new Map<number, AuditRecord>();
  for (const serverId of serverIds) {
    for (const e of await audit.query({ serverId, limit, ...(beforeSeq !== undefined && { beforeSeq }) }))
      bySeq.set(e.seq, e);
  }
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, limit);
}

/**
 * The audit view's Older / Newest buttons ({@link AUDIT_PAGE_ACTION}): the page the button's value names (its
 * query: subject, size, cursor), in place of the clicked one. Judged like the command it continues: the click,
 * by whoever clicks, is decided by the read policy as `/ops audit` typed by them in that channel would be (the
 * policy may have changed, or the message been shared), and answered as `/ops audit … --before <seq>` would be.
 * Refused, the refusal comes as a new message and the page stays. Nothing is kept between clicks.
 */
export function createAuditPageHandler(
  deps: Pick<OpsCommandDeps, "audit" | "learnChat"> & { readPolicy: ReadPolicy },
): ActionHandler {
  return (action, ctx) =>
    guardStoreUnavailable(
      async () => {
        deps.learnChat(ctx.chat);
        const query = decodeAuditPage(action.value ?? "");
        if (query === undefined) {
          ctx.logger.info({ actionId: action.actionId }, "audit page click without a query");
          await ctx.responder?.respond(buildExpiredView(), { replaceOriginal: true });
          return;
        }
        const decision = await deps.readPolicy(AUDIT_PAGE_INTENT, {
          request: { actor: action.actor, channelId: action.channelId ?? "" },
          servers: [],
          chat: ctx.chat,
        });
        if (!decision.allowed) {
          ctx.logger.info({ actionId: action.actionId }, "audit page click refused by the policy");
          await ctx.responder?.respond(decision.message);
          return;
        }
        await ctx.responder?.respond(await showAuditPage(deps.audit, query), { replaceOriginal: true });
      },
      async (m) => {
        await ctx.responder?.respond(m);
      },
      ctx.logger,
    );
}

/** What a page click reads, for the policy: the audit (`ops:audit:list`), whatever the page's subject. */
const AUDIT_PAGE_INTENT: Extract<OpsIntent, { type: "ops.audit" }> = { type: "ops.audit" };
