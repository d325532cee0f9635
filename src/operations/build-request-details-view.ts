import type { ApprovalRequest } from "../approvals/approval-request.js";
import {
  code,
  context,
  list,
  localTime,
  type Message,
  md,
  type Part,
  section,
  userMention,
} from "../render/message-model.js";
import { typeable } from "../views/format-values.js";
import { preflightMessageParts } from "../workflow/preflight-message-parts.js";
import { policyChangeLines } from "./build-policy-change-view.js";
import {
  describeApprovals,
  describeApprovers,
  describeParameters,
  describeWhat,
  type GroupIds,
} from "./describe-request.js";
import type { RequestDetails } from "./request-details.js";

/** Most rules listed (a context block holds 10 elements). */
const MAX_RULES = 9;

/**
 * Everything the short card leaves out, for whoever clicks Details: the command as typed, each target with its
 * ID and tags, the full preflight (current → end state, disks and EIPs, HSS posture), the policy rules with
 * their descriptions and where they are written, the approvers and the approvals so far. Pure.
 */
export function buildRequestDetailsView(
  request: ApprovalRequest,
  details: RequestDetails | undefined,
  groupIds: GroupIds = {},
): Message {
  const blocks: Part[] = [
    section({
      text: md`*Details:* ${userMention(request.requester.userId)} asked to ${describeWhat(request)}\n${code(request.commandText)} · request ${code(request.id)} · ${localTime(request.createdAt)}`,
    }),
    list(
      request.targets.map((t) => {
        const tags = Object.entries(t.tags ?? {}).map(([k, v]) => (v === "" ? k : `${k}=${v}`));
        return {
          status: t.status,
          title: typeable(t.name),
          subtitle: md`${code(t.id)} · ${t.flavor} · tags: ${tags.length > 0 ? tags.join(", ") : "none"}`,
        };
      }),
    ),
  ];
  const options = describeParameters(request.action, request.parameters);
  if (options !== undefined) blocks.push(context(md`*Options:* ${options}`));
  if (details !== undefined) blocks.push(...preflightMessageParts(details.preflight));
  if (details?.redecision !== undefined) {
    blocks.push(
      section({
        text: [
          ...md`*Checked again before running:*`,
          ...policyChangeLines(details.redecision, request.action, { request }).flatMap((line) => [
            ...md`\n• `,
            ...line,
          ]),
        ],
      }),
    );
  }
  const rules = details?.rules ?? request.ruleIds.map((id) => ({ id, description: "", source: "" }));
  if (rules.length > 0) {
    blocks.push(
      context(
        ...rules
          .slice(0, MAX_RULES)
          .map(
            (r, i) =>
              md`${i === 0 ? md`*Policy:* ` : md``}${code(r.id)} ${r.description}${r.source !== "" ? md` (${r.source})` : md``}`,
          ),
      ),
    );
  }
  if (details?.kind !== "allowed") {
    const req = request.requirement;
    blocks.push(
      context(
        md`*Approvers:* ${describeApprovers(req, groupIds)}${req.allowSelfApproval ? md`` : md`, not the requester`} · *approved by:* ${describeApprovals(request)} · expires ${localTime(request.expiresAt)}`,
      ),
    );
  }
  return { text: md`Details of ${request.commandText}`, blocks };
}
