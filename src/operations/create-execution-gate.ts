import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest, RequestSchedule } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { CloudClient } from "../cloud/types.js";
import type { Logger } from "../log/create-logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Policy } from "../policy/types.js";
import { judgeScheduledStart } from "../schedule/resolve-start-time.js";
import type { Clock } from "../store/store.js";
import { buildScheduleMissedReply, scheduleMissedReason } from "../views/build-schedule-views.js";
import { createServerReadMemo, type ServerReadMemo } from "../workflow/create-server-read-memo.js";
import { buildPolicyChangedReply, type PolicyChange, policyChangeText } from "./build-policy-change-view.js";
import { redecideBeforeExecution } from "./redecide-before-execution.js";
import type { RequestDetailsStore } from "./request-details.js";

export interface ExecutionGateDeps {
  policy: () => Policy;
  approvals: ApprovalService;
  details: RequestDetailsStore;
  audit: AuditLog;
  cloud: Pick<CloudClient, "ecs">;
  logger: Logger;
  chat: () => ChatPort | undefined;
  refreshCard: (requestId: string) => Promise<void>;
  /** Judges scheduled changes' times and the calendars at the re-decision; dates the reads it hands on. */
  clock: Clock;
  metrics?: Pick<Metrics, "policyDecision">;
}

/** May the request be claimed: `false`, or yes with the targets as just read (for the run's first re-check). */
export type GateAnswer = false | { reads?: ServerReadMemo };

/**
 * The gate before an approved request is claimed for execution: the policy is decided again on the servers
 * as they are now (`redecideBeforeExecution`). Resolves truthy when the request may be claimed, with the
 * reads the re-decision made (fresh: the run's first re-check may use them instead of reading again). Stricter: the
 * request is revoked (once, whatever the replicas: a CAS), and its card and thread say what changed.
 * Undecided or failed: false, nothing runs now, and the next adoption pass tries again. Never throws.
 */
export function createExecutionGate(deps: ExecutionGateDeps): (requestId: string) => Promise<GateAnswer> {
  const { approvals, logger } = deps;

  async function revoke(request: ApprovalRequest, change: PolicyChange): Promise<void> {
    const log = logger.child({ approval: request.id });
    try {
      await deps.details.update(request.id, (d) => ({
        ...d,
        redecision: { changes: [...change.changes], tightenings: [...change.tightenings] },
      }));
    } catch (error) {
      log.warn({ err: error }, "could not record the policy change for the card");
    }
    const result = await approvals.revoke(request.id, policyChangeText(change, request.action));
    if (!result.ok || !result.changed) {
      log.info({ code: result.ok ? "unchanged" : result.code }, "not revoked here (settled elsewhere)");
      return;
    }
    log.info({ tightenings: change.tightenings.map((t) => t.kind) }, "not run: the policy is stricter now");
    const chat = deps.chat();
    const root = request.message;
    if (chat !== undefined && root !== undefined) {
      await chat
        .postMessage(root.channel, buildPolicyChangedReply(request, change), {
          threadTs: root.threadTs ?? root.ts,
        })
        .catch((error: unknown) =>
          log.warn({ err: error }, "could not say in the thread why it did not run"),
        );
    }
    await deps.refreshCard(request.id);
  }

  async function lapse(request: ApprovalRequest, schedule: RequestSchedule): Promise<void> {
    const log = logger.child({ approval: request.id });
    const result = await approvals.revoke(request.id, [scheduleMissedReason(schedule)], { lapsed: true });
    if (!result.ok || !result.changed) return;
    log.info({ startBy: schedule.startBy }, "not run: its time passed before it could start");
    const chat = deps.chat();
    const root = request.message;
    if (chat !== undefined && root !== undefined) {
      await chat
        .postMessage(root.channel, buildScheduleMissedReply(request, schedule), {
          threadTs: root.threadTs ?? root.ts,
        })
        .catch((error: unknown) =>
          log.warn({ err: error }, "could not say in the thread why it did not run"),
        );
    }
    await deps.refreshCard(request.id);
  }

  return async (requestId) => {
    try {
      const request = await approvals.get(requestId);
      // Not approved (claimed, finished, gone): the claim refuses it and says why in the log.
      if (request?.status !== "approved") return request !== undefined && {};
      if (request.schedule !== undefined) {
        const start = judgeScheduledStart(request.schedule, deps.clock.now());
        // Not yet: quiet, the periodic pass comes back. Too late: nothing runs, and the thread says why.
        if (start === "wait") return false;
        if (start === "missed") {
          await lapse(request, request.schedule);
          return false;
        }
      }
      const channelName = (await deps.details.get(requestId))?.channelName;
      // Taken before the reads: their age is never understated.
      const readAt = deps.clock.now();
      const decided = await redecideBeforeExecution(deps, request, channelName);
      if (decided.kind === "proceed") return { reads: createServerReadMemo(decided.reads, readAt) };
      if (decided.kind === "undecided") {
        logger.warn({ approval: requestId, why: decided.why }, "policy not decided again yet: not run now");
        return false;
      }
      await revoke(request, decided.change);
      return false;
    } catch (error) {
      // Never run without the re-decision and its audit record; the next adoption pass tries again.
      logger.error({ err: error, approval: requestId }, "could not decide the policy again before execution");
      return false;
    }
  };
}
