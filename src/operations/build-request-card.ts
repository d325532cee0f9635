import type { ApprovalRequest } from "../approvals/approval-request.js";
import { formatDuration } from "../config/parse-duration.js";
import {
  type Action,
  actions,
  button,
  code,
  context,
  list,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { formatElapsed, plural } from "../workflow/format-flow-text.js";
import { preflightMessageParts } from "../workflow/preflight-message-parts.js";
import { approvalActionId } from "./approval-action-ids.js";
import {
  describeApprovals,
  describeApprovers,
  describeParameters,
  describeWhat,
  formatTime,
  verbOf,
} from "./describe-request.js";
import type { RequestDetails } from "./request-details.js";

export interface RequestCardInput {
  request: ApprovalRequest;
  /** Absent when the details record is missing: the card then shows the approval record only. */
  details: RequestDetails | undefined;
}

/** Most rules a card lists (a context block holds 10 elements). */
const MAX_RULES = 9;

/**
 * The root message of a request's thread, for every state it can be in: the approval card (who asked, the
 * exact targets with names and IDs, the parameters, the preflight, the policy rules, approvals so far, the
 * expiry, and Approve / Reject / Cancel while pending), or the announcement of a request the policy allowed;
 * then the final state (rejected with the reason, cancelled, expired, running, finished with the result).
 * Buttons carry only the request ID. Pure.
 */
export function buildRequestCard(input: RequestCardInput): Message {
  const { request, details } = input;
  const kind = details?.kind ?? "approval";
  const blocks: Part[] = [];
  const what = describeWhat(request);

  blocks.push(section({ text: headline(request, details) }));
  blocks.push(
    context(
      md`${userMention(request.requester.userId)} ran ${code(request.commandText)}`,
      md`request ${code(request.id)}`,
    ),
  );
  blocks.push(section({ text: md`*Targets* (${plural(request.targets.length, "server")}):` }));
  blocks.push(
    list(
      request.targets.map((t) => ({
        status: t.status,
        title: t.name,
        subtitle: md`${code(t.id)} · ${code(t.flavor)}`,
      })),
    ),
  );
  blocks.push(context(md`*Parameters:* ${describeParameters(request.action, request.parameters)}`));
  if (details) blocks.push(...preflightMessageParts(details.preflight));

  const rules = details?.rules ?? request.ruleIds.map((id) => ({ id, description: "", source: "" }));
  if (rules.length > 0) {
    blocks.push(
      context(
        ...rules.slice(0, MAX_RULES).map((r, i) => {
          const label = i > 0 ? md`` : kind === "allowed" ? md`*Allowed by policy:* ` : md`*Policy:* `;
          const source = r.source !== "" ? md` (${r.source})` : md``;
          return md`${label}${code(r.id)} ${r.description}${source}`;
        }),
      ),
    );
  }

  if (kind === "approval") {
    const req = request.requirement;
    blocks.push(
      section({
        text: md`*Approvals:* ${String(request.approvals.length)} of ${String(req.minApprovals)} — ${describeApprovals(
          request,
        )}\n*Approvers:* ${describeApprovers(req)}${req.allowSelfApproval ? md`` : md` (not the requester)`}`,
      }),
    );
    if (request.status === "pending") {
      blocks.push(
        context(
          md`Expires ${formatTime(request.expiresAt)} (${formatDuration(req.expiresInMs)} after the request)`,
          req.reasonRequired ? md`Rejecting needs a reason` : md`Rejecting needs no reason`,
        ),
      );
    }
  }

  const outcome = outcomeText(request, details);
  if (outcome) blocks.push(section({ text: outcome }));

  if (kind === "approval" && request.status === "pending") {
    blocks.push(actions(...cardButtons(request)));
  }

  return { text: [...fallbackLead(request, details), ...md` `, ...what], blocks };
}

/** Approve / Reject / Cancel for one request; `index` makes the IDs unique in a list of requests. */
export function cardButtons(
  request: Pick<ApprovalRequest, "id" | "action" | "targets">,
  index = 0,
  which: { approve?: boolean; reject?: boolean; cancel?: boolean } = {},
): Action[] {
  const show = { approve: true, reject: true, cancel: true, ...which };
  const out: Action[] = [];
  const verb = verbOf(request.action);
  if (show.approve) {
    out.push(
      button({
        id: approvalActionId("approve", index),
        label: "Approve",
        value: request.id,
        style: "primary",
        ...(verb === "delete" && {
          confirm: {
            title: "Approve deletion?",
            text: md`Deleting ${plural(request.targets.length, "server")} cannot be undone.`,
            confirm: "Approve",
            deny: "Back",
          },
        }),
      }),
    );
  }
  if (show.reject)
    out.push(
      button({ id: approvalActionId("reject", index), label: "Reject", value: request.id, style: "danger" }),
    );
  if (show.cancel)
    out.push(button({ id: approvalActionId("cancel", index), label: "Cancel request", value: request.id }));
  return out;
}

function headline(request: ApprovalRequest, details: RequestDetails | undefined): Span[] {
  const who = userMention(request.requester.userId);
  const what = describeWhat(request);
  const allowed = details?.kind === "allowed";
  switch (request.status) {
    case "pending":
      return allowed
        ? md`:arrow_forward: *Allowed by policy:* ${who} asked to ${what} — starting`
        : md`:lock: *Approval needed:* ${who} asks to ${what}`;
    case "approved":
      return allowed
        ? md`:arrow_forward: *Allowed by policy:* ${who} asked to ${what} — starting`
        : md`:white_check_mark: *Approved:* ${who} asked to ${what} — starting`;
    case "executing":
      return md`:hourglass_flowing_sand: *Running:* ${who} asked to ${what} — progress in the thread`;
    case "succeeded":
      return md`:white_check_mark: *Done:* ${who} asked to ${what}`;
    case "failed":
      return md`:x: *Failed:* ${who} asked to ${what}`;
    case "outcome_unknown":
      return md`:grey_question: *Finished, outcome unknown:* ${who} asked to ${what}`;
    case "rejected":
      return md`:no_entry_sign: *Rejected:* ${who} asked to ${what}`;
    case "cancelled":
      return md`:heavy_multiplication_x: *Cancelled:* ${who} asked to ${what}`;
    case "expired":
      return md`:hourglass: *Expired:* ${who} asked to ${what}`;
    case "revoked":
      return md`:no_entry: *Not run, the policy changed:* ${who} asked to ${what}`;
  }
}

function fallbackLead(request: ApprovalRequest, details: RequestDetails | undefined): Span[] {
  if (request.status === "pending" && details?.kind !== "allowed") return md`Approval needed:`;
  return md`${request.status.replace("_", " ")}:`;
}

function outcomeText(request: ApprovalRequest, details: RequestDetails | undefined): Span[] | undefined {
  switch (request.status) {
    case "rejected": {
      const r = request.rejection;
      if (!r) return md`Rejected. Nothing was done.`;
      return r.reason
        ? md`Rejected by ${userMention(r.userId)}: ${r.reason}\nNothing was done.`
        : md`Rejected by ${userMention(r.userId)}. Nothing was done.`;
    }
    case "cancelled":
      return request.cancellation
        ? md`Cancelled by ${userMention(request.cancellation.userId)}. Nothing was done.`
        : md`Cancelled. Nothing was done.`;
    case "expired":
      return md`Expired at ${formatTime(request.expiredAt ?? request.expiresAt)} without enough approvals. Nothing was done; ask again if it is still needed.`;
    case "revoked":
      return [
        ...md`Checked again before running, the policy is stricter now:`,
        ...(request.revocation?.reasons ?? []).flatMap((r) => md`\n• ${r}`),
        ...md`\nNothing was done. Ask again to get the approvals it needs now: ${code(request.commandText)}`,
      ];
    case "executing":
      return md`Running since ${formatTime(request.execution?.startedAt ?? request.createdAt)}; the thread follows the job.`;
    case "succeeded":
    case "failed":
    case "outcome_unknown": {
      const result = details?.result;
      const error = request.execution?.error ?? details?.executionError;
      const took = result?.durationMs !== undefined ? md` in ${formatElapsed(result.durationMs)}` : md``;
      if (result) {
        const note =
          result.status === "aborted"
            ? md` — aborted: the servers changed since approval, nothing was changed`
            : result.status === "outcome_unknown"
              ? md` — check the servers before retrying`
              : md``;
        return md`*Result:* ${result.summary}${took}${note} (details in the thread)`;
      }
      return error !== undefined
        ? md`*Result:* ${request.status}: ${error}`
        : md`*Result:* ${request.status}`;
    }
    default:
      return undefined;
  }
}
