import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createExpirySweeper } from "../../src/operations/create-expiry-sweeper.js";
import { createManualTime, flush } from "./manual-time.js";

describe("createExpirySweeper", () => {
  it("sweeps at start and on every interval by the injected clock, and hands over what it expired", async () => {
    const time = createManualTime(5_000);
    const asked: number[] = [];
    const handed: string[][] = [];
    const sweeper = createExpirySweeper({
      approvals: {
        expireDue: async (now?: number) => {
          asked.push(now ?? -1);
          return now !== undefined && now >= 7_000 ? [{ id: `apr_${now}` } as ApprovalRequest] : [];
        },
      },
      clock: time.clock,
      intervalMs: 1_000,
      logger: pino({ level: "silent" }),
      timers: time.timers,
      onExpired: async (requests) => {
        handed.push(requests.map((r) => r.id));
      },
    });
    sweeper.start();
    sweeper.start();
    await flush();
    expect(asked).toEqual([5_000]);
    await time.advance(2_000);
    expect(asked).toEqual([5_000, 6_000, 7_000]);
    expect(handed).toEqual([["apr_7000"]]);
    await sweeper.stop();
    await time.advance(5_000);
    expect(asked).toHaveLength(3);
    expect(await sweeper.sweep()).toBe(1);
  });

  it("a failing sweep is logged, not thrown, and the next one runs", async () => {
    const time = createManualTime();
    let calls = 0;
    const sweeper = createExpirySweeper({
      approvals: {
        expireDue: async () => {
          calls++;
          throw new Error("store down");
        },
      },
      clock: time.clock,
      intervalMs: 10,
      logger: pino({ level: "silent" }),
      timers: time.timers,
      onExpired: async () => {},
    });
    expect(await sweeper.sweep()).toBe(0);
    expect(await sweeper.sweep()).toBe(0);
    expect(calls).toBe(2);
  });
});
