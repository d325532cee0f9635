import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalRequirement } from "../policy/types.js";
import { code, md, type Span, userMention } from "../render/message-model.js";
import { plural } from "../workflow/format-flow-text.js";
import { flowParametersOf, operationOfAction } from "./to-operation-request.js";

/** The approver of policy-allowed requests (they run without a human approval). */
export const POLICY_ACTOR = "system:policy";

/** Short, untrusted-safe pieces describing a request; shared by the card and the lists. */

/** `delete` for `ecs:cloudServers:delete`. */
export function verbOf(action: string): string {
  return operationOfAction(action) ?? action;
}

/** `*delete* 2 servers (web-03, web-04)`. */
export function describeWhat(request: Pick<ApprovalRequest, "action" | "targets">, maxNames = 5): Span[] {
  const names = request.targets.map((t) => t.name);
  const shown = names.slice(0, maxNames).join(", ");
  const more = names.length > maxNames ? ` +${names.length - maxNames} more` : "";
  return md`*${verbOf(request.action)}* ${plural(request.targets.length, "server")} (${shown}${more})`;
}

/** The parameters in words, e.g. `soft stop`, `new flavor s6.large.2`, `data disks kept · EIPs kept`. */
export function describeParameters(action: string, parameters: Readonly<Record<string, unknown>>): Span[] {
  const p = flowParametersOf(parameters);
  switch (operationOfAction(action)) {
    case "stop":
    case "reboot":
      return p.hard === true ? md`${code("--hard")} (forced)` : md`soft (graceful)`;
    case "resize":
      return p.flavorRef !== undefined ? md`new flavor ${code(p.flavorRef)}` : md`no flavor given`;
    case "delete":
      return md`data disks ${p.deleteVolume === true ? "deleted" : "kept"} · EIPs ${
        p.deleteEip === true ? "released" : "kept"
      }`;
    default:
      return md`none`;
  }
}

/** `members of ops-approvers, @bob`. */
export function describeApprovers(requirement: Pick<ApprovalRequirement, "approvers">): Span[] {
  const parts: Span[][] = [
    ...requirement.approvers.groups.map((g) => md`members of ${code(`@${g}`)}`),
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

/** `2025-01-02 14:05:00 UTC`. */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Whether the policy allowed the request outright (no human approval). */
export function isPolicyAllowed(request: Pick<ApprovalRequest, "requirement">): boolean {
  const { users, groups } = request.requirement.approvers;
  return groups.length === 0 && users.length === 1 && users[0] === POLICY_ACTOR;
}
