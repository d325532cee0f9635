/**
 * Job tracking: concurrent ECS jobs against the simulator over loopback, each followed by `waitForJob` as a
 * run follows it: as shipped, with the replica's shared poll schedule (`createJobPollGate`, the shipped
 * defaults: every 2 s under a minute, 4 s after, 20 polls a second in all) and the board that reads the jobs'
 * servers together (`createServerBoard`) so that a job whose servers settled is polled first; next to the
 * schedule without the board, and to the anchor, each wait backing off alone (1 s, ×1.5, up to 10 s: how jobs
 * were followed before). 40 jobs are what the budget serves at the goal's pace by polling alone; 500 are the
 * issue's figure. Time is the simulator's manual clock, moved from one wake-up to the next, so minutes of
 * jobs take seconds; the figures are simulator time: how long after its end a job was seen, and how often
 * jobs were polled. */
import { createCloudClient } from "../src/cloud/create-cloud-client.js";
import {
  createJobPollGate,
  DEFAULT_JOB_POLLS_PER_SECOND,
  type JobPollGate,
} from "../src/cloud/create-job-poll-gate.js";
import { BOARD_READS_PER_SECOND, createServerBoard } from "../src/cloud/create-server-board.js";
import { IDS_PER_QUERY } from "../src/cloud/list-servers.js";
import type { EcsApi } from "../src/cloud/types.js";
import { waitForJob } from "../src/cloud/wait-for-job.js";
import { createManualClock, simulatorCloudConfig, startCloudSimulator } from "../src/sandbox/cloud/index.js";
import { createSimVirtualTime } from "../test/cloud/helpers/create-sim-virtual-time.js";
import type { Report } from "./report.js";
import { percentile } from "./statistics.js";

interface Tracked {
  /** Seen after the end: simulator ms, for jobs under a minute and for longer ones. */
  short: number[];
  long: number[];
  /** The most polls of one job in any minute. */
  maxPerJobMinute: number;
  /** The most polls of all jobs together in one second of the clock. */
  maxPerSecond: number;
  polls: number;
  /** Requests of the board's reads of the followed servers, in all and the most in one second. */
  boardReads: number;
  maxBoardReadsPerSecond: number;
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
/**
 * How the jobs are followed: as shipped (the shared schedule, jobs polled first when the board sees their
 * servers settle), the schedule without the board, or each wait backing off alone.
 */
type Mode = "shipped" | "schedule" | "alone";

async function track(count: number, mode: Mode): Promise<Tracked> {
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
    const time = createSimVirtualTime(sim);
    const polls: { jobId: string; at: number }[] = [];
    const boardReads: number[] = [];
    const ecs: Pick<EcsApi, "getJob" | "getServer" | "listServersByIds"> = {
      getJob: (jobId, signal) => {
        polls.push({ jobId, at: sim.control.now() });
        return time.request(() => cloud.ecs.getJob(jobId, signal));
      },
      getServer: (id, signal) => time.request(() => cloud.ecs.getServer(id, signal)),
      listServersByIds: (serverIds, signal) => {
        for (let i = 0; i < serverIds.length; i += IDS_PER_QUERY) boardReads.push(sim.control.now());
        return time.request(() => cloud.ecs.listServersByIds(serverIds, signal));
      },
    };
    const gate: JobPollGate | undefined =
      mode === "alone" ? undefined : createJobPollGate({ now: time.now, sleep: time.sleep });
    const board =
      mode === "shipped" && gate !== undefined
        ? createServerBoard({ ecs, sleep: time.sleep, minFollowers: gate.jobsAtPace })
        : undefined;
    const seen = new Map<string, number>();
    const waits = jobIds.map((jobId, i) =>
      waitForJob({
        ecs,
        jobId,
        now: time.now,
        sleep: time.sleep,
        timeoutMs: 30 * 60_000,
        ...(gate !== undefined && { gate }),
        ...(board !== undefined && { hints: { board, serverIds: [ids[i]!] } }),
      }).then((result) => {
        if (result.outcome === "SUCCESS") seen.set(jobId, sim.control.now());
      }),
    );
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
    for (const p of polls) byJob.set(p.jobId, [...(byJob.get(p.jobId) ?? []), p.at]);
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
      maxPerSecond: maxPerSecondOf(polls.map((p) => p.at)),
      polls: polls.length,
      boardReads: boardReads.length,
      maxBoardReadsPerSecond: maxPerSecondOf(boardReads),
      wallMs,
    };
  } finally {
    await cloud.close();
    await sim.close();
  }
}

/** The most of `times` in one second of the clock. */
function maxPerSecondOf(times: readonly number[]): number {
  const bySecond = new Map<number, number>();
  for (const at of times) bySecond.set(Math.floor(at / 1000), (bySecond.get(Math.floor(at / 1000)) ?? 0) + 1);
  return Math.max(0, ...bySecond.values());
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (sorted: number[]) =>
  `p50 ${seconds(percentile(sorted, 50))}, p99 ${seconds(percentile(sorted, 99))}, max ${seconds(sorted.at(-1) ?? Number.NaN)}`;

export async function benchJobs(report: Report): Promise<void> {
  // The jobs the default budget serves at the goal's pace by polling alone, then the 500.
  for (const count of [40, 500]) {
    const shipped = await track(count, "shipped");
    const schedule = await track(count, "schedule");
    const alone = await track(count, "alone");
    const jobs = `${count} jobs at ${DEFAULT_JOB_POLLS_PER_SECOND} polls/s`;
    report(
      `job seen after its end, ${jobs}, those under a minute`,
      seconds(shipped.short.at(-1) ?? Number.NaN),
      `goal ≤ 2 s; ${spread(shipped.short)}; the schedule without the board: ${spread(schedule.short)}; each wait backing off alone: ${spread(alone.short)}; ${count} concurrent stop jobs, half of them 5–55 s, half 65 s–3 min, in simulator time (${Math.round(shipped.wallMs)} ms of wall time)`,
    );
    report(
      `job seen after its end, ${jobs}, the longer ones`,
      seconds(shipped.long.at(-1) ?? Number.NaN),
      `goal ≤ 5 s; ${spread(shipped.long)}; the schedule without the board: ${spread(schedule.long)}; each wait backing off alone: ${spread(alone.long)}`,
    );
    report(
      `polls of one job in any minute, ${jobs}`,
      String(shipped.maxPerJobMinute),
      `goal ≤ 30; the schedule without the board: ${schedule.maxPerJobMinute}; each wait backing off alone: ${alone.maxPerJobMinute}; ${shipped.polls} polls in all against ${schedule.polls} and ${alone.polls}`,
    );
    report(
      `polls a second, ${jobs}, all together`,
      String(shipped.maxPerSecond),
      `the budget (JOB_POLLS_PER_SECOND, default ${DEFAULT_JOB_POLLS_PER_SECOND}); each wait backing off alone: ${alone.maxPerSecond} at most`,
    );
    report(
      `board reads of the followed servers a second, ${count} jobs`,
      String(shipped.maxBoardReadsPerSecond),
      `at most ${BOARD_READS_PER_SECOND} (100 servers a request, every second while they fit), only while more jobs are followed than the budget polls at their pace (${DEFAULT_JOB_POLLS_PER_SECOND * 2}); ${shipped.boardReads} in all, against ${shipped.polls} job polls`,
    );
  }
}
