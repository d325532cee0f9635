import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ApprovedTermsSchema } from "../approvals/approval-request.js";
import { ExplainableIntentSchema, SCHEDULE_ID_RE } from "../intents/intent-schema.js";
import type { Store } from "../store/store.js";
import { ApprovedServerSchema } from "./approved-servers.js";

/**
 * A recurring schedule as stored (`schedule:<id>`, listed in the set `schedules:all`): what runs (the command
 * line and its parsed intent), when (cron and zone), as whom (the owner), where it reports (the channel), and
 * what was approved (`maxTargets`, the command's policy terms, the approvers).
 */
export const ScheduleSchema = z.strictObject({
  id: z.string().regex(SCHEDULE_ID_RE),
  /** `pending`: its creation request awaits approval; `active`: runs at each slot; `paused`: does not. */
  status: z.enum(["pending", "active", "paused"]),
  cron: z.string().min(1),
  timeZone: z.string().min(1),
  commandLine: z.string().min(1),
  intent: ExplainableIntentSchema,
  /** The command's IAM-style action (what each run is decided on). */
  action: z.string().min(1),
  owner: z.strictObject({ userId: z.string().min(1), teamId: z.string().min(1) }),
  channel: z.string().min(1),
  channelName: z.string().optional(),
  /** The creation request (action `ops:schedule:create`). */
  requestId: z.string().min(1),
  /** At most this many servers per run: the number resolved when the schedule was asked for (on its card). */
  maxTargets: z.number().int().positive(),
  /**
   * The server each server reference of the command (exact name, ID, IP) named when the schedule was asked
   * for: each run acts on these IDs, never on another server that took the name. Absent in schedules stored
   * before it was kept: the run then takes them from the creation request (and keeps them here).
   */
  approvedServers: z.array(ApprovedServerSchema).optional(),
  /** The policy's decision on the command for the owner when the schedule was asked for. */
  commandTerms: ApprovedTermsSchema,
  /**
   * The people whose approvals made it active (each run checks its decision against what they approved). It
   * gives them no right to pause, resume or delete it: that is judged by the groups they are in at the time.
   */
  approvedBy: z.array(z.string().min(1)),
  /** Who may approve its creation, as the policy said (they may pause, resume and delete it too). */
  approvers: z.strictObject({ users: z.array(z.string()), groups: z.array(z.string()) }),
  createdAt: z.number().int().nonnegative(),
  activatedAt: z.number().int().nonnegative().optional(),
  /** The newest slot handled (run, skipped or missed): the next pass looks after it. */
  lastSlotAt: z.number().int().nonnegative().optional(),
  /** What happened at the newest slot, for `/ops schedule list`. */
  lastRun: z
    .strictObject({
      slotAt: z.number().int().nonnegative(),
      result: z.enum(["started", "skipped", "missed"]),
      requestId: z.string().optional(),
      why: z.string().optional(),
    })
    .optional(),
  pausedBy: z.string().optional(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export const scheduleKey = (id: string) => `schedule:${id}`;
/** Every schedule's ID (one set: a pass reads them all, `/ops schedule list` too). */
export const SCHEDULES_SET = "schedules:all";
/** The claim of one slot of one schedule: created once, by the replica that handles it. */
export const slotKey = (id: string, slotAt: number) => `schedslot:${id}@${new Date(slotAt).toISOString()}`;

/** `sch_` and 10 lower-case letters and digits: short enough to type after `/ops schedule pause`. */
export function newScheduleId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(10);
  let id = "sch_";
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}

/** Reads a schedule (undefined when absent or unreadable: a record that fails its schema is not run). */
export async function readSchedule(store: Store, id: string): Promise<Schedule | undefined> {
  const stored = await store.get<unknown>(scheduleKey(id));
  if (stored === undefined) return undefined;
  const parsed = ScheduleSchema.safeParse(stored.value);
  return parsed.success ? parsed.data : undefined;
}
