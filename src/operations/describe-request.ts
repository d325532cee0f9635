import type { ApprovalRequest } from "../approvals/approval-request.js";
import { approvalsFor, currentStage } from "../approvals/current-stage.js";
import { formatDuration } from "../config/parse-duration.js";
import type { ApprovalRequirement } from "../policy/types.js";
import { plural } from "../render/escape-mrkdwn.js";
import { code, groupMention, localTime, md, type Span, userMention } from "../render/message-model.js";
import { flowParametersOf, operationOfAction } from "../workflow/flow-parameters-of.js";
import { DESTRUCTIVE_OPERATIONS, type Operation } from "../workflow/flow-vocabulary.js";

/** The approver of policy-allowed requests (they run without a human approval). */
export const POLICY_ACTOR = "system:policy";

/** Short, untrusted-safe pieces describing a request; shared by the card, its details and the lists. */

/** User-group IDs by handle, for mentions that notify; a handle without an ID is shown as text. */
export type GroupIds = Readonly<Record<string, string>>;

/** What {@link verbOf} says of an action it does not know and no command names: never the IAM action's name. */
export const UNKNOWN_VERB = "change";

/**
 * `delete` for `ecs:cloudServers:delete`; `schedule` for a recurring schedule's creation (`ops:schedule:create`).
 * An action without a flow is said by the command's own verb (`stop` for `/ecs stop web-01`), else
 * {@link UNKNOWN_VERB}: an IAM action name (`ecs:cloudServers:batchStop`) is for the audit, never for a person
 * deciding from a card or a confirmation.
 */
export function verbOf(action: string, commandText?: string): string {
  if (action === "ops:schedule:create") return "schedule";
  const op = operationOfAction(action);
  if (op !== undefined) return op;
  // `/ecs stop web-01 --hard`: the word after the command, when it reads as a verb (typed text, so checked).
  const typed = commandText?.trim().split(/\s+/)[1];
  return typed !== undefined && /^[a-z][a-z-]{1,19}$/.test(typed) ? typed : UNKNOWN_VERB;
}

/** Whether the request's operation cannot be undone. */
export function isDestructive(action: string): boolean {
  const op = operationOfAction(action);
  return op !== undefined && (DESTRUCTIVE_OPERATIONS as readonly Operation[]).includes(op);
}

/** `*delete* web-03`, or `*delete* 3 servers (web-03, web-04, web-05)`. */
export function describeWhat(
  request: Pick<ApprovalRequest, "action" | "targets"> & Partial<Pick<ApprovalRequest, "commandText">>,
  maxNames = 5,
): Span[] {
  const names = request.targets.map((t) => t.name);
  const verb = verbOf(request.action, request.commandText);
  if (names.length === 1) return md`*${verb}* ${names[0] ?? ""}`;
  const shown = names.slice(0, maxNames).join(", ");
  const more = names.length > maxNames ? ` +${names.length - maxNames} more` : "";
  return md`*${verb}* ${plural(request.targets.length, "server")} (${shown}${more})`;
}

/**
 * The options of a request in operator words, or undefined when it has none worth saying:
 * `forced (hard): unsaved data can be lost`, `new flavor s6.large.2`, `data disks kept · EIPs kept`.
 */
export function describeParameters(
  action: string,
  parameters: Readonly<Record<string, unknown>>,
): Span[] | undefined {
  const p = flowParametersOf(parameters);
  switch (operationOfAction(action)) {
    case "stop":
    case "reboot":
      return p.hard === true ? md`forced (hard): unsaved data can be lost` : md`graceful (soft)`;
    case "resize":
      return p.flavorRef !== undefined ? md`new flavor ${p.flavorRef}` : undefined;
    case "delete":
      return md`data disks ${p.deleteVolume === true ? "deleted too" : "kept"} · EIPs ${
        p.deleteEip === true ? "released too" : "kept"
      }`;
    case "tag":
      return md`add ${codes((p.addTags ?? []).map((t) => `${t.key}=${t.value}`))}`;
    case "untag":
      return md`remove ${codes((p.removeTags ?? []).map((t) => (t.value === undefined ? t.key : `${t.key}=${t.value}`)))}`;
    case "reinstall":
      return md`current image · key pair ${code(p.keyName ?? "?")} (no password) · system disk wiped, data disks kept`;
    case "change-os":
      return md`image ${code(p.imageId ?? "?")} · key pair ${code(p.keyName ?? "?")} (no password) · system disk wiped, data disks kept`;
    case "attach":
      return md`disk ${code(p.volumeId ?? "?")}${p.device !== undefined ? md` as ${code(p.device)}` : md` on the next free device`}`;
    case "detach":
      return md`disk ${code(p.volumeId ?? "?")}${p.device !== undefined ? md` (attached as ${code(p.device)})` : md``}`;
    case "migrate":
      return p.dedicatedHostId !== undefined
        ? md`to dedicated host ${code(p.dedicatedHostId)}`
        : md`back to the public resource pool`;
    default:
      return undefined;
  }
}

