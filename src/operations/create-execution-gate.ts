import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest, RequestSchedule } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { CloudClient } from "../cloud/types.js";
import type { Logger } from "../log/create-logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Policy } from "../policy/types.js";
import { randomText } from "../random/random-text.js";
import type { Message } from "../render/message-model.js";
import { judgeScheduledStart } from "../schedule/resolve-start-time.js";
import type { Clock, Store } from "../store/store.js";
import { buildScheduleMissedReply, scheduleMissedReason } from "../views/build-schedule-views.js";
import { createServerReadMemo, type ServerReadMemo } from "../workflow/create-server-read-memo.js";
import { buildPolicyChangedReply, type PolicyChange, policyChangeText } from "./build-policy-change-view.js";
import { buildServersHeldReply, type HolderShown, serversHeldReason } from "./build-servers-held-view.js";
import { buildStartCheckReply, startCheckReason } from "./build-start-check-view.js";
import { buildStartsSoonReply } from "./build-starts-soon-view.js";
import {
  findRunsHoldingServers,
  holdServers,
  type RunHoldingServers,
  releaseServers,
} from "./hold-servers.js";
import { judgeApprovalTime, judgeStartNow, judgeWindow } from "./judge-start-now.js";
import { readCardLinks } from "./read-card-links.js";
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

/** How long before an approved scheduled change starts its thread says so. */
export const STARTS_SOON_MS = 10 * 60_000;
/** The heads-up's claim; a start the calendar moved (`startsAt` other than `runAt`) has its own. */
const startsSoonClaim = (requestId: string, moved?: number) =>
  moved === undefined ? `startssoon:${requestId}` : `startssoon:${requestId}:${String(moved)}`;

/** May the request be claimed: `false`, or yes with the targets as just read (for the run's first re-check). */
export type GateAnswer = false | { reads?: ServerReadMemo };

/** The gate of approved requests (`createExecutionGate`). */
export interface ExecutionGate {
  /**
   * May the request be claimed: `false` (not now, or never: then it was ended and its thread says why), or
   * yes with the targets as just read. Never throws.
   */
  mayRun(requestId: string): Promise<GateAnswer>;
  /**
   * After the claim, before anything is sent: takes the claimed request's servers for its run (`holdServers`).
   * False when another of the bot's changes holds one (the request is then ended as aborted, nothing sent, and
   * its thread says which change holds them) or when the store failed (left claimed: the adoption pass tries
   * again). Never throws.
   */
  takeServers(request: ApprovalRequest, runId: string): Promise<boolean>;
  /**
   * For a run already started (adopted): takes back its servers' holds where they are free; one another
   * change holds is only logged (the run has sent already and goes on). Never throws.
   */
  retakeServers(request: ApprovalRequest, runId: string): Promise<void>;
  /** Once the run has ended: gives its servers back. Never throws (a hold not given back ends with its run). */
  giveBackServers(request: ApprovalRequest, runId: string): Promise<void>;
}

/**
 * The gate before an approved request is claimed for execution: the policy is decided again on the servers
 * as they are now (`redecideBeforeExecution`). Resolves truthy when the request may be claimed, with the
 * reads the re-decision made (fresh: the run's first re-check may use them instead of reading again). Stricter: the
 * request is revoked (once, whatever the replicas: a CAS), and its card and thread say what changed.
 * Undecided or failed: false, nothing runs now, and the next adoption pass tries again. Before that, a
 * scheduled change starts only in its time (`judgeScheduledStart`), approved before it (`judgeApprovalTime`)
 * and in its window as the calendar has it now (`judgeWindow`); else it lapses, and its thread says why.
 * Then no other of the bot's changes may still be running on any of its servers, whichever replica drives it
 * (their holds, from the store: `findRunsHoldingServers`): the cloud would refuse the second call (`Ecs.0100`,
 * "another task is in progress") or, worse, take it. Held: the request is claimed and ended at once as
 * aborted, nothing sent (the approval record keeps `failed`, as for any run aborted before sending), and its
 * thread says which change holds the servers and to ask again once it has finished. Two approvals passing
 * this check at once are told apart after their claims, by `takeServers`: exactly one takes the servers.
 */
