import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import { parseServerTags } from "../cloud/parse-server-tags.js";
import type { CloudClient } from "../cloud/types.js";
import type { Metrics } from "../metrics/metrics.js";
import { policyVersion } from "../policy/policy-version.js";
import type { Policy, PolicyTarget } from "../policy/types.js";
import { detectDrift } from "../workflow/detect-drift.js";
import { readServers, type ServerRead } from "../workflow/read-servers.js";
import type { FlowTarget } from "../workflow/types.js";
import { type PolicyChange, policyChangeCause } from "./build-policy-change-view.js";
import { readGroups } from "./decide-policy.js";
import { POLICY_ACTOR } from "./describe-request.js";
import { redecideApproved } from "./redecide-approved.js";

export { approvedTermsOf } from "./redecide-approved.js";

export interface RedecideDeps {
  policy: () => Policy;
  chat: () => ChatPort | undefined;
  cloud: Pick<CloudClient, "ecs">;
  audit: AuditLog;
  /** The time the calendar conditions are judged at (now: just before the claim). */
  clock?: { now(): number };
  /** Counts the re-decision (`before_execution`); default none recorded. */
  metrics?: Pick<Metrics, "policyDecision">;
}

/** What the policy says about an approved request just before it would run. */
export type Redecision =
  /** The same or laxer: run it as approved. `reads`: the targets as just read (the flow re-checks them). */
  | { kind: "proceed"; reads: ReadonlyMap<string, ServerRead> }
  /** Stricter in some way: run nothing; `change` says what changed. */
  | { kind: "stricter"; change: PolicyChange }
  /** The decision cannot be made now (the chat platform's groups cannot be read): run nothing yet. */
  | { kind: "undecided"; why: string };

/** Only these drift kinds are facts the policy decides on; the flow's own re-check handles the others. */
const POLICY_FACTS = new Set(["renamed", "tags", "unselected"]);

/**
 * Decides the policy again on an approved request, immediately before the claim that starts its execution:
 * the targets are re-read and the rules evaluated on them as they are now (name, tags), with the request's
 * requester, channel and flags, and the people whose approvals counted judged with their groups now. The
 * result is compared with the terms the request was approved under (`compareDecisions`). The re-decision is
 * audited (`policy.redecided`) whatever it finds. A target that cannot be read is judged on its approved facts
 * (the flow's re-check then aborts the run on it).
 */
export async function redecideBeforeExecution(
  deps: RedecideDeps,
  request: ApprovalRequest,
  channelName: string | undefined,
): Promise<Redecision> {
  const chat = deps.chat();
  if (chat === undefined) return { kind: "undecided", why: "the chat platform is not known yet" };
  let groups: Awaited<ReturnType<typeof readGroups>>;
  try {
    groups = await readGroups(chat);
  } catch (error) {
    return { kind: "undecided", why: `the user groups could not be read (${(error as Error).message})` };
  }
  const reads = await readServers(
    deps.cloud.ecs,
    request.targets.map((t) => t.id),
  );
  const targets: PolicyTarget[] = request.targets.map((t) => {
    const read = reads.get(t.id);
    return read?.kind === "found"
      ? { id: t.id, name: read.server.name, tags: parseServerTags(read.server.tags) }
      : { id: t.id, name: t.name, tags: { ...(t.tags ?? {}) } };
  });
  const requesterId = request.requester.userId;
  const policy = deps.policy();
  const at = deps.clock?.now();
  const { decision, tightenings } = redecideApproved(policy, request, {
    targets,
    groupsOf: groups.groupsOf,
    channelName,
    at,
  });
  const glass = request.breakGlass;
  const flowTargets: FlowTarget[] = request.targets.map((t) => ({ ...t }));
  const changes = detectDrift(flowTargets, reads).filter((d) => POLICY_FACTS.has(d.kind));

  deps.metrics?.policyDecision(decision.effect, "before_execution");
  await deps.audit.record({
    type: "policy.redecided",
    actorId: POLICY_ACTOR,
    requestId: request.id,
    requesterId,
    teamId: request.requester.teamId,
    action: request.action,
    decision: decision.effect,
    serverIds: request.targets.map((t) => t.id),
    ruleIds: decision.rules.map((r) => r.id),
    bindingHash: request.bindingHash,
    message:
      tightenings.length > 0
        ? `stricter than approved, not run: ${policyChangeCause({ changes, tightenings })}`
        : "same or laxer: runs as approved",
    detail: {
      ...policyVersion(policy),
      stricter: tightenings.length > 0,
      // What changed, in words (a freeze, an approver's groups, the servers), so the audit does not blame a
      // policy edit that did not happen.
      ...(tightenings.length > 0 && { cause: policyChangeCause({ changes, tightenings }) }),
      tightenings: tightenings.map((t) => t.kind),
      changed: changes.map((c) => `${c.serverId}:${c.kind}`),
      ...(glass !== undefined && { breakGlass: true }),
    },
  });
  return tightenings.length > 0
    ? { kind: "stricter", change: { changes, tightenings } }
    : { kind: "proceed", reads };
}
