import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { Logger } from "../log/create-logger.js";
import { createOutageLog } from "../log/create-outage-log.js";
import type { Clock } from "../store/store.js";
import { repeatPass, systemTimers, type Timers } from "./timers.js";

export interface ExpirySweeperOptions {
  approvals: Pick<ApprovalService, "expireDue">;
  clock: Clock;
  /** Default 15 s. */
  intervalMs?: number;
  /** Called with the requests this sweep expired (to update their cards). */
  onExpired: (requests: ApprovalRequest[]) => Promise<void>;
  logger: Logger;
  timers?: Pick<Timers, "setInterval" | "clearInterval">;
}

/** Expires due approval requests on an interval (by the injected clock); `sweep()` runs one pass now. */
export interface ExpirySweeper {
  /** Sweeps at once, then on every interval. Idempotent. */
  start(): void;
  /** Stops the interval and waits for a sweep in progress. */
  stop(): Promise<void>;
  /** One pass (joins the one in progress, if any); resolves with the number expired. Never throws. */
  sweep(): Promise<number>;
}

export function createExpirySweeper(options: ExpirySweeperOptions): ExpirySweeper {
  const outage = createOutageLog(options.logger.child({ component: "expiry-sweeper" }), options.clock);
  const loop = repeatPass(
    async () => {
      try {
        const expired = await options.approvals.expireDue(options.clock.now());
        outage.succeeded();
        if (expired.length > 0) {
          options.logger.info({ approvals: expired.map((r) => r.id) }, "approval requests expired");
          await options.onExpired(expired);
        }
        return expired.length;
      } catch (error) {
        if (!outage.failed(error, "requests do not expire"))
          options.logger.error({ err: error }, "expiry sweep failed");
        return 0;
      }
    },
    { intervalMs: options.intervalMs ?? 15_000, timers: options.timers ?? systemTimers },
  );
  return { start: loop.start, stop: loop.stop, sweep: loop.run };
}
