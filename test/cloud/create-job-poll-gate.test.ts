import { describe, expect, it } from "vitest";
import { createJobPollGate } from "../../src/cloud/create-job-poll-gate.js";
import type { EcsApi, Job } from "../../src/cloud/types.js";
import { waitForJob } from "../../src/cloud/wait-for-job.js";
import { createVirtualTime } from "./helpers/create-virtual-time.js";

/** Jobs finishing at given times; every `getJob` is counted (per job, with its time). */
function fakeJobs(finishAt: Map<string, number>, time: { now: () => number }) {
  const polls: { jobId: string; at: number }[] = [];
  const ecs = {
    async getJob(jobId: string): Promise<Job> {
      polls.push({ jobId, at: time.now() });
      const done = time.now() >= (finishAt.get(jobId) ?? Number.POSITIVE_INFINITY);
      const job: Job = {
        jobId,
        jobType: "batchStopServers",
        status: done ? "SUCCESS" : "RUNNING",
        subJobs: [],
      };
      return job;
    },
    getServer: async () => {
      throw new Error("not used");
    },
  } as unknown as Pick<EcsApi, "getJob" | "getServer">;
  return { ecs, polls };
}

describe("createJobPollGate", () => {
  it("sees a finished job within 2 s under a minute and 5 s after, at most 30 polls a minute per job", async () => {
    const time = createVirtualTime();
    const gate = createJobPollGate({ now: time.now, sleep: time.sleep });
    const finishAt = new Map([
      ["short", 17_300],
      ["long", 143_100],
    ]);
    const { ecs, polls } = fakeJobs(finishAt, time);
    const seen = new Map<string, number>();
    for (const jobId of finishAt.keys())
      void waitForJob({ ecs, jobId, gate, now: time.now, sleep: time.sleep }).then(() =>
        seen.set(jobId, time.now()),
      );
    await time.run(10 * 60_000);
    expect(seen.get("short")! - 17_300).toBeLessThanOrEqual(2_000);
    expect(seen.get("long")! - 143_100).toBeLessThanOrEqual(5_000);
    for (const jobId of finishAt.keys()) {
      const times = polls.filter((p) => p.jobId === jobId).map((p) => p.at);
      for (const t of times)
        expect(times.filter((x) => x >= t && x < t + 60_000).length).toBeLessThanOrEqual(30);
    }
  });

  it("500 concurrent jobs share one budget: never more polls a second than allowed, each job still followed", async () => {
    const time = createVirtualTime();
    const gate = createJobPollGate({ now: time.now, sleep: time.sleep, maxPollsPerSecond: 20 });
    const finishAt = new Map(Array.from({ length: 500 }, (_, i) => [`job-${i}`, 30_000 + i * 100] as const));
    const { ecs, polls } = fakeJobs(finishAt, time);
    let finished = 0;
    for (const jobId of finishAt.keys())
      void waitForJob({ ecs, jobId, gate, now: time.now, sleep: time.sleep }).then(() => finished++);
    await time.run(30 * 60_000);
    expect(finished).toBe(500);
    const perSecond = new Map<number, number>();
    for (const p of polls)
      perSecond.set(Math.floor(p.at / 1000), (perSecond.get(Math.floor(p.at / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(20);
    // No job is polled more often than every 2 s.
    for (const jobId of ["job-0", "job-250", "job-499"]) {
      const times = polls.filter((p) => p.jobId === jobId).map((p) => p.at);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(2_000);
    }
  });

  it("tells the metrics how long each poll waited past its due time for the budget", async () => {
    const time = createVirtualTime();
    const waited: number[] = [];
    const gate = createJobPollGate({
      now: time.now,
      sleep: time.sleep,
      maxPollsPerSecond: 1,
      metrics: { jobPollWaited: (ms) => waited.push(ms) },
    });
    // Three jobs started together are all due 2 s later; one poll a second sends them 0, 1 and 2 s late.
    for (let i = 0; i < 3; i++) void gate.wait({ startedAt: 0, lastPollAt: 0 });
    await time.run(10_000);
    expect(waited).toEqual([0, 1_000, 2_000]);
  });

  it("lets jobs due together go one by one, evenly over the second", async () => {
    const time = createVirtualTime();
    const gate = createJobPollGate({ now: time.now, sleep: time.sleep, maxPollsPerSecond: 20 });
    const released: number[] = [];
    for (let i = 0; i < 25; i++)
      void gate.wait({ startedAt: 0, lastPollAt: 0 }).then(() => released.push(time.now()));
    await time.run(10_000);
    expect(released.slice(0, 21)).toEqual(Array.from({ length: 21 }, (_, i) => 2_000 + i * 50));
    expect(released).toHaveLength(25);
  });

  it("a hinted job goes before the jobs merely due, 1 s after its last poll", async () => {
    const time = createVirtualTime();
    const gate = createJobPollGate({ now: time.now, sleep: time.sleep, maxPollsPerSecond: 1 });
    const order: string[] = [];
    for (const name of ["a", "b", "c"])
      void gate.wait({ startedAt: 0, lastPollAt: 0 }).then(() => order.push(`${name}@${time.now()}`));
    // Polled at 1.5 s; its servers settle: hinted, it is due at 2.5 s and goes at the next slot, before b and c.
    void gate
      .wait({ startedAt: 0, lastPollAt: 1_500, ahead: "hinted" })
      .then(() => order.push(`hinted@${time.now()}`));
    await time.run(10_000);
    expect(order).toEqual(["a@2000", "hinted@3000", "b@4000", "c@5000"]);
  });

  it("an aborted wait takes no slot and rejects with the signal's reason", async () => {
    const time = createVirtualTime();
    const gate = createJobPollGate({ now: time.now, sleep: time.sleep, maxPollsPerSecond: 1 });
    const order: string[] = [];
    const controller = new AbortController();
    void gate.wait({ startedAt: 0, lastPollAt: 0 }).then(() => order.push(`a@${time.now()}`));
    const aborted = gate.wait({ startedAt: 0, lastPollAt: 0 }, controller.signal);
    void gate.wait({ startedAt: 0, lastPollAt: 500 }).then(() => order.push(`c@${time.now()}`));
    await time.run(2_600);
    controller.abort(new Error("run stopped"));
    await expect(aborted).rejects.toThrow("run stopped");
    await time.run(10_000);
    expect(order).toEqual(["a@2000", "c@3000"]);
  });

  it("moves at its timers' pace on a clock that stands still, instead of spinning", async () => {
    // The clock never moves; sleeping only counts the timers.
    const timers: number[] = [];
    const gate = createJobPollGate({
      now: () => 0,
      sleep: async (ms) => {
        timers.push(ms);
        await new Promise((r) => setImmediate(r));
      },
      maxPollsPerSecond: 1,
    });
    const released: number[] = [];
    for (let i = 0; i < 3; i++) void gate.wait({ startedAt: 0, lastPollAt: 0 }).then(() => released.push(i));
    for (let i = 0; i < 50 && released.length < 3; i++) await new Promise((r) => setImmediate(r));
    expect(released).toEqual([0, 1, 2]);
    // Due after 2 s, then one a second: three timers, not a loop of 1 ms ones.
    expect(timers).toEqual([2_000, 1_000, 1_000]);
  });
});