/** `a=1`, `b` as inline code, separated by spaces. */
function codes(values: readonly string[]): Span[] {
  return values.flatMap((v, i) => (i === 0 ? [code(v)] : [{ t: "plain" as const, v: " " }, code(v)]));
}

/** `@ops-approvers, @bob` as mentions (groups by ID when known, so Slack notifies their members). */
export function describeApprovers(
  requirement: Pick<ApprovalRequirement, "approvers">,
  groupIds: GroupIds = {},
): Span[] {
  const parts: Span[][] = [
    ...requirement.approvers.groups.map((g) => {
      const id = groupIds[g];
      return id !== undefined ? [groupMention(id, g)] : md`${code(`@${g}`)}`;
    }),
    ...requirement.approvers.users.map((u) => [userMention(u)]),
  ];
  return parts.flatMap((p, i) => (i === 0 ? p : [...md`, `, ...p]));
}

/** `<@bob>, <@carol>` or `nobody yet`. */
export function describeApprovals(request: Pick<ApprovalRequest, "approvals">): Span[] {
  if (request.approvals.length === 0) return md`nobody yet`;
  return request.approvals.flatMap((a, i) =>
    i === 0 ? [userMention(a.userId)] : [...md`, `, userMention(a.userId)],
  );
}

/**
 * Where a pending request stands, for the lists, the Home tab and the approvers' messages: `approvals 1 of 2
 * (@bob) · expires <time>`; a staged one names the stage it waits on, its count and its own expiry:
 * `stage *security* (2 of 2): 0 of 1 (nobody yet) · the stage expires <time>`. Times are Slack date tokens
 * (each reader's local time, the date when it is not today).
 */
export function describeProgress(
  request: Pick<ApprovalRequest, "approvals" | "requirement" | "expiresAt">,
): Span[] {
  const position = currentStage(request);
  if (position !== undefined) {
    const given = approvalsFor(request, position.stage.name);
    return md`stage *${position.stage.name}* (${String(position.index + 1)} of ${String(position.total)}): ${String(
      position.count,
    )} of ${String(position.stage.minApprovals)} (${describeApprovals({ approvals: given })}) · the stage expires ${localTime(request.expiresAt)}`;
  }
  return md`approvals ${String(request.approvals.length)} of ${String(request.requirement.minApprovals)} (${describeApprovals(
    request,
  )}) · expires ${localTime(request.expiresAt)}`;
}

/** `2025-01-02 14:05:00 UTC`: for logs and plain fallbacks; what a person reads uses `localTime`. */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Whether the policy allowed the request outright (no human approval). */
export function isPolicyAllowed(request: Pick<ApprovalRequest, "requirement">): boolean {
  const { users, groups } = request.requirement.approvers;
  return groups.length === 0 && users.length === 1 && users[0] === POLICY_ACTOR;
}

/**
 * How a request expired, the one wording the thread and the approvers' messages share: `after 30m with 0 of 2
 * approvals`; a staged request names the stage that ran out and how long it waited from when it was reached
 * (its own `expires_in`), with what the stages before it got: `at stage *security* (2 of 2): it waited 10m with
 * 0 of 1 approvals (team lead complete)`.
 */
export function describeExpiry(
  request: Pick<ApprovalRequest, "requirement" | "createdAt" | "approvals"> &
    Partial<Pick<ApprovalRequest, "expiresAt">>,
): Span[] {
  const position = currentStage(request);
  if (position === undefined)
    return md`after ${formatDuration(request.requirement.expiresInMs)} with ${String(request.approvals.length)} of ${String(request.requirement.minApprovals)} approvals`;
  const { stage, index, total, count } = position;
  const before = request.requirement.stages?.[index - 1];
  // The stage was reached when the one before it completed (its last approval), or when the request was made.
  const reachedAt =
    before === undefined
      ? request.createdAt
      : Math.max(request.createdAt, ...approvalsFor(request, before.name).map((a) => a.at));
  const waited =
    request.expiresAt !== undefined && request.expiresAt > reachedAt
      ? request.expiresAt - reachedAt
      : stage.expiresInMs;
  const done =
    index > 0
      ? md` (${(request.requirement.stages ?? [])
          .slice(0, index)
          .map((s) => s.name)
          .join(", ")} complete)`
      : md``;
  return md`at stage *${stage.name}* (${String(index + 1)} of ${String(total)}): it waited ${formatDuration(waited)} with ${String(count)} of ${String(stage.minApprovals)} approvals${done}`;
}
