import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { PolicyTightening } from "../policy/compare-decisions.js";
import { plural } from "../render/escape-mrkdwn.js";
import { code, type Message, md, type Span, section, userMention } from "../render/message-model.js";
import { renderPlain } from "../render/render-mrkdwn.js";
import { type DriftItem, describeDrift } from "../workflow/detect-drift.js";
import { verbOf } from "./describe-request.js";

/** What the re-decision before execution found: the servers' changed facts and the stricter decision. */
export interface PolicyChange {
  changes: readonly DriftItem[];
  tightenings: readonly PolicyTightening[];
}

const approvals = (n: number) => plural(n, "approval");

/**
 * Who the request asked, by approval (a staged request's approval by the stage it was given for), so "no
 * longer counts" can say which group: `@ops-approvers`.
 */
type AskedOf = Pick<ApprovalRequest, "requirement" | "approvals">;

/** `@ops-approvers, @bob`: the approvers the approval of `userId` was given as (named, not mentioned). */
function askedAs(request: AskedOf | undefined, userId: string): Span[] | undefined {
  if (request === undefined) return undefined;
  const stageName = request.approvals.find((a) => a.userId === userId)?.stage;
  const asked =
    request.requirement.stages?.find((s) => s.name === stageName)?.approvers ?? request.requirement.approvers;
  const names = [...asked.groups.map((g) => `@${g}`)];
  if (names.length === 0) return undefined;
  return md`${code(names.join(", "))}`;
}

/** "the approval of @bob no longer counts: they are no longer among its approvers (it asked `@ops-approvers`)". */
function noLongerAnApprover(userId: string, asked: Span[] | undefined): Span[] {
  return asked !== undefined
    ? md`the approval of ${userMention(userId)} no longer counts: they are no longer among its approvers (it asked ${asked})`
    : md`the approval of ${userMention(userId)} no longer counts: they are not among its approvers now`;
}

/**
 * One tightening in words: "this delete now needs 3 approvals, it had 2". `sources`: a rule is named with
 * where it is written (`policy.yml:42`), for the audit and logs; people read its ID and description.
 */
function describeTightening(
  t: PolicyTightening,
  verb: string,
  request: AskedOf | undefined,
  sources: boolean,
): Span[] {
  switch (t.kind) {
    case "denied":
      return md`this ${verb} is not allowed any more: ${t.reasons.join("; ")}`;
    case "approval_needed":
      return md`this ${verb} now needs ${approvals(t.minApprovals)}; it was allowed without`;
    case "more_approvals":
      return md`this ${verb} now needs ${approvals(t.after)}, it had ${String(t.before)}`;
    case "approver_not_accepted":
      return t.reason === "self_approval"
        ? md`the approval of ${userMention(t.userId)} no longer counts: the requester may not approve it now`
        : noLongerAnApprover(t.userId, askedAs(request, t.userId));
    case "lower_cap":
      return t.before === undefined
        ? md`a limit of ${plural(t.after, "server")} per request applies now`
        : md`the limit per request is ${plural(t.after, "server")} now, it was ${String(t.before)}`;
    case "new_rule":
      return sources
        ? md`the rule ${code(t.rule.id)} applies now (${t.rule.source})`
        : md`the rule ${code(t.rule.id)} applies now: ${t.rule.description}`;
    case "stage_added":
      return md`this ${verb} now also needs the approval stage ${t.stage}`;
    case "stage_more_approvals":
      return md`the stage ${t.stage} now needs ${approvals(t.after)}, it had ${String(t.before)}`;
  }
}

/**
 * Every line of a policy change, the servers' changes first ("web-02: now tagged env=prod"), then how the
 * decision tightened ("this delete now needs 3 approvals, it had 2").
 */
export function policyChangeLines(
  change: PolicyChange,
  action: string,
  options: { request?: AskedOf; sources?: boolean } = {},
): Span[][] {
  const verb = verbOf(action);
  return [
    ...change.changes.map((d) => md`${describeDrift(d)}`),
    ...change.tightenings.map((t) => describeTightening(t, verb, options.request, options.sources === true)),
  ];
}

/** The same lines as plain text, for the audit record and the request's revocation (rules with their source). */
export function policyChangeText(change: PolicyChange, action: string): string[] {
  return policyChangeLines(change, action, { sources: true }).map((line) => renderPlain(line));
}

/**
 * The reply in the request's thread when it did not run because the policy, checked again just before
 * execution, is stricter: what changed, and the requester (mentioned) can ask again. Pure.
 */
export function buildPolicyChangedReply(
  request: Pick<ApprovalRequest, "action" | "commandText" | "requester"> & Partial<AskedOf>,
  change: PolicyChange,
): Message {
  const asked =
    request.requirement !== undefined && request.approvals !== undefined
      ? { requirement: request.requirement, approvals: request.approvals }
      : undefined;
  const lines = policyChangeLines(change, request.action, asked !== undefined ? { request: asked } : {});
  return {
    text: md`Not run: the policy is stricter now. ${lines[0] ?? md``}`,
    blocks: [
      section({
        text: [
          ...md`:no_entry: *Not run.* Checked again just before running, the policy is stricter now:`,
          ...lines.flatMap((line) => [...md`\n• `, ...line]),
        ],
      }),
      section({
        text: md`${userMention(request.requester.userId)} nothing was done. Ask again to get the approvals it needs now: ${code(request.commandText)}`,
      }),
    ],
  };
}
