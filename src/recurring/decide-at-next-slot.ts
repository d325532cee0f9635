import { matchGlob } from "../policy/match-glob.js";
import type { Policy, PolicyDecision } from "../policy/types.js";
import { nextSlots, type ScheduleTiming, slotsBetween } from "./parse-schedule-timing.js";

type Denied = Extract<PolicyDecision, { effect: "deny" }>;
type Proceeding = Exclude<PolicyDecision, { effect: "deny" }>;

/**
 * How far a schedule's creation looks for a run the policy lets through when its next one is denied (from that
 * one): a year of a weekly schedule, a few hours of one every minute (each slot costs a cron step and a
 * decision, about 1.5 ms).
 */
export const SLOT_LOOK_AHEAD = { maxSlots: 200, maxMs: 366 * 86_400_000 } as const;

/** The command's decision for a new schedule, and the slot it was decided at. */
export type SlotDecision =
  /** The cron names no time to come (e.g. `0 0 30 2 *`): there is nothing to decide. */
  | { kind: "no_slot" }
  /** Decided at the next slot; the policy lets it through (allowed or with approval). */
  | { kind: "next"; slotAt: number; decision: Proceeding }
  /**
   * The next slot is denied (`denied`, at `deniedAt`), as are the `skipped - 1` slots after it; `slotAt` is the
   * first slot the policy lets through and `decision` the decision there (what the schedule is asked under).
   */
  | {
      kind: "later";
      deniedAt: number;
      denied: Denied;
      skipped: number;
      slotAt: number;
      decision: Proceeding;
    }
  /** Every slot looked at is denied: the next one (`slotAt`, `decision`) up to the last looked at. */
  | { kind: "denied"; slotAt: number; decision: Denied; lastCheckedAt: number; checked: number };

/**
 * Decides a schedule's command at its next slot, as each run will be decided (calendars judged at the run's
 * time, so a freeze or a window counts when the run happens, not when the schedule is asked for). When that
 * slot is denied, the next slots are decided too, up to {@link SLOT_LOOK_AHEAD}: the schedule may then be asked
 * for under the first slot the policy lets through, the denied runs before it being skipped when they come.
 * `decideAt` is the policy's decision for the command at an instant. With `timeMatters` false (no rule on the
 * action has a calendar condition: see {@link calendarsMatter}) every slot would be decided alike, so only the
 * next is. Pure given `decideAt`.
 */
export function decideAtNextSlot(
  timing: ScheduleTiming,
  now: number,
  decideAt: (at: number) => PolicyDecision,
  options: { timeMatters?: boolean; limits?: { maxSlots: number; maxMs: number } } = {},
): SlotDecision {
  const limits = options.limits ?? SLOT_LOOK_AHEAD;
  const first = nextSlots(timing, now, 1)[0];
  if (first === undefined) return { kind: "no_slot" };
  const firstDecision = decideAt(first);
  if (firstDecision.effect !== "deny") return { kind: "next", slotAt: first, decision: firstDecision };
  // The look-ahead counts from the next slot (a yearly schedule's next run may be months away).
  const { slots: later } =
    options.timeMatters === false
      ? { slots: [] }
      : slotsBetween(timing, first, first + limits.maxMs, limits.maxSlots - 1, "oldest");
  const slots = [first, ...later];
  for (let i = 1; i < slots.length; i++) {
    const slotAt = slots[i] as number;
    const decision = decideAt(slotAt);
    if (decision.effect !== "deny")
      return { kind: "later", deniedAt: first, denied: firstDecision, skipped: i, slotAt, decision };
  }
  return {
    kind: "denied",
    slotAt: first,
    decision: firstDecision,
    lastCheckedAt: slots.at(-1) ?? first,
    checked: slots.length,
  };
}

/**
 * Whether the time of a request can change the policy's decision on `action`: some rule on it has a calendar
 * condition (`during`, `outside`). When none has, a decision at one time is the decision at any.
 */
export function calendarsMatter(policy: Policy, action: string): boolean {
  return policy.rules.some(
    (rule) =>
      (rule.when.during !== undefined || rule.when.outside !== undefined) &&
      rule.actions.some((pattern) => matchGlob(pattern, action)),
  );
}
