/**
 * A process's and its threads' CPU time and memory, from Linux's `/proc`: what the ack benchmark divides by
 * the requests it sent.
 */
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const CLOCK_TICKS_PER_SECOND = 100;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A process's or thread's `/proc/…/stat` (`/proc/<pid>` or `/proc/<pid>/task/<tid>`): user and system CPU time
 * (ms) so far, system time being the kernel's (I/O, fsync, sockets), and its nice value.
 */
function readStat(path: string): { user: number; system: number; nice: number } {
  const stat = readFileSync(`${path}/stat`, "utf8");
  // The fields after the command name (which may hold spaces), from the third (state) on.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    user: (Number(fields[11]) * 1000) / CLOCK_TICKS_PER_SECOND,
    system: (Number(fields[12]) * 1000) / CLOCK_TICKS_PER_SECOND,
    nice: Number(fields[16]),
  };
}

/** User and system CPU time (ms) a process has used so far. */
export const cpuSplitMs = (pid: number) => readStat(`/proc/${pid}`);

/**
 * CPU time (ms, user and system) of a process's threads at the normal priority (nice 0). In the bot that is
 * its ack thread: every thread made before it runs lowered, and so do the threads they make (see `main.ts`).
 */
export function normalPriorityCpuMs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const thread = readStat(`/proc/${pid}/task/${tid}`);
      if (thread.nice === 0) total += thread.user + thread.system;
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return total;
}

/** CPU time (ms, user and system) one thread of a process has used so far. */
export function threadCpuMs(pid: number, tid: number): number {
  const thread = readStat(`/proc/${pid}/task/${tid}`);
  return thread.user + thread.system;
}

/** Waits until a process uses under 5 % of a core over half a second (at most a minute). */
export async function waitForQuiet(pid: number): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const before = cpuSplitMs(pid);
    await sleep(500);
    const after = cpuSplitMs(pid);
    if (after.user + after.system - before.user - before.system < 25) return;
  }
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}
