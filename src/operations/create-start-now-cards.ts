import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { Logger } from "../log/create-logger.js";
import { type StartNow, startNowKey } from "./judge-start-now.js";
import type { RequestDetailsStore } from "./request-details.js";

export interface StartNowCardsDeps {
  details: Pick<RequestDetailsStore, "get" | "update">;
  refreshCard: (requestId: string) => Promise<void>;
  logger: Logger;
}

/** Keeps the cards of approved scheduled changes saying when they start now (`createStartNowCards`). */
export interface StartNowCards {
  /**
   * The card of the waiting scheduled change `request` is to say `start` (`judgeStartNow`, as of now): when its
   * details record (`startShown`, what the card says) says otherwise, it is changed and the card drawn again.
   * Never throws (a failure is logged; the next pass tries again).
   */
  sync(request: Pick<ApprovalRequest, "id" | "schedule">, start: StartNow): Promise<void>;
  /** Forgets what it knows of requests not in `waiting` (no longer waiting: never asked about again). */
  keepOnly(waiting: ReadonlySet<string>): void;
}

/**
 * The periodic pass's keeper of what waiting scheduled changes' cards say of their start: the card shows the
 * start kept in the request's details (`startShown`; absent: as asked), so a window the calendar moved is
 * shown once per move, on whichever replica sees it first (the change is a read-modify-write: the replica
 * that finds the record already saying it draws nothing). Cheap: each replica remembers what it last found
 * the record saying, and reads it only for a request it has not seen yet or whose judged start differs.
 */
export function createStartNowCards(deps: StartNowCardsDeps): StartNowCards {
  /** Request ID → the key of the start its details record says (as last read or written here). */
  const known = new Map<string, string>();
  return {
    async sync(request, start) {
      const schedule = request.schedule;
      if (schedule === undefined) return;
      const key = startNowKey(start);
      if (known.get(request.id) === key) return;
      const asAsked = startNowKey({ kind: "runs", at: schedule.runAt });
      const keyOf = (shown: StartNow | undefined) => (shown === undefined ? asAsked : startNowKey(shown));
      const log = deps.logger.child({ approval: request.id });
      try {
        const shown = await deps.details.get(request.id);
        // No details (a record lost): its card shows the approval record only; nothing to keep, nor to read again.
        if (shown === undefined) {
          known.set(request.id, key);
          return;
        }
        if (keyOf(shown.startShown) !== key) {
          let changed = false;
          await deps.details.update(request.id, (d) => {
            changed = keyOf(d.startShown) !== key;
            if (!changed) return d;
            const { startShown: _, ...rest } = d;
            return key === asAsked ? rest : { ...rest, startShown: start };
          });
          if (changed) {
            log.info({ start: key, asked: schedule.runAt }, "the calendar moved its start: the card says so");
            await deps.refreshCard(request.id);
          }
        }
        known.set(request.id, key);
      } catch (error) {
        log.warn({ err: error }, "could not show the scheduled change's start as judged now");
      }
    },
    keepOnly(waiting) {
      for (const id of known.keys()) if (!waiting.has(id)) known.delete(id);
    },
  };
}
