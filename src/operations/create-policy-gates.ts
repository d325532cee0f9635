import type { ChatPort } from "../app/ports.js";
import { groupHandlesOf } from "../app/read-groups-once.js";
import type { AuditEntryInput } from "../audit/audit-entry.js";
import {
  type AuditReadFailureLog,
  type AuditReadFilters,
  recordAuditRead,
} from "../audit/record-audit-read.js";
import { parseServerTags } from "../cloud/parse-server-tags.js";
import type {
  ActionOffer,
  DescribePolicyFor,
  MutationIntent,
  PolicyReadIntent,
  ReadDecision,
  ReadPolicy,
} from "../commands/types.js";
import { formatTarget, intentAction } from "../intents/index.js";
import { evaluatePolicy, requesterGroupsMatter, serverRulesFor } from "../policy/evaluate-policy.js";
import type { Policy } from "../policy/types.js";
import { md } from "../render/message-model.js";
import type { Clock } from "../store/store.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { buildPolicyRefusalView, refusalReasonOf } from "./build-policy-refusal-view.js";
import {
  decidePolicy,
  evaluateQuestion,
  type GroupsSnapshot,
  type PolicyQuestion,
  readGroups,
} from "./decide-policy.js";
import { toOperationRequest } from "./to-operation-request.js";

export interface PolicyGateDeps {
  policy: () => Policy;
  /** The chat port known so far (the router's read-policy context carries none). */
  chat: () => ChatPort | undefined;
  /**
   * The bot's clock: every gate decides as of now, like a new request, so the calendar conditions (`during`,
   * `outside`) are judged, not failed closed (a freeze next month would otherwise deny today).
   */
  clock: Clock;
  /**
   * Records what a sensitive read ({@link AUDITED_READS}) was asked and decided (the audit log's `record`).
   * A read whose entry cannot be written is refused (a console log may show secrets: none is shown unrecorded).
   * Absent (tests of other gates): nothing is recorded.
   */
  recordAudit?: (entry: AuditEntryInput) => Promise<unknown>;
  /**
   * Where a refused read of the audit log whose entry could not be written is said (the refusal stands; see
   * `recordAuditRead`). Give it with `recordAudit`.
   */
  logger?: AuditReadFailureLog;
}

/** Reads that may show secrets (a console log prints whatever the OS printed): each attempt is audited. */
const AUDITED_READS: ReadonlySet<string> = new Set(["ecs.console-log"]);
/**
 * The reads of the audit log itself: a refusal is recorded here (`audit.read`), an allowed one by its answer,
 * which knows how many entries it showed (`recordAuditRead`).
 */
const AUDIT_LOG_READS: ReadonlySet<string> = new Set([
  "ops.audit",
  "ops.audit.verify",
  "ops.audit.break-glass",
]);

/**
 * The read policy as the bot builds it. An audit page click passes the page's filters: its intent is the bare
 * `ops.audit` (the page's subject is in the button, not in a command), and a refusal is recorded with them.
 */
export type AuditingReadPolicy = (
  intent: PolicyReadIntent,
  ctx: Parameters<ReadPolicy>[1],
  auditFilters?: AuditReadFilters,
) => Promise<ReadDecision>;

/** The filters a typed `/ops audit …` asks for (none for `verify` and `break-glass`). */
function auditFiltersOf(intent: PolicyReadIntent): AuditReadFilters {
  if (intent.type !== "ops.audit") return {};
  const subject = intent.subject;
  return {
    ...(subject?.kind === "server" && { server: formatTarget(subject.server) }),
    ...(subject?.kind === "user" && { user: subject.userId }),
    ...(subject?.kind === "request" && { request: subject.requestId }),
    ...(intent.limit !== undefined && { limit: intent.limit }),
    ...(intent.beforeSeq !== undefined && { beforeSeq: intent.beforeSeq }),
  };
}

/**
 * Groups only matter when a rule that can decide `action` names requester groups (any rule, for help, which
 * asks about every action): then they are the recently read ones (`recentUserGroups`), through the command's
 * own chat port when it has one (its groups are read once for the whole command). Otherwise nothing is read:
 * the decision cannot depend on them.
 */
async function groupsFor(
  deps: PolicyGateDeps,
  policy: Policy,
  userId: string,
  action: string | undefined,
  commandChat?: ChatPort,
): Promise<string[]> {
  const chat = commandChat ?? deps.chat();
  if (!requesterGroupsMatter(policy, action) || chat === undefined) return [];
  return groupHandlesOf(await chat.recentUserGroups(), userId);
}

/**
 * The policy for read-only commands (asked by the router after resolution and on every page/share click), for
 * help and for the `/ops` commands that answer at once (and the audit's page clicks), as of now. Reads cannot be
 * approved: anything but `allow` refuses, with the reasons.
 */
