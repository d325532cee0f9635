/**
 * Job tracking: concurrent ECS jobs against the simulator over loopback, each followed by `waitForJob` as a
 * run follows it, with the replica's shared poll schedule (`createJobPollGate`, the shipped defaults: every
 * 2 s under a minute, 5 s after, 20 polls a second in all) next to the anchor, each wait backing off alone
 * (1 s, ×1.5, up to 10 s: how jobs were followed before). 40 jobs are what the budget serves at the goal's
 * pace; 500 are the figure. Time is the simulator's manual clock, moved from one wake-up to the next,
 * so minutes of jobs take seconds; the figures are simulator time: how long after its end a job was seen, and
 * how often jobs were polled.
 */
import { createCloudClient } from "../src/cloud/create-cloud-client.js";
import {
  createJobPollGate,
  DEFAULT_JOB_POLLS_PER_SECOND,
  type JobPollGate,
} from "../src/cloud/create-job-poll-gate.js";
import type { EcsApi } from "../src/cloud/types.js";
import { waitForJob } from "../src/cloud/wait-for-job.js";
import { createManualClock, simulatorCloudConfig, startCloudSimulator } from "../src/sandbox/cloud/index.js";
import { percentile } from "./statistics.js";

type Report = (name: string, figure: string, detail?: string) => void;

/** Sleepers on the simulator's clock; `run` wakes them in time order once everyone awake is asleep again. */
function createVirtualTime(sim: { control: { now(): number; advance(ms: number): void } }) {
  const sleepers: { at: number; wake: () => void }[] = [];
  /** Waits not asleep and not finished: polling the cloud or deciding. */
  let awake = 0;
  const sleep = (ms: number) =>
    new Promise<void>((wake) => {
      awake--;
      sleepers.push({ at: sim.control.now() + Math.max(0, ms), wake });
    });
  return {
    now: () => sim.control.now(),
    sleep,
    started() {
      awake++;
    },
    finished() {
      awake--;
    },
    async run(): Promise<void> {
      for (;;) {
        // Everyone awake has polled over HTTP and gone back to sleep (or finished).
        while (awake > 0) await new Promise((r) => setTimeout(r, 0));
        if (sleepers.length === 0) return;
        sleepers.sort((a, b) => a.at - b.at);
        const at = sleepers[0]!.at;
        const due = sleepers.filter((s) => s.at <= at);
        sleepers.splice(0, due.length);
        const ahead = at - sim.control.now();
        if (ahead > 0) sim.control.advance(ahead);
        awake += due.length;
        for (const s of due) s.wake();
      }
    },
  };
}

interface Tracked {
  /** Seen after the end: simulator ms, for jobs under a minute and for longer ones. */
  short: number[];
  long: number[];
  /** The most polls of one job in any minute. */
  maxPerJobMinute: number;
  /** The most polls of all jobs together in one second of the clock. */
  maxPerSecond: number;
  polls: number;
  wallMs: number;
}