export function createExecutionGate(
  deps: ExecutionGateDeps & {
    store: Pick<Store, "get" | "createIfAbsent" | "compareAndSwap" | "update" | "claimOnce">;
  },
): ExecutionGate {
  const { approvals, logger } = deps;

  /** Ends the approved `request` without running it: `holders` still run on its servers. */
  async function refuseHeld(request: ApprovalRequest, holders: readonly RunHoldingServers[]): Promise<void> {
    const runId = `run_${randomText(12, "base64url")}`;
    const claim = await approvals.claimExecution(request.id, runId);
    if (!claim.ok) {
      logger.info({ approval: request.id, code: claim.code }, "not claimed: another execution has it");
      return;
    }
    await endHeld(request, runId, holders);
  }

  /**
   * Ends the claimed `request` (run `runId`, never started): recorded aborted for its card, then finished with
   * the reason; the thread says who holds its servers. Interrupted before the finish, the adoption pass
   * finishes it from the recorded result, never starts it.
   */
  async function endHeld(
    request: ApprovalRequest,
    runId: string,
    holders: readonly RunHoldingServers[],
  ): Promise<void> {
    const log = logger.child({ approval: request.id, run: runId });
    const chat = deps.chat();
    const links =
      chat === undefined
        ? new Map<string, string>()
        : await readCardLinks(
            chat,
            holders.flatMap((h) =>
              h.message === undefined ? [] : [{ id: h.requestId, message: h.message }],
            ),
            log,
          );
    const shown: HolderShown[] = holders.map((h) => {
      const url = links.get(h.requestId);
      return url === undefined ? h : { ...h, link: url };
    });
    const reason = serversHeldReason(shown);
    // Nothing is ever sent for it: no run record exists, and the approval ends now. The card shows it as aborted.
    try {
      await deps.details.update(request.id, (d) => ({
        ...d,
        runId,
        result: { status: "aborted", summary: reason, notRun: "servers_busy" },
      }));
    } catch (error) {
      log.warn({ err: error }, "could not record the result for the card");
    }
    const finished = await approvals.finishExecution(request.id, runId, "failed", reason);
    if (!finished.ok) log.warn({ code: finished.code }, "could not finish the execution");
    log.info(
      {
        heldBy: holders.map((h) => h.requestId),
        servers: holders.flatMap((h) => h.servers.map((s) => s.id)),
      },
      "not run: another of the bot's changes is still running on its servers",
    );
    await sayInThread(deps, request, buildServersHeldReply(request, shown), log);
    await deps.refreshCard(request.id);
  }

  async function takeServers(request: ApprovalRequest, runId: string): Promise<boolean> {
    try {
      const held = await holdServers(deps, request, runId, deps.clock.now());
      if (held.ok) return true;
      await endHeld(request, runId, held.holders);
      return false;
    } catch (error) {
      // Nothing sent; left claimed without a run, so the adoption pass takes its servers again later.
      logger.error(
        { err: error, approval: request.id, run: runId },
        "could not take the request's servers: not run now",
      );
      return false;
    }
  }

  async function retakeServers(request: ApprovalRequest, runId: string): Promise<void> {
    try {
      const held = await holdServers(deps, request, runId, deps.clock.now());
      if (!held.ok)
        logger.warn(
          { approval: request.id, run: runId, heldBy: held.holders.map((h) => h.requestId) },
          "an adopted run's servers are held by another change: it goes on (it has sent already)",
        );
    } catch (error) {
      logger.warn({ err: error, approval: request.id, run: runId }, "could not take back the run's servers");
    }
  }

  async function giveBackServers(request: ApprovalRequest, runId: string): Promise<void> {
    try {
      await releaseServers(deps, request, runId);
    } catch (error) {
      logger.warn({ err: error, approval: request.id, run: runId }, "could not give the servers back");
    }
  }

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

  /** The scheduled change never runs (`reason`, kept with it); its thread says why (`reply`) and its card. */
  async function lapse(
    request: ApprovalRequest,
    reason: string,
    reply: Message,
    logged: Record<string, unknown>,
  ): Promise<void> {
    const log = logger.child({ approval: request.id });
    const result = await approvals.revoke(request.id, [reason], { lapsed: true });
    if (!result.ok || !result.changed) return;
    log.info(logged, "not run: its time passed, or its window is not open, before it could start");
    await sayInThread(deps, request, reply, log);
    await deps.refreshCard(request.id);
  }

  /**
   * A little before an approved scheduled change starts (`STARTS_SOON_MS`), its thread says so, once whatever
   * the replicas (a claim in the store): not for one approved moments before its start (its approval just
   * said when it runs), nor for one the calendar no longer lets start (its lapse at the start time says why).
   * Its start is as judged now (`judgeStartNow`): a window the calendar moved later within the approved span
   * is said ten minutes before its new opening (and again if it moves again), not before the old one.
   * Best effort: a failure is logged.
   */
  async function startsSoon(request: ApprovalRequest, schedule: RequestSchedule): Promise<void> {
    const now = deps.clock.now();
    const start = judgeStartNow(request, deps.policy(), now);
    if (start?.kind !== "runs") return;
    const startsAt = start.at;
    const approvedAt =
      request.approvals.length > 0 ? Math.max(...request.approvals.map((a) => a.at)) : request.createdAt;
    if (startsAt <= now || startsAt - now > STARTS_SOON_MS || startsAt - approvedAt <= STARTS_SOON_MS) return;
    const log = logger.child({ approval: request.id });
    try {
      const ttl = schedule.startBy - now + STARTS_SOON_MS;
      const moved = startsAt === schedule.runAt ? undefined : startsAt;
      if (!(await deps.store.claimOnce(startsSoonClaim(request.id, moved), ttl))) return;
    } catch (error) {
      log.warn({ err: error }, "could not claim the heads-up before the start");
      return;
    }
    await sayInThread(
      deps,
      request,
      buildStartsSoonReply(request, { ...schedule, runAt: startsAt }, now),
      log,
    );
  }

  async function mayRun(requestId: string): Promise<GateAnswer> {
    try {
      const request = await approvals.get(requestId);
      // Not approved (claimed, finished, gone): the claim refuses it and says why in the log.
      if (request?.status !== "approved") return request !== undefined && {};
      const schedule = request.schedule;
      if (schedule !== undefined) {
        const start = judgeScheduledStart(schedule, deps.clock.now());
        // Not yet: the periodic pass comes back (a little before, the thread is told once). Too late: nothing
        // runs, and the thread says why.
        if (start === "wait") {
          await startsSoon(request, schedule);
          return false;
        }
        if (start === "missed") {
          await lapse(request, scheduleMissedReason(schedule), buildScheduleMissedReply(request, schedule), {
            startBy: schedule.startBy,
          });
          return false;
        }
        // Its time has come; what was approved is a change approved before it, in its window: the window as the
        // calendar has it now (edited since, it may have moved, or open later within the approved span).
        const verdict =
          judgeApprovalTime(request, schedule) ?? judgeWindow(schedule, deps.policy(), deps.clock.now());
        // Its window moved later within the approved span: a little before the new opening, its thread says so.
        if (verdict === "later") {
          await startsSoon(request, schedule);
          return false;
        }
        if (verdict !== "open") {
          await lapse(request, startCheckReason(verdict), buildStartCheckReply(request, verdict), {
            check: verdict.kind,
          });
          return false;
        }
      }
      // Before the re-decision (and its audit record saying it runs): a change that cannot start now never does.
      const holders = await findRunsHoldingServers(deps, request);
      if (holders.length > 0) {
        await refuseHeld(request, holders);
        return false;
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
  }

  return { mayRun, takeServers, retakeServers, giveBackServers };
}

/** Posts `message` in the request's thread; a failure is only logged (the card says it too). */
export async function sayInThread(
  deps: Pick<ExecutionGateDeps, "chat">,
  request: ApprovalRequest,
  message: Message,
  log: Logger,
): Promise<void> {
  const chat = deps.chat();
  const root = request.message;
  if (chat === undefined || root === undefined) return;
  await chat
    .postMessage(root.channel, message, { threadTs: root.threadTs ?? root.ts })
    .catch((error: unknown) => log.warn({ err: error }, "could not say in the thread why it did not run"));
}
