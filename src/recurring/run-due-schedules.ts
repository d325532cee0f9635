import type { ChatPort } from "../app/ports.js";
import type { Server } from "../cloud/types.js";
import type { MutationIntent } from "../commands/types.js";
import { formatTarget, type Target, targetKey } from "../intents/index.js";
import { policyChangeText } from "../operations/build-policy-change-view.js";
import { buildPreparingView } from "../operations/build-preflight-views.js";
import { decidePolicy, readGroups } from "../operations/decide-policy.js";
import { POLICY_ACTOR } from "../operations/describe-request.js";
import { POLICY_ALLOWED_REQUIREMENT, withSelectors } from "../operations/handle-mutation-request.js";
import { toOperationRequest } from "../operations/to-operation-request.js";
import { compareDecisions, termsOf } from "../policy/compare-decisions.js";
import { policyVersion } from "../policy/policy-version.js";
import type { Message, Span } from "../render/message-model.js";
import { renderPlain } from "../render/render-mrkdwn.js";
import { abortUpdate, NO_CHANGE, writeUpdate } from "../store/store.js";
import { createCloudTargetLookup, resolveTargets, targetsOf } from "../targets/index.js";
import {
  buildScheduledRunNote,
  buildScheduleMissedView,
  buildScheduleSkippedView,
  describeScheduledServer,
  type ScheduledServerNote,
} from "../views/build-recurring-schedule-views.js";
import { runPreflight } from "../workflow/run-preflight.js";
import {
  type ApprovedServer,
  approvedServersFromRequest,
  checkApprovedServers,
  referencesOf,
  type ServerCheck,
} from "./approved-servers.js";
import { slotsBetween } from "./parse-schedule-timing.js";
import { DEFAULT_MISSED_RUN_GRACE_MS, type ScheduleDeps } from "./schedule-deps.js";
import { readSchedule, SCHEDULES_SET, type Schedule, scheduleKey, slotKey } from "./schedule-record.js";

/** Statuses of a creation request that will never make its schedule active. */
const REFUSED = new Set(["rejected", "cancelled", "expired", "revoked", "failed", "outcome_unknown"]);
/** Who the audit names for what a schedule does on its own. */
const SCHEDULER_ACTOR = "system:schedule";
/** How long a slot's claim is kept: far beyond any pass that could look at that slot again. */
const SLOT_CLAIM_TTL_MS = 30 * 24 * 60 * 60_000;

export interface ScheduleRunnerOptions {
  /** This process among the replicas (written on the slots it claims). */
  replicaId: string;
  /** How late the latest missed slot may still run. Default 10 minutes. */
  graceMs?: number;
}

type SlotResult = NonNullable<Schedule["lastRun"]>;

/** Longest reason kept as text (audit, `/ops schedule list`). */
const MAX_REASON_CHARS = 300;

/** A reason as text, for the audit and the list (code spans between backticks). */
function plainReason(reason: string | readonly Span[]): string {
  return typeof reason === "string" ? reason : renderPlain(reason, MAX_REASON_CHARS, { codeTicks: true });
}

/** What to say about a server reference that is not as approved (nothing when it is). */
function noteOf(c: ServerCheck<Server>): ScheduledServerNote | undefined {
  if (c.kind === "same") return undefined;
  const base = {
    target: c.target.kind === "name" ? c.target.name : formatTarget(c.target),
    isName: c.target.kind === "name",
    others: c.others.map((o) => ({ id: o.id, name: o.name })),
  };
  if (c.kind === "unknown") return { ...base, kind: "unknown" };
  const approved = { id: c.approved.id, ...(c.approved.name !== undefined && { name: c.approved.name }) };
  if (c.kind === "gone") return { ...base, kind: "gone", approved };
  const renamed = c.approved.name !== undefined && c.server.name !== c.approved.name;
  return { ...base, kind: "moved", approved, ...(renamed && { nowNamed: c.server.name }) };
}

/**
 * The periodic pass of the recurring schedules (see `src/recurring/README.md`): for every active schedule, the
 * slots since the last one handled. The newest slot is claimed in the store (`schedslot:<id>@<slot ISO>`,
 * created once whatever the replicas), so one replica handles it; the slots before it were missed (no replica
 * ran them at their time) and are reported in one message, never run late. The newest runs only if it is
 * within the grace; its run finds the command's servers (selectors again; servers named exactly are the ones
 * approved, by ID), decides the policy as the owner at the slot and runs only within what was approved (same
 * command, the approved servers, at most `maxTargets` servers, a decision no stricter than the command's at
 * approval), through the exactly-once execution path. Never throws.
 */
