import type { ApprovalService } from "../approvals/approval-service.js";
import type { Logger } from "../log/create-logger.js";
import { createOutageLog } from "../log/create-outage-log.js";
import { STARTS_SOON_MS } from "../operations/create-execution-gate.js";
import type { Executions } from "../operations/create-executions.js";
import type { StartNowCards } from "../operations/create-start-now-cards.js";
import { judgeStartNow, type StartNow } from "../operations/judge-start-now.js";
import { repeatPass, systemTimers, type Timers } from "../operations/timers.js";
import type { Policy } from "../policy/types.js";
import type { Clock } from "../store/store.js";

export interface PeriodicPassOptions {
  approvals: Pick<ApprovalService, "listByStatus">;
  executions: Pick<Executions, "runApproved" | "isRunning">;
  clock: Clock;
  logger: Logger;
  /**
   * The policy as it is now: each waiting change's start is judged on its calendars (`judgeStartNow`: a window
   * moved since the approval moves the start), for the heads-up and the cards. Absent: the approved time.
   */
  policy?: () => Pick<Policy, "calendars">;
  /** Keeps the waiting changes' cards saying when they start now (needs `policy`). Absent: not kept. */
  cards?: Pick<StartNowCards, "sync" | "keepOnly">;
  /** Default 5 s: how late after its time a scheduled change starts at most (with a live replica). */
  intervalMs?: number;
  timers?: Pick<Timers, "setInterval" | "clearInterval">;
}

/** Starts the scheduled changes that are due, on every replica; the claim decides which one runs each. */
export interface PeriodicPass {
  /** Runs a pass now, then on every interval. Idempotent. */
  start(): void;
  /** Stops the interval and waits for a pass in progress. */
  stop(): Promise<void>;
  /** One pass now (joins the one in progress); resolves with the number of due changes handed to the executor. */
  run(): Promise<number>;
}

/**
 * The pass that starts scheduled changes (`--at`, `--window`): every approved request whose time has come goes
 * through `runApproved`, whose gate judges the time (a window closed: not run, the thread says so), decides the
 * policy again at that time and checks drift, and whose claim lets exactly one replica execute it. Every replica
 * runs this pass, so a change starts on time while any replica lives; the store holds the schedule, so it
 * survives restarts. A change starting within `STARTS_SOON_MS` goes through the gate once per replica before
 * its time too, which says so in its thread (once, whatever the replicas). "Its time" is when it starts as
 * judged now (`judgeStartNow`): a window the calendar moved later within the approved span moves the heads-up
 * with it, and the card says the new time (`cards`, once per move). Never throws.
 */
export function createPeriodicPass(options: PeriodicPassOptions): PeriodicPass {
  // Every 5 s while the store is down: said once as it starts and once as it ends, not with a stack each time.
  const outage = createOutageLog(options.logger, options.clock);
  /**
   * Changes starting soon this replica has handed to the gate once, by start (`announcedKey`): a start moved
   * later is handed again (the heads-up is claimed in the store).
   */
  const announced = new Set<string>();
  return repeatPass(
    async () => {
      try {
        const now = options.clock.now();
        const waiting = (await options.approvals.listByStatus("approved")).filter(
          (r) => r.schedule !== undefined && !options.executions.isRunning(r.id),
        );
        const due = waiting.filter((r) => (r.schedule?.runAt ?? 0) <= now);
        for (const request of due) void options.executions.runApproved(request.id);
        const policy = options.policy?.();
        const starts = new Map<string, StartNow | undefined>(
          waiting.map((r) => [r.id, policy === undefined ? undefined : judgeStartNow(r, policy, now)]),
        );
        /** When it starts as judged now: undefined when it never will (its time ends it, and says why). */
        const startOf = (r: (typeof waiting)[number]): number | undefined => {
          const start = starts.get(r.id);
          return start === undefined ? r.schedule?.runAt : start.kind === "runs" ? start.at : undefined;
        };
        // The cards of those still to come say when they start now; a due one is the gate's to end or start.
        const cards = options.cards;
        if (cards !== undefined)
          await Promise.all(
            waiting.map(async (r) => {
              const start = starts.get(r.id);
              if (start === undefined) return;
              const ahead = (r.schedule?.runAt ?? 0) > now || (start.kind === "runs" && start.at > now);
              if (ahead) await cards.sync(r, start);
            }),
          );
        // Starting soon: the gate says so in the thread, once (not counted: nothing is started). Awaited, so
        // the pass at its time never finds it still in the gate. A due one (its window moved later) is in the
        // gate already, which says so then.
        const soon = waiting.filter((r) => {
          const at = startOf(r);
          return (
            at !== undefined &&
            (r.schedule?.runAt ?? 0) > now &&
            at - STARTS_SOON_MS <= now &&
            !announced.has(announcedKey(r.id, at))
          );
        });
        for (const request of soon) announced.add(announcedKey(request.id, startOf(request) ?? 0));
        await Promise.all(soon.map((r) => options.executions.runApproved(r.id)));
        const stillWaiting = new Set(waiting.map((r) => r.id));
        for (const key of announced) if (!stillWaiting.has(key.split("@")[0] ?? "")) announced.delete(key);
        cards?.keepOnly(stillWaiting);
        outage.succeeded();
        if (due.length > 0) options.logger.info({ approvals: due.map((r) => r.id) }, "scheduled changes due");
        return due.length;
      } catch (error) {
        if (!outage.failed(error, "could not look for scheduled changes that are due"))
          options.logger.warn({ err: error }, "could not look for scheduled changes that are due");
        return 0;
      }
    },
    { intervalMs: options.intervalMs ?? 5_000, timers: options.timers ?? systemTimers },
  );
}

/** A change starting soon at `at`, as remembered by the pass. */
function announcedKey(requestId: string, at: number): string {
  return `${requestId}@${String(at)}`;
}
