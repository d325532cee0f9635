import { describe, expect, it } from "vitest";
import { createManualClock, startCloudSimulator } from "../../../src/sandbox/cloud/index.js";
import { call, type Row } from "./sim-client.js";

const DAY = 86_400_000;
const T = Date.UTC(2030, 5, 1, 12, 0, 0);

async function scanTimes(recentScanTasks: boolean | undefined): Promise<number[]> {
  const clock = createManualClock(T);
  const sim = await startCloudSimulator({
    clock,
    ...(recentScanTasks !== undefined ? { recentScanTasks } : {}),
  });
  try {
    const times = async () => {
      const res = await call(sim, "GET", `/v5/${sim.projectId}/vulnerability/scan-tasks`, {
        query: { limit: 200 },
      });
      return (res.json.data_list as Row[]).flatMap((t) =>
        [t.start_time as number, t.end_time as number].filter((x) => x > 0),
      );
    };
    const first = await times();
    // A reset builds the world again: the tasks lead up to the clock's now then.
    clock.advance(3 * DAY);
    sim.control.reset();
    return [...first, ...(await times()).map((x) => x - 3 * DAY)];
  } finally {
    await sim.close();
  }
}

describe("recentScanTasks", () => {
  it("seeds the scan tasks in the two days before the clock's now, at start and on reset", async () => {
    const times = await scanTimes(true);
    expect(times.length).toBeGreaterThanOrEqual(10);
    for (const at of times) {
      expect(at).toBeGreaterThanOrEqual(T - 2 * DAY);
      expect(at).toBeLessThanOrEqual(T);
    }
  });

  it("by default keeps the fixed instant of the world, whatever the clock (same seed, same world)", async () => {
    for (const at of await scanTimes(undefined)) expect(at).toBeLessThan(Date.UTC(2026, 0, 1));
  });
});