export function createScheduleRunner(deps: ScheduleDeps, options: ScheduleRunnerOptions) {
  const graceMs = options.graceMs ?? DEFAULT_MISSED_RUN_GRACE_MS;
  const logger = deps.logger.child({ component: "schedules" });
  const lookup = createCloudTargetLookup(deps.cloud.ecs);

  async function post(chat: ChatPort, channel: string, message: Message, threadTs?: string) {
    try {
      return await chat.postMessage(channel, message, threadTs !== undefined ? { threadTs } : undefined);
    } catch (error) {
      logger.warn({ err: error, channel }, "could not post in the schedule's channel");
      return undefined;
    }
  }

  async function skip(
    chat: ChatPort,
    s: Schedule,
    slotAt: number,
    given: readonly (string | Span[])[],
  ): Promise<SlotResult> {
    const reasons = given.map(plainReason);
    await deps.audit.record({
      type: "schedule.skipped",
      actorId: SCHEDULER_ACTOR,
      teamId: s.owner.teamId,
      requesterId: s.owner.userId,
      requestId: s.requestId,
      action: s.action,
      message: reasons.join("; "),
      detail: { scheduleId: s.id, slot: new Date(slotAt).toISOString(), why: "skipped", reasons },
    });
    await post(
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
   * The servers of a run, in command order: selectors (`tag:`) find theirs again; each server reference (exact
   * name, ID, IP) stands for the server approved for it (`approvedServers`), read by ID: renamed, it is still
   * the one acted on; deleted, or never traced (a schedule stored before they were kept, its request expired),
   * it is skipped, and a server that took its name or address is never acted on. `notes`: what to say about
   * the references that are not as approved. Not ok: a selector selects nothing (the run is skipped).
   */
  async function findServers(
    s: Schedule,
    targets: readonly Target[],
  ): Promise<{ ok: true; servers: Server[]; notes: Span[][] } | { ok: false; reasons: (string | Span[])[] }> {
    const references = referencesOf(targets);
    const selectors = targets.filter((t) => t.kind === "tag");
    const selected = await resolveTargets(selectors, lookup, { names: "exact" });
    // What each reference names now: only to say what the run leaves alone, never what it acts on.
    const named =
      references.length > 0 ? (await resolveTargets(references, lookup, { names: "exact" })).outcomes : [];
    const namedNow = (t: Target): Server[] => {
      const o = named.find((x) => targetKey(x.target) === targetKey(t));
      return o?.kind === "resolved" ? o.servers : o?.kind === "ambiguous" ? o.candidates : [];
    };
    let approved = s.approvedServers ?? [];
    if (s.approvedServers === undefined && references.length > 0) {
      const request = await deps.approvals.get(s.requestId);
      approved = approvedServersFromRequest(references, request?.targets, namedNow);
      if (request !== undefined) await keepApprovedServers(s.id, approved);
    }
    const ids = [...new Set(approved.map((a) => a.id))];
    const now = ids.length > 0 ? await deps.cloud.ecs.listServersByIds(ids) : [];
    const approvedNow = new Map(now.filter((x) => ids.includes(x.id)).map((x) => [x.id, x]));
    const checks = checkApprovedServers(references, approved, approvedNow, namedNow);
    const notes = checks.flatMap((c) => {
      const note = noteOf(c);
      return note !== undefined ? [describeScheduledServer(note)] : [];
    });
    if (!selected.ok) {
      return {
        ok: false,
        reasons: [
          ...selected.failed.map((f) =>
            f.kind === "no_match"
              ? `${formatTarget(f.target)} selects no server now.`
              : `${formatTarget(f.target)} was not found.`,
          ),
          ...notes,
        ],
      };
    }
    const servers: Server[] = [];
    const seen = new Set<string>();
    const add = (x: Server) => {
      if (seen.has(x.id)) return;
      seen.add(x.id);
      servers.push(x);
    };
    let reference = 0;
    let selector = 0;
    for (const t of targets) {
      if (t.kind === "tag") {
        const o = selected.outcomes[selector++];
        if (o?.kind === "resolved") o.servers.forEach(add);
        continue;
      }
      const c = checks[reference++];
      if (c?.kind === "same" || c?.kind === "moved") add(c.server);
    }
    return { ok: true, servers, notes };
  }

  /** Keeps the approved servers traced from the creation request, so later runs need not that request. */
  async function keepApprovedServers(id: string, approved: ApprovedServer[]): Promise<void> {
    await deps.store.update<Schedule, "gone">(
      scheduleKey(id),
      (current) => {
        if (current === undefined) return abortUpdate("gone");
        if (current.value.approvedServers !== undefined) return NO_CHANGE;
        return writeUpdate({ ...current.value, approvedServers: approved }, {});
      },
      { retries: 20 },
    );
  }

  /**
   * One slot's run: find the servers (`findServers`), decide at the slot's time (calendars included), check against what was
   * approved, then the execution path (which decides again just before the claim).
   */
  async function runSlot(chat: ChatPort, s: Schedule, slotAt: number): Promise<SlotResult> {
    const command = s.intent as MutationIntent;
    const op = toOperationRequest(command);
    const targets = targetsOf(command);
    const found = await findServers(s, targets);
    if (!found.ok) return skip(chat, s, slotAt, found.reasons);
    const { servers, notes } = found;
    if (servers.length === 0) return skip(chat, s, slotAt, notes);
    if (servers.length > s.maxTargets) {
      return skip(chat, s, slotAt, [
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
      return skip(chat, s, slotAt, [
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
      return skip(chat, s, slotAt, blocking.length > 0 ? blocking : ["No server can be acted on now."]);
    }

    const root = await post(chat, s.channel, buildPreparingView(s.commandLine));
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
    await post(
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

  /** Records the slot as handled (monotonic) and what happened at it. */
  async function recordSlot(id: string, slotAt: number, lastRun?: SlotResult): Promise<void> {
    await deps.store.update<Schedule, "gone">(
      scheduleKey(id),
      (current) => {
        if (current === undefined) return abortUpdate("gone");
        const s = current.value;
        return writeUpdate(
          {
            ...s,
            lastSlotAt: Math.max(s.lastSlotAt ?? 0, slotAt),
            ...(lastRun !== undefined && { lastRun }),
          },
          {},
        );
      },
      { retries: 20 },
    );
  }

  /** A schedule whose creation request ended without approval (rejected, expired…) is removed. */
  async function forgetIfRefused(s: Schedule): Promise<void> {
    const request = await deps.approvals.get(s.requestId);
    const status = request?.status;
    if (status !== undefined && !REFUSED.has(status)) return;
    await deps.store.delete(scheduleKey(s.id));
    await deps.store.removeFromSet(SCHEDULES_SET, s.id);
    logger.info(
      { schedule: s.id, request: s.requestId, status },
      "schedule removed: its request was not approved",
    );
  }

  /** The slots of one schedule due now; resolves with how many this replica handled. */
  async function handle(chat: ChatPort, id: string, now: number): Promise<number> {
    const s = await readSchedule(deps.store, id);
    if (s?.status === "pending") await forgetIfRefused(s);
    if (s?.status !== "active") return 0;
    const after = s.lastSlotAt ?? s.activatedAt ?? s.createdAt;
    const { slots, truncated } = slotsBetween(s, after, now);
    const latest = slots.at(-1);
    if (latest === undefined) return 0;
    const claimed = await deps.store.createIfAbsent(
      slotKey(id, latest),
      { claimedAt: now, replica: options.replicaId },
      { ttlMs: SLOT_CLAIM_TTL_MS },
    );
    if (!claimed) return 0;
    // Recorded before the run, so a pass that starts meanwhile does not see these slots again.
    await recordSlot(id, latest);
    const recent = now - latest <= graceMs;
    const missed = recent ? slots.slice(0, -1) : slots;
    if (missed.length > 0) {
      await deps.audit.record({
        type: "schedule.skipped",
        actorId: SCHEDULER_ACTOR,
        teamId: s.owner.teamId,
        requesterId: s.owner.userId,
        requestId: s.requestId,
        action: s.action,
        message: `${missed.length} slot(s) missed while the bot was not running`,
        detail: {
          scheduleId: id,
          why: "missed",
          count: missed.length,
          truncated,
          first: new Date(missed[0] ?? latest).toISOString(),
          last: new Date(missed.at(-1) ?? latest).toISOString(),
        },
      });
      await post(
        chat,
        s.channel,
        buildScheduleMissedView({
          schedule: { id, commandLine: s.commandLine },
          missed,
          truncated,
          runsLatest: recent,
          latest,
          graceMs,
        }),
      );
    }
    let result: SlotResult;
    if (recent) {
      try {
        result = await runSlot(chat, s, latest);
      } catch (error) {
        logger.error({ err: error, schedule: id, slot: latest }, "scheduled run failed to start");
        result = {
          slotAt: latest,
          result: "skipped",
          why: "the run could not be started (see the bot's log)",
        };
      }
    } else {
      result = { slotAt: latest, result: "missed", why: "the bot was not running" };
    }
    await recordSlot(id, latest, result);
    return 1;
  }

  return {
    /** One pass now: every active schedule's due slot; resolves with the number of slots handled here. */
    async runDue(): Promise<number> {
      const chat = deps.chat();
      if (chat === undefined) return 0;
      const now = deps.clock.now();
      let handled = 0;
      let ids: string[];
      try {
        ids = await deps.store.members(SCHEDULES_SET);
      } catch (error) {
        logger.warn({ err: error }, "could not list the schedules");
        return 0;
      }
      for (const id of ids) {
        try {
          handled += await handle(chat, id, now);
        } catch (error) {
          logger.warn({ err: error, schedule: id }, "could not handle the schedule's slot");
        }
      }
      return handled;
    },
  };
}
