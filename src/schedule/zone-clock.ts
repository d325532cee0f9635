/**
 * A zone's clock, one home for the instants a wall-clock reading names: the runtime's `Intl` reading of an
 * instant (`clockOf`, `offsetAt`) and, above it, the zone's offsets and changes found once and kept
 * (`zoneClock`), which the calendars' spans and the schedules' `--at` times both read. Pure but for the cache.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Offsets are sampled this far apart: no zone changes its clocks twice within 6 hours. */
const SAMPLE_MS = 6 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The local clock reading of an instant in a zone, as UTC milliseconds of that reading (seconds kept). */
export function clockOf(at: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterOf(zone).formatToParts(new Date(at)))
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** The zone's offset from UTC at an instant (ms, east positive), to the second. */
export function offsetAt(at: number, zone: string): number {
  const whole = Math.floor(at / 1000) * 1000;
  return clockOf(whole, zone) - whole;
}

/** How the zone's clock comes to a reading `naive` (UTC milliseconds of the reading). */
export interface Reading {
  /** The first instant the clock reads it or later (a skipped reading: the instant the clocks go forward). */
  reached: number;
  /** The last instant the clock comes to it from an earlier reading (repeated: the second time; skipped: the change). */
  lastReached: number;
  /**
   * The latest instant the reading can be taken to name: the second of a repeated one, and for a skipped one the
   * reading on the offset before the change (02:30 on a 02:00 → 03:00 night: 03:30), as croner and RFC 5545 read it.
   */
  latest: number;
}

/** The offsets and changes of one zone's clock, found as a search needs them. */
export interface ZoneClock {
  /** How the clock comes to the reading `naive`. */
  reading(naive: number): Reading;
  /** The zone's offset at `at`. */
  offset(at: number): number;
  /** The largest difference between the zone's offsets from `from` to `to` (0 where the clocks do not change). */
  spread(from: number, to: number): number;
  /** The instants the clocks change strictly after `from` and before `to`, in order. */
  changesBetween(from: number, to: number): number[];
}

/** Samples and changes kept per zone, at most this many each (a decade of samples), then started afresh. */
const MAX_KEPT = 16_000;
const kept = new Map<string, { samples: Map<number, number>; changes: Map<number, number> }>();

/**
 * The clock of one zone: its offset sampled every 6 hours, and each change between two samples found to the
 * second, once, and kept (the zone's rules do not change while the process runs; a policy decision reads several
 * starts per event, and each reading would otherwise ask the runtime a dozen times). It takes a zone never to
 * change its clocks twice within 6 hours, as no zone does.
 */
export function zoneClock(zone: string): ZoneClock {
  let memo = kept.get(zone);
  if (memo === undefined || memo.samples.size > MAX_KEPT || memo.changes.size > MAX_KEPT) {
    memo = { samples: new Map(), changes: new Map() };
    kept.set(zone, memo);
  }
  const { samples, changes } = memo;
  const sample = (k: number): number => {
    let offset = samples.get(k);
    if (offset === undefined) {
      offset = offsetAt(k * SAMPLE_MS, zone);
      samples.set(k, offset);
    }
    return offset;
  };
  /** The first instant (to the second) with sample k + 1's offset, when it differs from sample k's. */
  const changeAfter = (k: number): number => {
    let at = changes.get(k);
    if (at === undefined) {
      const after = sample(k + 1);
      let lo = k * SAMPLE_MS;
      let hi = (k + 1) * SAMPLE_MS;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2000) * 1000;
        if (offsetAt(mid, zone) === after) hi = mid;
        else lo = mid;
      }
      at = hi;
      changes.set(k, at);
    }
    return at;
  };
  const offset = (at: number): number => {
    const k = Math.floor(at / SAMPLE_MS);
    const before = sample(k);
    const after = sample(k + 1);
    return before === after || at < changeAfter(k) ? before : after;
  };
  // The instants a reading names lie within UTC−12 to UTC+14 of it; one sample more either side finds a change.
  const around = (naive: number) => ({
    from: Math.floor((naive - 14 * HOUR) / SAMPLE_MS) - 1,
    to: Math.ceil((naive + 12 * HOUR) / SAMPLE_MS) + 1,
  });
  const reading = (naive: number): Reading => {
    const { from, to } = around(naive);
    const offsets = new Set<number>();
    for (let k = from; k <= to; k++) offsets.add(sample(k));
    const instants = [...offsets]
      .map((o) => naive - o)
      .filter((at) => offset(at) === naive - at)
      .sort((a, b) => a - b);
    const first = instants[0];
    const last = instants.at(-1);
    if (first !== undefined && last !== undefined) return { reached: first, lastReached: last, latest: last };
    // Skipped: the clocks went forward at T from `before` to `after`, and T + before ≤ naive < T + after.
    for (let k = from; k < to; k++) {
      const before = sample(k);
      const after = sample(k + 1);
      if (after <= before) continue;
      const change = changeAfter(k);
      if (change + before <= naive && naive < change + after)
        return { reached: change, lastReached: change, latest: naive - before };
    }
    // Unreachable with real zones (a reading is named or skipped); the reading on the sampled offset, then.
    return { reached: naive - sample(from), lastReached: naive - sample(from), latest: naive - sample(from) };
  };
  const spread = (from: number, to: number): number => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = Math.floor(from / SAMPLE_MS); k <= Math.ceil(to / SAMPLE_MS); k++) {
      min = Math.min(min, sample(k));
      max = Math.max(max, sample(k));
    }
    return max - min;
  };
  const changesBetween = (from: number, to: number): number[] => {
    const found: number[] = [];
    for (let k = Math.floor(from / SAMPLE_MS); k * SAMPLE_MS < to; k++) {
      if (sample(k) === sample(k + 1)) continue;
      const change = changeAfter(k);
      if (from < change && change < to) found.push(change);
    }
    return found;
  };
  return { reading, offset, spread, changesBetween };
}
