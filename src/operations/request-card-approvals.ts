/** The approval card's approvals line, or its stages a line each (see `buildRequestCard`). */
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { approvalsFor, currentStage } from "../approvals/current-stage.js";
import { code, localTime, md, type Span, userMention } from "../render/message-model.js";
import { describeApprovals, describeApprovers, type GroupIds } from "./describe-request.js";

/** `*Approvals: 0 of 2* from @ops-approvers (not @alice) · approved by: nobody yet`. */
export function approvalLine(request: ApprovalRequest, groupIds: GroupIds): Span[] {
  return [...countLine(request, groupIds), ...lapsedLines(request)];
}

function countLine(request: ApprovalRequest, groupIds: GroupIds): Span[] {
  const req = request.requirement;
  if (req.stages !== undefined) return stageLines(request, req.stages, groupIds);
  const who = describeApprovers(req, groupIds);
  const notSelf = req.allowSelfApproval ? md`` : md` (not ${userMention(request.requester.userId)})`;
  const given = request.approvals.length;
  if (request.status === "pending") {
    return md`*Approvals: ${String(given)} of ${String(req.minApprovals)}* from ${who}${notSelf} · approved by: ${describeApprovals(request)}`;
  }
  if (given === 0) return md`*Approvals:* ${String(given)} of ${String(req.minApprovals)}`;
  return md`*Approved by* ${describeApprovals(request)} (${String(given)} of ${String(req.minApprovals)})`;
}

/**
 * A staged request: a line per stage, in order, with its count, its approvers and who approved it:
 * `:white_check_mark: 1. team lead: 1 of 1, approved by @bob` / `:arrow_right: 2. security: 0 of 1 from @sre`.
 */
function stageLines(
  request: ApprovalRequest,
  stages: NonNullable<ApprovalRequest["requirement"]["stages"]>,
  groupIds: GroupIds,
): Span[] {
  const waiting = request.status === "pending" ? currentStage(request)?.index : undefined;
  const lines = stages.map((stage, index) => {
    const given = approvalsFor(request, stage.name);
    const done = given.length >= stage.minApprovals;
    const icon = done
      ? md`:white_check_mark:`
      : index === waiting
        ? md`:arrow_right:`
        : md`:white_small_square:`;
    const by =
      given.length > 0
        ? md`, approved by ${describeApprovals({ approvals: given })}`
        : md` from ${describeApprovers(stage, groupIds)}`;
    const notSelf =
      stage.allowSelfApproval || given.length > 0
        ? md``
        : md` (not ${userMention(request.requester.userId)})`;
    return md`${icon} ${String(index + 1)}. ${stage.name}: ${String(given.length)} of ${String(stage.minApprovals)}${by}${notSelf}`;
  });
  const head =
    waiting !== undefined
      ? md`*Approval in ${String(stages.length)} stages*, now: ${stages[waiting]?.name ?? ""}`
      : md`*Approval in ${String(stages.length)} stages*`;
  return [...head, ...lines.flatMap((l) => [...md`\n`, ...l])];
}

/**
 * The approvals that stopped counting, a line each, after the count: the approval that would have completed it
 * judged them again and their approvers no longer qualified. In the words of the re-decision before execution
 * (`build-policy-change-view.ts`), the groups named, not mentioned: `:warning: The approval of @bob for team
 * lead no longer counts: they were no longer among its approvers at <time> (it asked `@ops-approvers`)`.
 */
function lapsedLines(request: ApprovalRequest): Span[] {
  const stages = request.requirement.stages;
  return (request.lapsedApprovals ?? []).flatMap((lapsed) => {
    const stage = stages?.find((s) => s.name === lapsed.stage);
    const asked = (stage ?? request.requirement).approvers.groups.map((g) => `@${g}`);
    const whose = md`The approval of ${userMention(lapsed.userId)}${lapsed.stage !== undefined ? md` for ${lapsed.stage}` : md``}`;
    const why =
      lapsed.reason === "self_approval"
        ? md`the requester may not approve it now`
        : stages !== undefined && stage === undefined
          ? md`its stage is no longer asked for`
          : asked.length > 0
            ? md`they were no longer among its approvers at ${localTime(lapsed.lapsedAt)} (it asked ${code(asked.join(", "))})`
            : md`they were no longer among its approvers at ${localTime(lapsed.lapsedAt)}`;
    return md`\n:warning: ${whose} no longer counts: ${why}`;
  });
}
