import { CloudError } from "./errors.js";
import { nextPollInterval } from "./next-poll-interval.js";
import type { EcsApi, Server } from "./types.js";
import type { ExpectedOutcome, JobWaitResult, ServerStateResult, WaitForJobOptions } from "./wait-for-job.js";

const SERVER_READ_CONCURRENCY = 8;

function reachedState(server: Server, expect: ExpectedOutcome): boolean {
  if (server.taskState) return false;
  if (expect.state === "DELETED") return server.status === "DELETED" || server.status === "SOFT_DELETED";
  if (server.status !== expect.state) return false;
  return expect.flavorId === undefined || server.flavor.id === expect.flavorId;
}

/**
 * The rule for servers that began in ERROR (a reinstall retried after a failed one), over the reads of one
 * wait: their ERROR is where they began, so it is the call's outcome only once they were seen out of it. Any
 * other server's ERROR (with no task) is its outcome at once. One home for the job wait and the reconciliation
 * from the servers.
 */
export interface ErrorOutcomes {
  /** Notes a read of a server (`taskState` set: busy, so out of a settled ERROR). */
  see(serverId: string, status: string, taskState: string | null | undefined): void;
  /** Whether a server read in ERROR with no task is, now, the call's outcome. */
  isOutcome(serverId: string): boolean;
}

export function trackErrorOutcomes(startedInError: readonly string[] = []): ErrorOutcomes {
  const began = new Set(startedInError);
  const seenOut = new Set<string>();
  return {
    see(serverId, status, taskState) {
      if (status !== "ERROR" || taskState) seenOut.add(serverId);
    },
    isOutcome: (serverId) => !began.has(serverId) || seenOut.has(serverId),
  };
}

/** Where a set of server states stands against the expectation (`errors`: this wait's, see above). */
export function judgeStates(
  states: readonly ServerStateResult[],
  errors: ErrorOutcomes,
): "reached" | "failed" | "pending" {
  if (states.every((s) => s.reached)) return "reached";
  for (const s of states) errors.see(s.serverId, s.status, s.taskState);
  const failed = (s: ServerStateResult) =>
    s.status === "ERROR" && !s.taskState && errors.isOutcome(s.serverId);
  return states.every((s) => s.reached || failed(s)) ? "failed" : "pending";
}

export function failReasonOf(states: readonly ServerStateResult[]): string {
  return states
    .filter((s) => s.failReason)
    .map((s) => `${s.serverId}: ${s.failReason}`)
    .join("; ");
}

export function statesFingerprint(states: readonly ServerStateResult[]): string {
  return states.map((s) => `${s.serverId}:${s.status}:${s.taskState ?? ""}`).join("|");
}

export async function readServerStates(
  ecs: Pick<EcsApi, "getServer">,
  expect: ExpectedOutcome,
  signal: AbortSignal | undefined,
): Promise<ServerStateResult[] | CloudError> {
  const ids = [...expect.serverIds];
  const out: ServerStateResult[] = new Array(ids.length);
  let next = 0;
  let fatal: CloudError | undefined;
  const worker = async () => {
    while (next < ids.length && !fatal) {
      const index = next++;
      const serverId = ids[index]!;
      try {
        const server = await ecs.getServer(serverId, signal);
        const r: ServerStateResult = {
          serverId,
          status: server.status,
          reached: reachedState(server, expect),
        };
        if (server.taskState !== undefined) r.taskState = server.taskState;
        if (server.status === "ERROR") r.failReason = server.fault?.message ?? "server is in ERROR";
        out[index] = r;
      } catch (err) {
        if (!(err instanceof CloudError)) throw err;
        // Only the service's "does not exist" counts as deleted: a gateway 404 (`APIG.0101`) is a wrong
        // endpoint, and taking it for "gone" would call a delete done while the server is still there.
        if (err.isNotFound)
          out[index] = { serverId, status: "NOT_FOUND", reached: expect.state === "DELETED" };
        else if (err.retryable) out[index] = { serverId, status: "UNREADABLE", reached: false };
        else fatal = err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SERVER_READ_CONCURRENCY, ids.length) }, worker));
  return fatal ?? out;
}

/** The wait of `waitForJob` once the job record is gone (404): the servers' state alone decides. */
export async function waitForServers(
  expect: ExpectedOutcome,
  options: WaitForJobOptions & { now: () => number; sleep: NonNullable<WaitForJobOptions["sleep"]> },
  deadline: number,
  startInterval: number,
  errors: ErrorOutcomes,
): Promise<JobWaitResult> {
  const { jobId, signal, now, sleep } = options;
  const cap = options.maxIntervalMs ?? 10_000;
  const factor = options.backoffFactor ?? 1.5;
  let interval = startInterval;
  let lastPrint: string | undefined;
  let last: ServerStateResult[] | undefined;
  for (;;) {
    const states = await readServerStates(options.ecs, expect, signal);
    if (states instanceof CloudError) {
      const result: JobWaitResult = { outcome: "UNKNOWN", reason: "error", error: states };
      if (last) result.servers = last;
      return result;
    }
    last = states;
    const print = statesFingerprint(states);
    if (print !== lastPrint) {
      await options.onProgress?.({ kind: "servers", jobId, servers: states });
      lastPrint = print;
    }
    const verdict = judgeStates(states, errors);
    if (verdict === "reached")
      return { outcome: "SUCCESS", source: "servers", via: "job-not-found", servers: states };
    if (verdict === "failed") {
      const failReason = failReasonOf(states);
      return { outcome: "FAIL", source: "servers", via: "job-not-found", servers: states, failReason };
    }
    if (now() >= deadline) return { outcome: "UNKNOWN", reason: "deadline", servers: states };
    await sleep(Math.max(0, Math.min(interval, deadline - now())), signal);
    interval = nextPollInterval(interval, factor, cap);
  }
}