/** A deterministic random number in [0, 1) (mulberry32): the same jobs in every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starts `count` stops on distinct servers, their run times spread over 5 s–3 min, and follows them all. */
async function track(count: number, gated: boolean, perSecond?: number): Promise<Tracked> {
  const sim = await startCloudSimulator({
    servers: Math.ceil(count * 1.25) + 20,
    seed: 7,
    clock: createManualClock(),
  });
  const cloud = createCloudClient(simulatorCloudConfig(sim), { now: () => sim.control.now() });
  try {
    const ids = sim.control
      .servers()
      .filter((s) => s.status === "ACTIVE")
      .map((s) => s.id)
      .slice(0, count);
    if (ids.length < count) throw new Error(`only ${ids.length} running servers for ${count} jobs`);
    const random = seededRandom(count);
    const jobIds: string[] = [];
    for (const [i, id] of ids.entries()) {
      // Half under a minute (5–55 s), half over (65 s–3 min): both of the goal's intervals, at any
      // millisecond (a run time in whole seconds would end on the poll schedule's own grid).
      const runningMs = Math.floor(i % 2 === 0 ? 5_000 + random() * 50_000 : 65_000 + random() * 115_000);
      sim.control.setJobTiming({ initMs: 1_000, runningMs });
      const { jobs } = await cloud.ecs.stopServers([id]);
      jobIds.push(jobs[0]!.jobId);
    }
    const time = createVirtualTime(sim);
    const gate: JobPollGate | undefined = gated
      ? createJobPollGate({
          now: time.now,
          sleep: time.sleep,
          ...(perSecond !== undefined && { maxPollsPerSecond: perSecond }),
        })
      : undefined;
    const polls: { jobId: string; at: number }[] = [];
    const ecs: Pick<EcsApi, "getJob" | "getServer"> = {
      getJob: (jobId, signal) => {
        polls.push({ jobId, at: sim.control.now() });
        return cloud.ecs.getJob(jobId, signal);
      },
      getServer: (id, signal) => cloud.ecs.getServer(id, signal),
    };
    const seen = new Map<string, number>();
    const waits = jobIds.map((jobId) => {
      time.started();
      return waitForJob({
        ecs,
        jobId,
        now: time.now,
        sleep: time.sleep,
        timeoutMs: 30 * 60_000,
        ...(gate !== undefined && { gate }),
      }).then(
        (result) => {
          if (result.outcome === "SUCCESS") seen.set(jobId, sim.control.now());
          time.finished();
        },
        () => time.finished(),
      );
    });
    const started = performance.now();
    await time.run();
    await Promise.all(waits);
    const wallMs = performance.now() - started;

    const short: number[] = [];
    const long: number[] = [];
    for (const jobId of jobIds) {
      const job = sim.control.job(jobId);
      const at = seen.get(jobId);
      if (job === undefined || at === undefined) throw new Error(`job ${jobId} was not followed to its end`);
      const end = Date.parse(job.endAt);
      (end - Date.parse(job.createdAt) < 60_000 ? short : long).push(at - end);
    }
    const byJob = new Map<string, number[]>();
    const bySecond = new Map<number, number>();
    for (const p of polls) {
      byJob.set(p.jobId, [...(byJob.get(p.jobId) ?? []), p.at]);
      const second = Math.floor(p.at / 1000);
      bySecond.set(second, (bySecond.get(second) ?? 0) + 1);
    }
    let maxPerJobMinute = 0;
    for (const times of byJob.values()) {
      for (const [i, t] of times.entries()) {
        let n = 0;
        for (let j = i; j < times.length && times[j]! < t + 60_000; j++) n++;
        maxPerJobMinute = Math.max(maxPerJobMinute, n);
      }
    }
    return {
      short: short.sort((a, b) => a - b),
      long: long.sort((a, b) => a - b),
      maxPerJobMinute,
      maxPerSecond: Math.max(...bySecond.values()),
      polls: polls.length,
      wallMs,
    };
  } finally {
    await cloud.close();
    await sim.close();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (sorted: number[]) =>
  `p50 ${seconds(percentile(sorted, 50))}, p99 ${seconds(percentile(sorted, 99))}, max ${seconds(sorted.at(-1) ?? Number.NaN)}`;

export async function benchJobs(report: Report): Promise<void> {
  // The default budget with the jobs it serves at the goal's pace, then the 500; then 500 with a
  // budget raised to what they need (`JOB_POLLS_PER_SECOND=250`), where the account's rate limit allows it.
  for (const [count, perSecond] of [
    [40, DEFAULT_JOB_POLLS_PER_SECOND],
    [500, DEFAULT_JOB_POLLS_PER_SECOND],
    [500, 250],
  ] as const) {
    const gated = await track(count, true, perSecond);
    const alone = await track(count, false);
    const jobs = `${count} jobs at ${perSecond} polls/s`;
    report(
      `job seen after its end, ${jobs}, those under a minute`,
      seconds(gated.short.at(-1) ?? Number.NaN),
      `goal ≤ 2 s; ${spread(gated.short)}; each wait backing off alone: ${spread(alone.short)}; ${count} concurrent stop jobs, half of them 5–55 s, half 65 s–3 min, in simulator time (${Math.round(gated.wallMs)} ms of wall time)`,
    );
    report(
      `job seen after its end, ${jobs}, the longer ones`,
      seconds(gated.long.at(-1) ?? Number.NaN),
      `goal ≤ 5 s; ${spread(gated.long)}; each wait backing off alone: ${spread(alone.long)}`,
    );
    report(
      `polls of one job in any minute, ${jobs}`,
      String(gated.maxPerJobMinute),
      `goal ≤ 30; each wait backing off alone: ${alone.maxPerJobMinute}; ${gated.polls} polls in all against ${alone.polls}`,
    );
    report(
      `polls a second, ${jobs}, all together`,
      String(gated.maxPerSecond),
      `the budget (JOB_POLLS_PER_SECOND, default ${DEFAULT_JOB_POLLS_PER_SECOND}); each wait backing off alone: ${alone.maxPerSecond} at most`,
    );
  }
}
