/**
 * Follow-ups of cloud jobs still running when their run ended: a run waits for its jobs until its wait step's
 * deadline, and a job not finished by then leaves its servers "outcome unknown" (never re-sent). The job may
 * still finish later; this keeps looking at it at a low rate and says once, in the request's thread, what the
 * cloud finished and when, with each server's state read by ID then. It changes no recorded run outcome.
 *
 * Durable and exactly-once across restarts and replicas: each followed job is a record `jobfollowup:<runId>:<jobId>`
 * (kept {@link JOB_FOLLOW_UP_SETTINGS}`.keepForMs`), listed in the set `jobfollowups:open` until its one reply
 * is posted. Every replica runs the pass; a poll is taken by moving the record's `nextPollAt` on by CAS (only the
 * replica whose write wins polls, through its job-poll gate), the end is recorded by CAS with its audit entry as a
 * rider (one entry), and the reply is claimed in the store (`claimOnce`) right before it is posted, as a run's
 * final summary is. A replica that dies mid-poll leaves the record due again at its next time; one that dies
 * after recording the end leaves the reply to the next pass of any replica.
 */
import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { EXECUTOR_ACTOR } from "../audit/audit-entry.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { JobPollGate } from "../cloud/create-job-poll-gate.js";
import { CloudError } from "../cloud/errors.js";
import { nextPollInterval } from "../cloud/next-poll-interval.js";
import type { EcsApi, Job } from "../cloud/types.js";
import { serverResultsOf } from "../cloud/wait-for-job.js";
import type { Logger } from "../log/create-logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Clock, Store } from "../store/store.js";
import { mapWithConcurrency } from "../targets/map-with-concurrency.js";
import type { FlowOutcome } from "../workflow/summarize-run.js";
import {
  buildJobFollowUpView,
  type JobFollowUpEnding,
  type JobFollowUpServer,
} from "./build-job-follow-up-view.js";
import { findLateJobs } from "./find-late-jobs.js";
import {
  JOB_FOLLOW_UP_SETTINGS,
  JOB_FOLLOW_UPS_OPEN,
  type JobFollowUp,
  JobFollowUpSchema,
  type JobFollowUpSettings,
  jobFollowUpId,
  jobFollowUpKey,
} from "./job-follow-up-record.js";
import { repeatPass, systemTimers, type Timers } from "./timers.js";

/** The claim of a followed job's one reply. */
const replyClaim = (id: string) => `jobfollowup:reply:${id}`;
/** Server reads at once for one reply. */
const SERVER_READ_CONCURRENCY = 4;
/** Follow-ups handled at once by one pass (their cloud reads queue at the job-poll gate anyway). */
const PASS_CONCURRENCY = 8;

export interface JobFollowUpsDeps {
  store: Store;
  audit: AuditLog;
  ecs: Pick<EcsApi, "getJob" | "getServer">;
  /** The replica's job-poll gate: the follow-ups' polls share its budget with the runs' (issue 12). */
  gate: JobPollGate;
  chat: () => ChatPort | undefined;
  clock: Clock;
  logger: Logger;
  metrics?: Pick<Metrics, "jobFollowUpStarted" | "jobFollowUpEnded">;
  timers?: Pick<Timers, "setInterval" | "clearInterval">;
  settings?: Partial<JobFollowUpSettings>;
}

export interface JobFollowUps {
  /**
   * After a run of `request` ended (its summary posted): follows each job whose servers stayed unknown because
   * it had not finished by the deadline. Idempotent (a run settled twice follows each job once). Never throws;
   * returns how many jobs it started following.
   */
  afterRun(request: ApprovalRequest, outcome: FlowOutcome): Promise<number>;
  /** One pass now: polls the follow-ups due, replies for the ones that ended. Resolves with the replies posted. */
  runDue(): Promise<number>;
  /** Runs the pass now and every `passIntervalMs`. Idempotent. */
  start(): void;
  /** Stops the pass (a poll waiting for the gate or the cloud is abandoned: it is due again later). */
  stop(): Promise<void>;
}

