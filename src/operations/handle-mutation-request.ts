import type { ChatPort } from "../app/ports.js";
import type { RequestSchedule } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { CloudClient } from "../cloud/types.js";
import type { MutationHandler } from "../commands/types.js";
import type { Metrics } from "../metrics/metrics.js";
import { termsOf } from "../policy/compare-decisions.js";
import { policyVersion } from "../policy/policy-version.js";
import type { Policy, PolicyDecision } from "../policy/types.js";
import type { Message } from "../render/message-model.js";
import { resolveStartTime } from "../schedule/resolve-start-time.js";
import type { Clock, Store } from "../store/store.js";
import { targetsOf } from "../targets/replace-target.js";
import { buildApprovalAskedView } from "../views/build-approval-asked-view.js";
import { buildDirectMessageRefusalView } from "../views/build-direct-message-refusal-view.js";
import { buildScheduledNoticeView, buildScheduleRefusalView } from "../views/build-schedule-views.js";
import { buildWavesRefusalView } from "../views/build-wave-views.js";
import { planWaves, policyWavesOf, waveOptionsOfIntent } from "../waves/plan-waves.js";
import { runPreflight } from "../workflow/run-preflight.js";
import type { FlowSet } from "../workflow/types.js";
import { claimsIntent, duplicateRefusalReason, duplicateViewOf } from "./answer-duplicate-request.js";
import { buildDenialView } from "./build-denial-view.js";
import { buildDryRunView, buildPreflightRefusalView } from "./build-preflight-views.js";
import type { BreakGlass } from "./create-break-glass.js";
import type { Executions } from "./create-executions.js";
import type { ShownCards } from "./create-shown-cards.js";
import { decideBreakGlass } from "./decide-break-glass.js";
import { decidePolicy, readGroups } from "./decide-policy.js";
import { breakGlassAllows, withoutGlassOf } from "./describe-break-glass-option.js";
import { describeApprovers, POLICY_ACTOR } from "./describe-request.js";
import { directConversationOf } from "./direct-conversation-of.js";
import { narrowBlockedCommand } from "./narrow-blocked-command.js";
import type { ApproverMessages } from "./notify-approvers.js";
import { postAndRecordRequest } from "./post-and-record-request.js";
import type { RequestDetails, RequestDetailsStore } from "./request-details.js";
import { mentionsApprovers, POLICY_ALLOWED_REQUIREMENT, withSelectors } from "./request-post-parts.js";
import { splitDeniedCommand } from "./split-denied-command.js";
import { closeSameChange } from "./supersede-waiting-request.js";
import { toOperationRequest } from "./to-operation-request.js";

export interface MutationRequestDeps {
  /** Counts policy decisions (`request`); default none recorded. */
  metrics?: Pick<Metrics, "policyDecision">;
  policy: () => Policy;
  flows: FlowSet;
  store: Store;
  audit: AuditLog;
  approvals: ApprovalService;
  details: RequestDetailsStore;
  cloud: CloudClient;
  clock: Clock;
  executions: Executions;
  refreshCard: (requestId: string) => Promise<void>;
  /** What `refreshCard` remembers of each card: told what a request's card was first posted as. */
  shownCards?: Pick<ShownCards, "remember">;
  learnChat: (chat: ChatPort) => void;
  breakGlass: BreakGlass;
  /** Asks the approvers by direct message (`notify_approvers: dm`). */
  approverMessages: Pick<ApproverMessages, "requested">;
}

/**
 * A command that changes servers (`/ecs start|stop|…|migrate`) after parsing and target resolution: policy (with the requester's
 * groups read now), audit of the decision, preflight, then a denial, a refusal, an approval card, or an
 * announcement and an immediate execution. Anything that throws is reported by the router as an internal
 * error; nothing runs unless its audit record was written.
 */
