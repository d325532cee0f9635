import type { FleetEvent } from "./fleet-event.js";

/** What the quiet period remembers per event family (kept in the watcher's snapshot record). */
export interface QuietState {
  /** Last announcement per family. */
  announced: Record<string, { at: number; state: string }>;
  /** The latest change held back per family, and how many were held back. */
  pending: Record<string, { event: FleetEvent; heldBack: number }>;
}

export const EMPTY_QUIET_STATE: QuietState = { announced: {}, pending: {} };

export interface QuietInput {
  events: readonly FleetEvent[];
  /**
   * Transitions that operations of the bot explain (announced by the bot's own operation messages). They
   * are not announced here, but they change what the channel knows: a later change back is news.
   */
  explained?: readonly FleetEvent[];
  state: QuietState;
  now: number;
  quietPeriodMs: number;
  /** The family's state in the newest snapshot (undefined: not tracked, drop what was held back). */
  stateOf: (family: string) => string | undefined;
}

export interface QuietOutput {
  announce: FleetEvent[];
  /** Changes held back in this run. */
  held: number;
  state: QuietState;
}

/**
 * Flap damping. A family (one server's status, one host's agent…) is announced at most once per quiet
 * period: later changes within the period are held back. When the period is over, the last held-back
 * change is announced once if the family still is in that state and it differs from what was last
 * announced (so the channel ends up knowing the settled state, e.g. "still offline"); otherwise it is
 * dropped. Pure: returns the new state.
 */
export function applyQuietPeriod(input: QuietInput): QuietOutput {
  const { now, quietPeriodMs } = input;
  const announced = { ...input.state.announced };
  const pending = { ...input.state.pending };
  const announce: FleetEvent[] = [];
  let held = 0;
  const quiet = (family: string) => {
    const last = announced[family];
    return last !== undefined && now - last.at < quietPeriodMs;
  };

  const touched = new Set<string>();
  for (const event of input.explained ?? []) {
    touched.add(event.family);
    delete pending[event.family];
    const last = announced[event.family];
    if (last !== undefined) announced[event.family] = { at: last.at, state: event.state };
  }
  for (const event of input.events) {
    touched.add(event.family);
    if (quiet(event.family)) {
      pending[event.family] = { event, heldBack: (pending[event.family]?.heldBack ?? 0) + 1 };
      held++;
      continue;
    }
    const before = pending[event.family];
    announce.push(before ? { ...event, heldBack: before.heldBack } : event);
    announced[event.family] = { at: now, state: event.state };
    delete pending[event.family];
  }

  for (const [family, waiting] of Object.entries(pending)) {
    if (touched.has(family) || quiet(family)) continue;
    delete pending[family];
    const current = input.stateOf(family);
    if (current === undefined || current !== waiting.event.state) continue;
    if (current === announced[family]?.state) continue;
    // The held-back change itself is the news; count the others that were swallowed with it.
    const earlier = waiting.heldBack - 1;
    announce.push({ ...waiting.event, delayed: true, ...(earlier > 0 ? { heldBack: earlier } : {}) });
    announced[family] = { at: now, state: current };
  }

  // Announcements older than the quiet period no longer hold anything back.
  for (const [family, last] of Object.entries(announced)) {
    if (now - last.at >= quietPeriodMs && pending[family] === undefined) delete announced[family];
  }
  return { announce, held, state: { announced, pending } };
}
