import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { CalendarNote } from "../calendars/explain-calendar-conditions.js";
import type { PolicyTightening } from "../policy/compare-decisions.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  code,
  localTime,
  type Message,
  md,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { renderPlain } from "../render/render-mrkdwn.js";
import { type DriftItem, describeDrift } from "../workflow/detect-drift.js";
import { verbOf } from "./describe-request.js";

/**
 * A tightening with what the re-decision found of its cause, so its words blame what changed and not "the
 * policy" (its file may be as it was). Both absent on records kept before they were: said as before.
 * - `approver`: of `approver_not_accepted` (`not_an_approver`): `left` when they are in none of the groups (nor
 *   among the people) the request asked for their approval: their groups changed; `policy` when they still are,
 *   so the policy's approvers changed.
 * - `calendars`: the calendars the tightening's rules look at, as they stood then (a freeze in force, until when).
 */
export type ExplainedTightening = PolicyTightening & {
  approver?: "left" | "policy";
  calendars?: readonly CalendarNote[];
};

/** What the re-decision before execution found: the servers' changed facts and the stricter decision. */
export interface PolicyChange {
  changes: readonly DriftItem[];
  tightenings: readonly ExplainedTightening[];
}

/** A freeze in force that one of the change's rules looks at (the first), or undefined. */
export function freezeOf(change: Pick<PolicyChange, "tightenings">): CalendarNote | undefined {
  return change.tightenings
    .flatMap((t) => t.calendars ?? [])
    .find((n) => n.kind === "freeze" && n.relation === "during");
}

/**
 * What changed since the approval, in a few words for a headline and the audit: a freeze in force, an
 * approver's groups, the servers (tags, name), or else the policy's decision itself.
 */
export function policyChangeCause(change: PolicyChange): string {
  const freeze = freezeOf(change);
  if (freeze !== undefined) return `the freeze ${freeze.calendar} is in force`;
  const t = change.tightenings;
  if (t.length > 0 && t.every((x) => x.kind === "approver_not_accepted" && x.approver === "left"))
    return t.length === 1 ? "an approver's groups changed" : "approvers' groups changed";
  if (change.changes.length > 0) return "the servers changed";
  return "the policy is stricter now";
}

/** {@link policyChangeCause} as spans: the freeze's name in code, as `/ops calendar` shows it. */
export function describeCause(change: PolicyChange): Span[] {
  const freeze = freezeOf(change);
  return freeze !== undefined
    ? md`the freeze ${code(freeze.calendar)} is in force`
    : md`${policyChangeCause(change)}`;
}

/**
 * What the requester (mentioned, when `who` is given) can do now: asking again during a freeze or under a deny
 * rule is denied too, so a freeze says when it ends and to ask (or schedule it with `--at`) after then; a deny
 * says to check with `/ops policy explain`; anything else is a matter of new approvals.
 */
export function askAgainAdvice(change: PolicyChange, commandText: string, who?: string): Span[] {
  const lead = who !== undefined ? md`${userMention(who)}, nothing was done.` : md`Nothing was done.`;
  const denied = change.tightenings.find((t) => t.kind === "denied");
  if (denied === undefined)
    return md`${lead} Ask again to get the approvals it needs now: ${code(commandText)}`;
  const freeze = freezeOf({ tightenings: [denied] });
  if (freeze === undefined)
    return md`${lead} Asking again is denied too while this holds; ${code(`/ops policy explain ${commandText}`)} says what the policy decides now.`;
  return freeze.until !== undefined
    ? md`${lead} Asking again is denied until the freeze ends ${localTime(freeze.until)}: ask again after then, or schedule it for after then with ${code("--at")}: ${code(commandText)}`
    : md`${lead} Asking again is denied while the freeze is in force: ask again once it is over: ${code(commandText)}`;
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

/**
 * "@bob's approval no longer counts (no longer in `@ops-approvers`)" when they left the groups it asked; when
 * they are still in them, the policy's approvers changed; unknown (older records): not among them now.
 */
function noLongerAnApprover(
  userId: string,
  asked: Span[] | undefined,
  cause: ExplainedTightening["approver"],
): Span[] {
  const whose = md`${userMention(userId)}'s approval no longer counts`;
  if (asked === undefined) return md`${whose}: they are not among its approvers now`;
  if (cause === "left") return md`${whose} (no longer in ${asked})`;
  if (cause === "policy") return md`${whose}: the policy's approvers for it changed (it asked ${asked})`;
  return md`${whose}: they are no longer among its approvers (it asked ${asked})`;
}

/** " during the freeze `test-freeze` (in force until 18:00)": why a rule applies now, when a freeze made it. */
function duringFreeze(t: ExplainedTightening): Span[] {
  const freeze = freezeOf({ tightenings: [t] });
  if (freeze === undefined) return md``;
  const until = freeze.until !== undefined ? md` (in force until ${localTime(freeze.until)})` : md``;
  return md` during the freeze ${code(freeze.calendar)}${until}`;
}

/**
 * One tightening in words: "this delete now needs 3 approvals, it had 2". `sources`: a rule is named with
 * where it is written (`policy.yml:42`), for the audit and logs; people read its ID and description.
 */
function describeTightening(
  t: ExplainedTightening,
  verb: string,
  request: AskedOf | undefined,
  sources: boolean,
): Span[] {
  switch (t.kind) {
    case "denied":
      return freezeOf({ tightenings: [t] }) !== undefined
        ? md`this ${verb} is not allowed${duringFreeze(t)}: ${t.reasons.join("; ")}`
        : md`this ${verb} is not allowed any more: ${t.reasons.join("; ")}`;
    case "approval_needed":
      return md`this ${verb} now needs ${approvals(t.minApprovals)}${duringFreeze(t)}; it was allowed without`;
    case "more_approvals":
      return md`this ${verb} now needs ${approvals(t.after)}${duringFreeze(t)}, it had ${String(t.before)}`;
    case "approver_not_accepted":
      return t.reason === "self_approval"
        ? md`${userMention(t.userId)}'s approval no longer counts: the requester may not approve it now`
        : noLongerAnApprover(t.userId, askedAs(request, t.userId), t.approver);
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
 * execution, is stricter: what changed (an approver's groups, a freeze, the servers, else the policy), and
 * what the requester (mentioned) can do now. Pure.
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
    text: lines[0] !== undefined ? md`Not run: ${lines[0]}` : md`Not run: ${describeCause(change)}`,
    blocks: [
      section({
        text: [
          // The card's headline form ("Not run — <cause>"), so the thread and the card read alike.
          ...md`:no_entry: *Not run — ${describeCause(change)}.* Checked again just before running:`,
          ...lines.flatMap((line) => [...md`\n• `, ...line]),
        ],
      }),
      section({ text: askAgainAdvice(change, request.commandText, request.requester.userId) }),
    ],
  };
}