export function createMutationRequestHandler(deps: MutationRequestDeps): MutationHandler {
  return async (intent, ctx) => {
    deps.learnChat(ctx.chat);
    const { actor, channelId, channelName, commandLine } = ctx.request;
    const replyOptions = ctx.origin === "pick" ? { replaceOriginal: true } : undefined;
    const reply = (message: Parameters<typeof ctx.responder.respond>[0]) =>
      ctx.responder.respond(message, replyOptions).catch((error: unknown) => {
        ctx.logger.warn({ err: error }, "could not reply to the requester");
      });
    const op = toOperationRequest(intent);
    const waveOptions = waveOptionsOfIntent(intent);
    const requested =
      waveOptions === undefined
        ? undefined
        : planWaves(
            ctx.servers.map((s) => s.id),
            waveOptions,
          );
    if (requested !== undefined && !requested.ok) {
      await reply(buildWavesRefusalView(commandLine, requested.error));
      return;
    }
    const policy = deps.policy();
    // A scheduled change (`--at`, `--window`) is decided as of its start time: a freeze then denies it now.
    let schedule: RequestSchedule | undefined;
    if (ctx.request.schedule !== undefined) {
      const start = await resolveStartTime(ctx.request.schedule, {
        now: deps.clock.now(),
        policy,
        timeZone: () => ctx.chat.userTimeZone(actor.userId),
      });
      if (!start.ok) {
        await reply(buildScheduleRefusalView(commandLine, start.message));
        return;
      }
      schedule = start.schedule;
    }
    const groups = await readGroups(ctx.chat);
    const question = {
      action: op.action,
      requesterId: actor.userId,
      channel: { id: channelId, ...(channelName !== undefined && { name: channelName }) },
      targets: ctx.servers,
      flags: op.flags,
      ...(op.tagChange !== undefined && { tagChange: op.tagChange }),
      ...(requested?.ok && { waves: policyWavesOf(requested.plan) }),
      at: schedule?.runAt ?? deps.clock.now(),
    };
    const glass = ctx.request.breakGlass;
    const glassVerdict =
      glass === undefined ? undefined : decideBreakGlass(policy, question, groups, glass.reason);
    const decision: PolicyDecision =
      glassVerdict === undefined
        ? decidePolicy(policy, question, groups)
        : glassVerdict.ok
          ? glassVerdict.decision
          : { effect: "deny", rules: [], reasons: [glassVerdict.reason] };
    const breakGlass = glass !== undefined && glassVerdict?.ok === true ? glass : undefined;
    ctx.logger.info(
      { action: op.action, decision: decision.effect, rules: decision.rules.map((r) => r.id) },
      "policy decided",
    );

    deps.metrics?.policyDecision(decision.effect, "request");
    // The request's ID before its first decision is recorded, which names it: `/ops audit apr_…` then starts
    // there. A denial or a dry run never becomes a request: its entry names only the command's reference.
    const plannedId = decision.effect === "deny" || op.dryRun ? undefined : deps.approvals.newId();
    // Written before anything else happens: if it cannot be written, nothing does.
    await deps.audit.record({
      type: "policy.decided",
      actorId: actor.userId,
      teamId: actor.teamId,
      requesterId: actor.userId,
      ...(plannedId !== undefined && { requestId: plannedId }),
      action: op.action,
      decision: decision.effect,
      serverIds: ctx.servers.map((s) => s.id),
      ruleIds: decision.rules.map((r) => r.id),
      message: commandLine,
      detail: {
        channel: channelId,
        reference: ctx.request.requestId,
        ...policyVersion(policy),
        ...(op.dryRun && { dryRun: true }),
        ...(glass !== undefined && {
          breakGlass: { reason: glass.reason, accepted: breakGlass !== undefined },
        }),
        ...(decision.effect === "deny" && { reasons: decision.reasons }),
        ...(decision.effect === "needs_approval" && { minApprovals: decision.approval.minApprovals }),
        ...(schedule !== undefined && { schedule }),
      },
    });

    /**
     * A command the policy did not deny that is not turned into a request says so in the audit, after its
     * `policy.decided` (which names the same `reference`): the trail does not end at "allowed".
     */
    const recordRefusal = (
      refusedBy: "direct_message" | "preflight" | "waves" | "not_posted" | "duplicate",
      reason: string,
    ) =>
      deps.audit.record({
        type: "request.refused",
        actorId: actor.userId,
        teamId: actor.teamId,
        requesterId: actor.userId,
        ...(plannedId !== undefined && { requestId: plannedId }),
        action: op.action,
        serverIds: ctx.servers.map((s) => s.id),
        message: commandLine,
        detail: { reference: ctx.request.requestId, refusedBy, reason },
      });

    if (decision.effect === "deny") {
      await reply(
        buildDenialView({
          commandLine,
          reasons: decision.reasons,
          rules: decision.rules,
          ...(glassVerdict?.ok === false && {
            breakGlassRefused: true,
            withoutBreakGlass: withoutGlassOf(decidePolicy(policy, question, groups)),
          }),
          ...(glass === undefined && breakGlassAllows(policy, question, groups)),
          ...(decision.cause === "too_few_approvers" && { tooFewApprovers: true }),
          ...(decision.unknownApproverGroups !== undefined && {
            unknownApproverGroups: decision.unknownApproverGroups,
          }),
          ...splitDeniedCommand(policy, decision, intent, ctx.servers),
        }),
      );
      return;
    }

    // A card in someone's direct conversation with the bot is seen by nobody else: approvers (mentioned or sent
    // a link to it) and break-glass reviewers (its alert links to its thread) could not act on it. Refused before
    // the preflight and before any request is recorded; what the policy allows outright runs there.
    const direct = directConversationOf(channelId, channelName);
    const alertChannel = breakGlass !== undefined ? policy.breakGlass?.alertChannel : undefined;
    const needs =
      decision.effect === "needs_approval"
        ? { approval: decision.approval }
        : alertChannel !== undefined
          ? { alertChannel }
          : undefined;
    if (direct !== undefined && needs !== undefined && !op.dryRun) {
      await recordRefusal("direct_message", `asked in a direct conversation (${direct}) nobody else can see`);
      await reply(buildDirectMessageRefusalView({ commandLine, where: direct, needs }));
      return;
    }

    const flow = deps.flows[op.operation];
    const preflight = await runPreflight(op.operation, ctx.servers, op.parameters, deps.cloud, {
      flow,
      // Read moments ago by this command's resolution; the execution reads them again before it runs.
      known: ctx.servers,
      now: () => deps.clock.now(),
    });
    if (op.dryRun) {
      await reply(buildDryRunView(commandLine, preflight, decision));
      return;
    }
    if (preflight.blocking || preflight.snapshot.length === 0) {
      const blocking = preflight.problems.filter((p) => p.severity === "blocking");
      const shown = blocking.length > 0 ? blocking : preflight.problems;
      await recordRefusal(
        "preflight",
        shown.length > 0 ? shown.map((p) => p.message).join("; ") : "no server is left to change",
      );
      await reply(
        buildPreflightRefusalView(
          commandLine,
          preflight,
          narrowBlockedCommand(intent, ctx.request, preflight),
        ),
      );
      return;
    }
    // Planned on the servers the preflight kept (a reboot leaves a stopped one out), and bound by the approval.
    const planned =
      waveOptions === undefined
        ? undefined
        : planWaves(
            preflight.snapshot.map((t) => t.id),
            waveOptions,
          );
    if (planned !== undefined && !planned.ok) {
      await recordRefusal("waves", planned.error);
      await reply(buildWavesRefusalView(commandLine, planned.error));
      return;
    }

    const kind = decision.effect === "needs_approval" ? "approval" : "allowed";
    const draft = deps.approvals.prepare({
      requester: { userId: actor.userId, teamId: actor.teamId },
      channel: channelId,
      action: op.action,
      commandText: commandLine,
      targets: withSelectors(preflight.snapshot, targetsOf(intent)),
      // As the preflight resolved them (a reinstall binds the key pair it read from the server).
      parameters: { ...preflight.parameters, ...(planned?.ok && { waves: planned.plan }) },
      ruleIds: decision.rules.map((r) => r.id),
      requirement: decision.effect === "needs_approval" ? decision.approval : POLICY_ALLOWED_REQUIREMENT,
      terms: breakGlass !== undefined ? { ...termsOf(decision), breakGlass: true } : termsOf(decision),
      ...(breakGlass !== undefined && { breakGlass: { reason: breakGlass.reason } }),
      ...(ctx.request.why !== undefined && { why: ctx.request.why }),
      ...(schedule !== undefined && { schedule }),
      decisionRef: ctx.request.requestId,
      ...(plannedId !== undefined && { id: plannedId }),
    });
    const requestId = draft.request.id;
    // One open request per intent: the same change asked again (pasted twice, retried after a slow answer,
    // scheduled again) while the first waits for approval or its time is not a second change that could run.
    // Claimed before the card is posted, so a duplicate posts nothing.
    const claimed = claimsIntent(kind, schedule !== undefined);
    if (claimed) {
      const claim = await draft.claimIntent();
      if (!claim.ok) {
        await recordRefusal("duplicate", duplicateRefusalReason(claim));
        await reply(await duplicateViewOf(claim, draft.request, channelId, ctx.chat, ctx.logger));
        return;
      }
    }
    const details: RequestDetails = {
      requestId,
      kind,
      rules: decision.rules,
      preflight,
      ...(channelName !== undefined && { channelName }),
    };

    const mention = mentionsApprovers(decision);
    const posted = await postAndRecordRequest(deps, ctx, {
      draft,
      details,
      decision,
      groupIds: groups.ids,
      mention,
      claimed,
    });
    if (posted === undefined) {
      await recordRefusal("not_posted", "its card could not be posted in the channel");
      return;
    }
    const { root, recorded } = posted;
    ctx.logger.info({ approval: requestId, kind }, "request recorded");

    let glassView: Message | undefined;
    if (breakGlass !== undefined && policy.breakGlass !== undefined) {
      // The request of the same change that waits for approval is closed first: a late approval of it must
      // not run the change again. Its approval got there first: that one runs, this one does not.
      const glassed = await closeSameChange(deps, recorded, root, ctx, policy.breakGlass.alertChannel);
      if (glassed.run === false) {
        await reply(glassed.view);
        return;
      }
      glassView = glassed.view;
      // Recorded (and announced) before anything runs: a use that cannot be recorded does not run.
      const request = await deps.approvals.get(requestId);
      if (request === undefined) throw new Error(`the break-glass request ${requestId} vanished`);
      await deps.breakGlass.record(request, root, policy.breakGlass, ctx.chat);
    }
    if (kind === "allowed") {
      const approved = await deps.approvals.act(
        requestId,
        { type: "approve", userId: POLICY_ACTOR },
        { isApprover: true },
      );
      if (!approved.ok)
        throw new Error(`the policy-allowed request ${requestId} could not be approved: ${approved.code}`);
      // A scheduled change waits for its time: the periodic pass of whichever replica starts it then. One
      // that runs now was posted as its run's start shows it, which then edits nothing (`shownCards`); if it
      // does not start here, its card is edited to show it approved.
      if (schedule !== undefined) {
        await deps.refreshCard(requestId);
        await reply(buildScheduledNoticeView(schedule, undefined, direct ?? "channel"));
      } else void deps.executions.runApproved(requestId, { cardStale: true });
      if (schedule === undefined && glassView !== undefined) await reply(glassView);
      return;
    }
    if (decision.effect === "needs_approval") {
      const n = decision.approval.minApprovals;
      const stages = decision.approval.stages;
      // The requester is answered first: messaging the approvers (one by one, up to 50) must not delay it.
      if (schedule !== undefined)
        await reply(buildScheduledNoticeView(schedule, { minApprovals: n, by: draft.request.expiresAt }));
      else
        await reply(
          buildApprovalAskedView({
            minApprovals: n,
            approvers: describeApprovers(decision.approval, mention ? groups.ids : {}),
            ...(stages !== undefined && { stages: stages.map((s) => s.name) }),
            expiresAt: recorded.expiresAt,
            // Said only where the break-glass path would let this requester run it now.
            ...(glass === undefined && breakGlassAllows(policy, question, groups)),
          }),
        );
      await deps.approverMessages.requested(recorded, ctx.chat, groups.members);
    }
  };
}