export function createReadPolicy(deps: PolicyGateDeps): AuditingReadPolicy {
  return async (intent, ctx, auditFilters) => {
    const policy = deps.policy();
    const action = intentAction(intent);
    const decision = evaluatePolicy(policy, {
      action,
      requester: {
        userId: ctx.request.actor.userId,
        groups: await groupsFor(deps, policy, ctx.request.actor.userId, action, ctx.chat),
      },
      channel: {
        id: ctx.request.channelId,
        ...(ctx.request.channelName !== undefined && { name: ctx.request.channelName }),
      },
      targets: ctx.servers.map((s) => ({ id: s.id, name: s.name, tags: parseServerTags(s.tags) })),
      flags: {},
      at: deps.clock.now(),
    });
    const why = refusalReasonOf(decision);
    if (deps.recordAudit !== undefined && AUDITED_READS.has(intent.type)) {
      // Recorded before anything is shown; a read that cannot be recorded is not shown.
      const recorded = await recordRead(deps.recordAudit, {
        actorId: ctx.request.actor.userId,
        teamId: ctx.request.actor.teamId,
        action,
        servers: ctx.servers,
        decision: decision.effect,
        ruleIds: decision.rules.map((r) => r.id),
        ...(why !== undefined && {
          reasons: decision.effect === "deny" ? decision.reasons : [why],
        }),
      });
      if (!recorded) {
        return {
          allowed: false,
          message: buildNoticeView(
            ":no_entry:",
            md`Not shown: a console log may show secrets, and this read could not be recorded in the audit log. Try again later.`,
          ),
        };
      }
    }
    const refused = buildPolicyRefusalView(decision);
    if (refused !== undefined && deps.recordAudit !== undefined && AUDIT_LOG_READS.has(intent.type)) {
      // Refused either way; an entry that cannot be written changes nothing for the refused, and is logged.
      await recordAuditRead(
        deps.recordAudit,
        {
          actorId: ctx.request.actor.userId,
          teamId: ctx.request.actor.teamId,
          action,
          via: "view",
          filters: auditFilters ?? auditFiltersOf(intent),
          refused: {
            decision: decision.effect === "deny" ? "deny" : "needs_approval",
            ruleIds: decision.rules.map((r) => r.id),
            reasons: decision.effect === "deny" ? decision.reasons : why !== undefined ? [why] : [],
          },
        },
        deps.logger,
      );
    }
    return refused === undefined ? { allowed: true } : { allowed: false, message: refused };
  };
}

interface AuditedRead {
  actorId: string;
  teamId: string | undefined;
  action: string;
  servers: readonly { id: string; name: string }[];
  decision: "allow" | "needs_approval" | "deny";
  ruleIds: string[];
  /** Why it was refused (absent: it was shown). */
  reasons?: readonly string[];
}

/** One `console_log.read` entry: who, which servers, shown or refused and why. False when it was not recorded. */
async function recordRead(
  record: (entry: AuditEntryInput) => Promise<unknown>,
  read: AuditedRead,
): Promise<boolean> {
  const names = read.servers.map((s) => s.name);
  const allowed = read.reasons === undefined;
  try {
    await record({
      type: "console_log.read",
      actorId: read.actorId,
      ...(read.teamId !== undefined && read.teamId !== "" && { teamId: read.teamId }),
      action: read.action,
      serverIds: read.servers.map((s) => s.id),
      ruleIds: read.ruleIds,
      decision: read.decision,
      message: `Console log of ${names.join(", ") || "no server"}: ${allowed ? "shown" : "refused"}`,
      detail: {
        allowed,
        servers: names,
        ...(read.reasons !== undefined && { reasons: [...read.reasons] }),
      },
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * What the live policy says about each action for this requester (without targets) as of now, for help: what
 * a request made now would get, freezes and windows included.
 */
export function createDescribePolicy(deps: PolicyGateDeps): DescribePolicyFor {
  return async (request) => {
    const policy = deps.policy();
    const groups = await groupsFor(deps, policy, request.actor.userId, undefined);
    const at = deps.clock.now();
    return (action) => {
      const decision = evaluatePolicy(policy, {
        action,
        requester: { userId: request.actor.userId, groups },
        channel: {
          id: request.channelId,
          ...(request.channelName !== undefined && { name: request.channelName }),
        },
        targets: [],
        flags: {},
        at,
      });
      return {
        verdict:
          decision.effect === "allow" ? "allowed" : decision.effect === "deny" ? "denied" : "needs approval",
        serverRules: serverRulesFor(policy, action),
      };
    };
  };
}

/**
 * The actions a view may offer as buttons: every command the policy does not deny for this requester on these
 * servers, decided exactly as a new request made now would be (`decidePolicy`, the groups read now, the clock's
 * time), so a button is offered only when the click would be allowed or could be approved. The click decides
 * again.
 */
export function createActionOffer(deps: Pick<PolicyGateDeps, "policy" | "clock">): ActionOffer {
  return async (intents, ctx) => {
    const policy = deps.policy();
    const at = deps.clock.now();
    let groups: GroupsSnapshot | undefined;
    const offered: MutationIntent[] = [];
    for (const intent of intents) {
      const op = toOperationRequest(intent);
      const question: PolicyQuestion = {
        action: op.action,
        requesterId: ctx.request.actor.userId,
        channel: {
          id: ctx.request.channelId,
          ...(ctx.request.channelName !== undefined && { name: ctx.request.channelName }),
        },
        targets: ctx.servers,
        flags: op.flags,
        ...(op.tagChange !== undefined && { tagChange: op.tagChange }),
        at,
      };
      // Without group rules for the action, an allow or a deny is final without the groups; only an approval
      // needs them (whether enough people could approve), and then they are read, once for every action.
      let decision = requesterGroupsMatter(policy, op.action)
        ? undefined
        : evaluateQuestion(policy, question, []);
      if (decision === undefined || decision.effect === "needs_approval") {
        groups ??= await readGroups(ctx.chat);
        decision = decidePolicy(policy, question, groups);
      }
      if (decision.effect !== "deny") offered.push(intent);
    }
    return offered;
  };
}