export function createJobFollowUps(deps: JobFollowUpsDeps): JobFollowUps {
  const { store, clock } = deps;
  const settings: JobFollowUpSettings = { ...JOB_FOLLOW_UP_SETTINGS, ...deps.settings };
  const logger = deps.logger.child({ component: "job-follow-ups" });
  let stopping = new AbortController();

  async function afterRun(request: ApprovalRequest, outcome: FlowOutcome): Promise<number> {
    try {
      const root = request.message;
      const unknown = new Set(outcome.servers.filter((s) => s.result === "unknown").map((s) => s.id));
      if (root === undefined || unknown.size === 0) return 0;
      const jobs = await findLateJobs(store, outcome.runId, unknown);
      const now = clock.now();
      const runEndedAt = outcome.finishedAt ?? now;
      let started = 0;
      for (const job of jobs) {
        const record: JobFollowUp = {
          schema: 1,
          jobId: job.jobId,
          runId: outcome.runId,
          requestId: request.id,
          requesterId: request.requester.userId,
          verb: outcome.operation,
          thread: { channel: root.channel, ts: root.threadTs ?? root.ts },
          servers: job.servers,
          runEndedAt,
          followUntil: runEndedAt + settings.followForMs,
          keepUntil: now + settings.keepForMs,
          nextPollAt: now + settings.firstIntervalMs,
          intervalMs: settings.firstIntervalMs,
          polls: 0,
          ...(job.lastStatus !== undefined && { lastStatus: job.lastStatus }),
        };
        const id = jobFollowUpId(record);
        const created = await store.createIfAbsent(jobFollowUpKey(id), record, {
          ttlMs: settings.keepForMs,
          addToSets: [{ setKey: JOB_FOLLOW_UPS_OPEN, member: id }],
        });
        if (created) {
          started++;
          deps.metrics?.jobFollowUpStarted();
          logger.info(
            { job: job.jobId, run: outcome.runId, approval: request.id, servers: job.servers.length },
            "following a job that had not finished by the run's deadline",
          );
        }
      }
      return started;
    } catch (error) {
      logger.warn({ err: error, run: outcome.runId }, "could not start following the run's unfinished jobs");
      return 0;
    }
  }

  async function get(id: string): Promise<{ record: JobFollowUp; version: number } | undefined> {
    const stored = await store.get(jobFollowUpKey(id));
    if (stored === undefined) return undefined;
    const parsed = JobFollowUpSchema.safeParse(stored.value);
    if (!parsed.success) {
      logger.warn(
        { followUp: id, issues: parsed.error.issues },
        "a job follow-up record is not valid: dropped",
      );
      return undefined;
    }
    return { record: parsed.data, version: stored.version };
  }

  /** Writes `next` over `version`, keeping the record's expiry; false when another replica wrote first. */
  async function swap(
    version: number,
    next: JobFollowUp,
    extra: Parameters<Store["compareAndSwap"]>[3] = {},
  ): Promise<boolean> {
    const ttlMs = next.keepUntil - clock.now();
    if (ttlMs <= 0) return false;
    return store.compareAndSwap(jobFollowUpKey(jobFollowUpId(next)), version, next, { ...extra, ttlMs });
  }

  /** One follow-up: replied to, polled, ended, or left for later. True when this call posted its reply. */
  async function handle(id: string, signal: AbortSignal): Promise<boolean> {
    const found = await get(id);
    if (found === undefined) {
      // Expired (kept a day and more) or unreadable: nothing left to follow.
      await store.removeFromSet(JOB_FOLLOW_UPS_OPEN, id);
      return false;
    }
    const { record, version } = found;
    const { jobId } = record;
    if (record.ending !== undefined) return reply(record);
    const now = clock.now();
    if (now < record.nextPollAt) return false;
    if (now >= record.followUntil) {
      const is: JobFollowUpEnding = {
        kind: "gave_up",
        at: now,
        followedForMs: record.followUntil - record.runEndedAt,
        ...(record.lastStatus !== undefined && { lastStatus: record.lastStatus }),
      };
      return end(record, version, { is, servers: [], more: 0 });
    }
    // The poll is ours if our move of its next time wins: one replica polls, whoever else looks now.
    const intervalMs = nextPollInterval(record.intervalMs, settings.backoffFactor, settings.maxIntervalMs);
    const claimed: JobFollowUp = {
      ...record,
      nextPollAt: now + intervalMs,
      intervalMs,
      polls: record.polls + 1,
    };
    if (!(await swap(version, claimed))) return false;
    // Our schedule decided it is due: the gate only fits the read into the replica's budget of job polls.
    await deps.gate.wait({ startedAt: 0, lastPollAt: 0 }, signal);
    let job: Job | undefined;
    try {
      job = await deps.ecs.getJob(jobId, signal);
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      if (!error.isNotFound) {
        // Not an answer (throttled, 5xx, network…): looked at again at its next time.
        logger.debug({ err: error, job: jobId }, "could not read a followed job; trying again later");
        return false;
      }
    }
    if (job !== undefined && job.status !== "SUCCESS" && job.status !== "FAIL") {
      if (job.status !== claimed.lastStatus) await noteStatus(id, job.status);
      return false;
    }
    const servers = await readServers(claimed, job, signal);
    const at = clock.now();
    const failReason = job?.status === "FAIL" ? failReasonOf(job) : undefined;
    const is: JobFollowUpEnding =
      job === undefined
        ? { kind: "gone", at }
        : {
            kind: "finished",
            status: job.status === "FAIL" ? "FAIL" : "SUCCESS",
            at: endTimeOf(job) ?? at,
            ...(failReason !== undefined && { failReason }),
          };
    const current = await get(id);
    if (current === undefined || current.record.ending !== undefined) return false;
    return end(current.record, current.version, {
      is,
      servers: servers.read,
      more: servers.more,
    });
  }

  /** Remembers the job's status seen now (for the reply that gives up); a lost race changes nothing. */
  async function noteStatus(id: string, status: string): Promise<void> {
    const current = await get(id);
    if (current === undefined || current.record.ending !== undefined) return;
    await swap(current.version, { ...current.record, lastStatus: status });
  }

  /** Records the end (with its one audit entry) by CAS; the winner replies. */
  async function end(
    record: JobFollowUp,
    version: number,
    ending: NonNullable<JobFollowUp["ending"]>,
  ): Promise<boolean> {
    const ended: JobFollowUp = { ...record, ending };
    const entry = deps.audit.prepare({
      type: "execution.step",
      actorId: EXECUTOR_ACTOR,
      requestId: record.requestId,
      executionId: record.runId,
      ...(record.requesterId !== undefined && { requesterId: record.requesterId }),
      jobId: record.jobId,
      serverIds: record.servers.map((s) => s.id),
      message: auditMessage(record, ending.is),
      detail: {
        phase: "job_followed_up",
        ending: ending.is.kind,
        ...(ending.is.kind === "finished" && { status: ending.is.status }),
        at: ending.is.at,
        polls: record.polls,
        servers: ending.servers.map((s) => ({
          serverId: s.id,
          ...(s.subJob !== undefined && { subJob: s.subJob.status }),
          ...(s.now !== undefined && { status: s.now }),
        })),
      },
    });
    if (!(await swap(version, ended, { append: [entry.append] }))) return false;
    entry.publish();
    deps.metrics?.jobFollowUpEnded(ending.is.kind);
    logger.info(
      { job: record.jobId, run: record.runId, approval: record.requestId, ending: ending.is.kind },
      "a followed job ended",
    );
    return reply(ended);
  }

  /** Posts the one reply of an ended follow-up, if nobody did (claimed first), and stops listing it. */
  async function reply(record: JobFollowUp): Promise<boolean> {
    const ending = record.ending;
    const chat = deps.chat();
    if (ending === undefined || chat === undefined) return false;
    const ttlMs = Math.max(1, record.keepUntil - clock.now());
    const id = jobFollowUpId(record);
    if (!(await store.claimOnce(replyClaim(id), ttlMs))) {
      await store.removeFromSet(JOB_FOLLOW_UPS_OPEN, id);
      return false;
    }
    let posted = false;
    try {
      const message = buildJobFollowUpView({
        jobId: record.jobId,
        verb: record.verb,
        ...(record.requesterId !== undefined && { requesterId: record.requesterId }),
        runEndedAt: record.runEndedAt,
        ending: ending.is,
        servers: ending.servers,
        more: ending.more,
      });
      await chat.postMessage(record.thread.channel, message, { threadTs: record.thread.ts });
      posted = true;
    } catch (error) {
      // Claimed: never posted twice, so not again either (as a run's summary).
      logger.warn({ err: error, job: record.jobId }, "could not post the job's follow-up in the thread");
    }
    await store.removeFromSet(JOB_FOLLOW_UPS_OPEN, id);
    return posted;
  }

  /** The job's servers read one by one by ID (at most `maxServersRead`), with their sub-jobs. */
  async function readServers(
    record: JobFollowUp,
    job: Job | undefined,
    signal: AbortSignal,
  ): Promise<{ read: JobFollowUpServer[]; more: number }> {
    const subJobs = new Map((job === undefined ? [] : serverResultsOf(job)).map((s) => [s.serverId, s]));
    const shown = record.servers.slice(0, settings.maxServersRead);
    const read = await mapWithConcurrency(shown, SERVER_READ_CONCURRENCY, async (s) => {
      const out: JobFollowUpServer = { id: s.id, name: s.name };
      const sub = subJobs.get(s.id);
      if (sub !== undefined)
        out.subJob = {
          status: sub.status,
          ...(sub.failReason !== undefined && { failReason: sub.failReason }),
        };
      try {
        const server = await deps.ecs.getServer(s.id, signal);
        out.now = server.taskState ? `${server.status} (${server.taskState})` : server.status;
      } catch (error) {
        if (!(error instanceof CloudError)) throw error;
        out.now = error.isNotFound ? "NOT_FOUND" : "UNREADABLE";
      }
      return out;
    });
    return { read, more: record.servers.length - shown.length };
  }

  async function runDue(): Promise<number> {
    const signal = stopping.signal;
    try {
      const ids = await store.members(JOB_FOLLOW_UPS_OPEN);
      const posted = await mapWithConcurrency(ids, PASS_CONCURRENCY, async (id) => {
        if (signal.aborted) return false;
        try {
          return await handle(id, signal);
        } catch (error) {
          if (!signal.aborted) logger.warn({ err: error, followUp: id }, "could not follow up a job");
          return false;
        }
      });
      return posted.filter(Boolean).length;
    } catch (error) {
      logger.warn({ err: error }, "could not look for job follow-ups due");
      return 0;
    }
  }

  const pass = repeatPass(runDue, {
    intervalMs: settings.passIntervalMs,
    timers: deps.timers ?? systemTimers,
  });

  return {
    afterRun,
    runDue: () => pass.run(),
    start() {
      if (stopping.signal.aborted) stopping = new AbortController();
      pass.start();
    },
    async stop() {
      stopping.abort(new Error("stopping"));
      await pass.stop();
    },
  };
}

/** The end time the cloud recorded for the job, if it did. */
function endTimeOf(job: Job): number | undefined {
  const at = Date.parse(job.endTime ?? "");
  return Number.isNaN(at) || at < 0 ? undefined : at;
}

function failReasonOf(job: Job): string | undefined {
  return job.failReason || job.errorCode || undefined;
}

function auditMessage(record: JobFollowUp, is: JobFollowUpEnding): string {
  const lead = `job ${record.jobId} (${record.verb}), left unknown when the run ended`;
  const kept = "; the run's recorded outcome is unchanged";
  switch (is.kind) {
    case "finished":
      return `${lead}: later the cloud finished it ${is.status} at ${new Date(is.at).toISOString()}${kept}`;
    case "gone":
      return `${lead}: later the job was gone from the cloud (seen ${new Date(is.at).toISOString()})${kept}`;
    case "gave_up":
      return `${lead}: not finished after ${Math.round(is.followedForMs / 3_600_000)} h of follow-up; no longer followed${kept}`;
  }
}
