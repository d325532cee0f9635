import type { ChatPort } from "../app/ports.js";
import { abortUpdate, writeUpdate } from "../store/store.js";
import { createCloudTargetLookup } from "../targets/index.js";
import { buildScheduleMissedView } from "../views/build-scheduled-run-views.js";
import { slotsBetween } from "./parse-schedule-timing.js";
import {
  postInChannel,
  recordScheduleSkipped,
  runScheduleSlot,
  SLOT_CLAIM_TTL_MS,
  type SlotResult,
  type SlotRunContext,
} from "./run-schedule-slot.js";
import { DEFAULT_MISSED_RUN_GRACE_MS, type ScheduleDeps } from "./schedule-deps.js";
import { readSchedule, SCHEDULES_SET, type Schedule, scheduleKey, slotKey } from "./schedule-record.js";

/** Statuses of a creation request that will never make its schedule active. */
const REFUSED = new Set(["rejected", "cancelled", "expired", "revoked", "failed", "outcome_unknown"]);

export interface ScheduleRunnerOptions {
  /** This process among the replicas (written on the slots it claims). */
  replicaId: string;
  /** How late the latest missed slot may still run. Default 10 minutes. */
  graceMs?: number;
}

/**
 * The periodic pass of the recurring schedules (see `src/recurring/README.md`): for every active schedule, the
 * slots since the last one handled. The newest slot is claimed in the store (`schedslot:<id>@<slot ISO>`,
 * created once whatever the replicas), so one replica handles it; the slots before it were missed (no replica
 * ran them at their time) and are reported in one message, never run late. The newest runs only if it is
 * within the grace; its run finds the command's servers (selectors again; servers named exactly are the ones
 * approved, by ID), decides the policy as the owner at the slot and runs only within what was approved (same
 * command, the approved servers, at most `maxTargets` servers, a decision no stricter than the command's at
 * approval), through the exactly-once execution path. Never throws.
 */
export function createScheduleRunner(deps: ScheduleDeps, options: ScheduleRunnerOptions) {
  const graceMs = options.graceMs ?? DEFAULT_MISSED_RUN_GRACE_MS;
  const logger = deps.logger.child({ component: "schedules" });
  const lookup = createCloudTargetLookup(deps.cloud.ecs);
  const ctx: SlotRunContext = { deps, logger, lookup };

  /** Records the slot as handled (monotonic) and what happened at it. */
  async function recordSlot(id: string, slotAt: number, lastRun?: SlotResult): Promise<void> {
    await deps.store.update<Schedule, "gone">(
      scheduleKey(id),
      (current) => {
        if (current === undefined) return abortUpdate("gone");
        const s = current.value;
        return writeUpdate(
          {
            ...s,
            lastSlotAt: Math.max(s.lastSlotAt ?? 0, slotAt),
            ...(lastRun !== undefined && { lastRun }),
          },
          {},
        );
      },
      { retries: 20 },
    );
  }

  /** A schedule whose creation request ended without approval (rejected, expired…) is removed. */
  async function forgetIfRefused(s: Schedule): Promise<void> {
    const request = await deps.approvals.get(s.requestId);
    const status = request?.status;
    if (status !== undefined && !REFUSED.has(status)) return;
    await deps.store.delete(scheduleKey(s.id));
    await deps.store.removeFromSet(SCHEDULES_SET, s.id);
    logger.info(
      { schedule: s.id, request: s.requestId, status },
      "schedule removed: its request was not approved",
    );
  }

  /** The slots of one schedule due now; resolves with how many this replica handled. */
  async function handle(chat: ChatPort, id: string, now: number): Promise<number> {
    const s = await readSchedule(deps.store, id);
    if (s?.status === "pending") await forgetIfRefused(s);
    if (s?.status !== "active") return 0;
    const after = s.lastSlotAt ?? s.activatedAt ?? s.createdAt;
    const { slots, truncated } = slotsBetween(s, after, now);
    const latest = slots.at(-1);
    if (latest === undefined) return 0;
    const claimed = await deps.store.createIfAbsent(
      slotKey(id, latest),
      { claimedAt: now, replica: options.replicaId },
      { ttlMs: SLOT_CLAIM_TTL_MS },
    );
    if (!claimed) return 0;
    // Recorded before the run, so a pass that starts meanwhile does not see these slots again.
    await recordSlot(id, latest);
    const recent = now - latest <= graceMs;
    const missed = recent ? slots.slice(0, -1) : slots;
    if (missed.length > 0) {
      await recordScheduleSkipped(deps, s, `${missed.length} slot(s) missed while the bot was not running`, {
        scheduleId: id,
        why: "missed",
        count: missed.length,
        truncated,
        first: new Date(missed[0] ?? latest).toISOString(),
        last: new Date(missed.at(-1) ?? latest).toISOString(),
      });
      await postInChannel(
        ctx,
        chat,
        s.channel,
        buildScheduleMissedView({
          schedule: { id, commandLine: s.commandLine },
          missed,
          truncated,
          runsLatest: recent,
          latest,
          graceMs,
        }),
      );
    }
    let result: SlotResult;
    if (recent) {
      try {
        result = await runScheduleSlot(ctx, chat, s, latest);
      } catch (error) {
        logger.error({ err: error, schedule: id, slot: latest }, "scheduled run failed to start");
        result = {
          slotAt: latest,
          result: "skipped",
          why: "the run could not be started (see the bot's log)",
        };
      }
    } else {
      result = { slotAt: latest, result: "missed", why: "the bot was not running" };
    }
    await recordSlot(id, latest, result);
    return 1;
  }

  return {
    /** One pass now: every active schedule's due slot; resolves with the number of slots handled here. */
    async runDue(): Promise<number> {
      const chat = deps.chat();
      if (chat === undefined) return 0;
      const now = deps.clock.now();
      let handled = 0;
      let ids: string[];
      try {
        ids = await deps.store.members(SCHEDULES_SET);
      } catch (error) {
        logger.warn({ err: error }, "could not list the schedules");
        return 0;
      }
      for (const id of ids) {
        try {
          handled += await handle(chat, id, now);
        } catch (error) {
          logger.warn({ err: error, schedule: id }, "could not handle the schedule's slot");
        }
      }
      return handled;
    },
  };
}
