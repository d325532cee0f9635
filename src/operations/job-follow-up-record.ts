/**
 * A followed job's record (`jobfollowup:<runId>:<jobId>`, listed in `jobfollowups:open`) and the pace of the
 * follow-ups: what `create-job-follow-ups.ts` keeps in the store between its passes.
 */
import * as z from "zod";

/** The follow-up's pace and bounds, in one place. */
export interface JobFollowUpSettings {
  /** The first look at the job, after the run ended; then the interval grows by `backoffFactor`. */
  firstIntervalMs: number;
  /** The interval stops growing here. */
  maxIntervalMs: number;
  backoffFactor: number;
  /** Followed this long after the run ended; then one reply says the bot stopped following it. */
  followForMs: number;
  /** How long a follow-up's record (and its reply's claim) is kept: a little longer than it is followed. */
  keepForMs: number;
  /** How often each replica looks for follow-ups due (by its timers; what is due is judged by the clock). */
  passIntervalMs: number;
  /** A job's servers read one by one (by ID) for the reply: more are counted, not read. */
  maxServersRead: number;
}

/** Every 2 minutes at first, backing off to every 10, for up to 24 hours. */
export const JOB_FOLLOW_UP_SETTINGS: JobFollowUpSettings = {
  firstIntervalMs: 2 * 60_000,
  maxIntervalMs: 10 * 60_000,
  backoffFactor: 1.5,
  followForMs: 24 * 60 * 60_000,
  keepForMs: 25 * 60 * 60_000,
  passIntervalMs: 30_000,
  maxServersRead: 25,
};

/** The set of the follow-ups' IDs: followed, or ended and not yet replied to. */
export const JOB_FOLLOW_UPS_OPEN = "jobfollowups:open";
/**
 * A follow-up's ID: its job's, under the run that left it (a job ID is the cloud's, unique; the run keeps a
 * follow-up to its own thread should a job ID ever come back, as in a simulator reset).
 */
export const jobFollowUpId = (f: Pick<JobFollowUp, "runId" | "jobId">) => `${f.runId}:${f.jobId}`;
/** A followed job's record. */
export const jobFollowUpKey = (id: string) => `jobfollowup:${id}`;

const ts = z.number().int().nonnegative();
const ServerSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  subJob: z.strictObject({ status: z.string(), failReason: z.string().optional() }).optional(),
  now: z.string().optional(),
});
const EndingSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("finished"),
    status: z.enum(["SUCCESS", "FAIL"]),
    at: ts,
    failReason: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal("gone"), at: ts }),
  z.strictObject({
    kind: z.literal("gave_up"),
    at: ts,
    followedForMs: ts,
    lastStatus: z.string().optional(),
  }),
]);
export const JobFollowUpSchema = z.strictObject({
  schema: z.literal(1),
  jobId: z.string().min(1),
  runId: z.string().min(1),
  requestId: z.string().min(1),
  requesterId: z.string().optional(),
  /** The operation (`stop`), for the words. */
  verb: z.string(),
  /** The request's root message: the reply goes in its thread. */
  thread: z.strictObject({ channel: z.string(), ts: z.string() }),
  /** The job's servers whose outcome stayed unknown. */
  servers: z.array(z.strictObject({ id: z.string(), name: z.string() })).min(1),
  runEndedAt: ts,
  followUntil: ts,
  /** When the record (and the reply's claim) expires. */
  keepUntil: ts,
  nextPollAt: ts,
  intervalMs: z.number().int().positive(),
  polls: z.number().int().nonnegative(),
  /** The job's status at its last read (at the deadline, then at each poll). */
  lastStatus: z.string().optional(),
  /** Set once, by CAS, when the follow-up ended: the reply then says it (exactly once). */
  ending: z
    .strictObject({ is: EndingSchema, servers: z.array(ServerSchema), more: z.number().int().nonnegative() })
    .optional(),
});
export type JobFollowUp = z.infer<typeof JobFollowUpSchema>;
