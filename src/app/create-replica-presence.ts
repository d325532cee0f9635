/**
 * What replicas sharing a store must agree on and cannot see by themselves: the same declarative files (a
 * replica with another policy decides the same request differently, and its re-decision before execution
 * "finds the policy changed" when nothing changed), and one clock (leases expire by each replica's own clock:
 * one far ahead takes runs away from replicas that are renewing them). Each replica writes what it runs with
 * under `replica:<id>` (kept while it renews it) and compares with the others: a difference is logged once and
 * shown by `/metrics`; a clock too far off the store's refuses the start.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Clock, Store } from "../store/store.js";
import { OPERATIONS } from "../workflow/flow-vocabulary.js";

/** The SHA-256 (hex, first 12) of each declarative file set a replica runs with. */
export interface ConfigFingerprint {
  policy: string;
  flows: string;
  notifications: string;
}

/** Fingerprints the files by their bytes (a comment or a space is a difference too: they are other files). */
export async function fingerprintConfigFiles(files: {
  policyFile: string;
  flowsDir: string;
  notificationsFile: string;
}): Promise<ConfigFingerprint> {
  const hashOf = (parts: readonly (string | Buffer)[]) => {
    const hash = createHash("sha256");
    for (const part of parts) hash.update(part);
    return hash.digest("hex").slice(0, 12);
  };
  const readOrEmpty = (path: string) => readFile(path).catch(() => Buffer.alloc(0));
  // The files the flows are loaded from, and no other: with the defaults, `FLOWS_DIR` also holds the policy and
  // the notifications, which an edit of theirs must not show as a difference in the flows too.
  const flowNames = OPERATIONS.map((operation) => `${operation}.yml`).sort();
  const flowParts = await Promise.all(
    flowNames.map(async (name) => [`${name}\0`, await readOrEmpty(join(files.flowsDir, name))] as const),
  );
  return {
    policy: hashOf([await readOrEmpty(files.policyFile)]),
    flows: hashOf(flowParts.flat()),
    notifications: hashOf([await readOrEmpty(files.notificationsFile)]),
  };
}

/** What a replica publishes about itself. */
interface ReplicaRecord {
  replicaId: string;
  files: ConfigFingerprint;
  startedAt: number;
  /** Its clock minus the store's, when the store has one (ms). */
  skewMs?: number;
}

export const REPLICAS_SET = "replicas";
export const replicaKey = (replicaId: string) => `replica:${replicaId}`;

/** A replica whose clock is this far off the store's does not start: its leases would not mean what they say. */
export const MAX_START_SKEW_MS = 5_000;
/** Past this, a running replica's clock is said to be off (logged, and in `/metrics`). */
export const WARN_SKEW_MS = 1_000;

export interface PresenceLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ReplicaPresenceDeps {
  store: Store;
  clock: Clock;
  logger: PresenceLogger;
  replicaId: string;
  files: ConfigFingerprint;
  /** Receives each check's findings (the `/metrics` gauges). */
  onCheck?: (report: PresenceReport) => void;
  /** How often the record is renewed and the others compared; default 30 s (the record lasts three times it). */
  everyMs?: number;
  /** Monotonic ms for the round trip of the store's clock; default `performance.now`. */
  elapsed?: () => number;
  /** Compare `clock` with the store's; default true (false when the clock is not the machine's). */
  measureClock?: boolean;
}

/** One comparison with the store's clock and the other live replicas. */
export interface PresenceReport {
  /** This replica's clock minus the store's (ms); undefined when the store has no clock of its own. */
  skewMs: number | undefined;
  /** Live replicas running other files, with which files differ. */
  differing: { replicaId: string; files: (keyof ConfigFingerprint)[] }[];
  /** Live replicas seen, this one included. */
  replicas: number;
}

export interface ReplicaPresence {
  /** Measures the clock (refusing a start far off the store's), publishes this replica and compares. */
  start(): Promise<PresenceReport>;
  /** One renewal and comparison now (the timer's work). Never throws. */
  check(): Promise<PresenceReport | undefined>;
  /** Stops renewing and removes this replica's record. */
  stop(): Promise<void>;
}

/** The start refused: the replica's clock is too far off the shared store's. */
export class ClockSkewError extends Error {
  override readonly name = "ClockSkewError";
  constructor(readonly skewMs: number) {
    super(
      `this machine's clock is ${formatSkew(skewMs)} ${skewMs > 0 ? "ahead of" : "behind"} the state store's (Redis); ` +
        `replicas hand runs over by the time their leases expire, so clocks must agree within ${MAX_START_SKEW_MS / 1000} s: ` +
        "synchronise the clock (NTP) and start again",
    );
  }
}

function formatSkew(ms: number): string {
  return `${(Math.abs(ms) / 1000).toFixed(1)} s`;
}

export function createReplicaPresence(deps: ReplicaPresenceDeps): ReplicaPresence {
  const { store, clock, logger, replicaId, files } = deps;
  const everyMs = deps.everyMs ?? 30_000;
  const elapsed = deps.elapsed ?? (() => performance.now());
  const startedAt = clock.now();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  // Said once per state, not at every check: a difference or a skew is logged when it starts and when it ends.
  const said = new Set<string>();
  let skewSaid = false;

  async function measureSkew(): Promise<number | undefined> {
    if (store.serverTime === undefined || deps.measureClock === false) return undefined;
    const sent = elapsed();
    const before = clock.now();
    const serverNow = await store.serverTime();
    const roundTrip = elapsed() - sent;
    // The store read its clock about halfway through the round trip.
    return Math.round(before + roundTrip / 2 - serverNow);
  }

  async function publishAndCompare(skewMs: number | undefined): Promise<PresenceReport> {
    const record: ReplicaRecord = {
      replicaId,
      files,
      startedAt,
      ...(skewMs !== undefined && { skewMs }),
    };
    await store.update<ReplicaRecord, never>(replicaKey(replicaId), () => record, {
      retries: 3,
      ttlMs: everyMs * 3,
    });
    await store.addToSet(REPLICAS_SET, replicaId);
    const others: ReplicaRecord[] = [];
    for (const id of await store.members(REPLICAS_SET)) {
      if (id === replicaId) continue;
      const found = await store.get<ReplicaRecord>(replicaKey(id));
      // Gone (stopped, or its record lapsed): forgotten.
      if (found === undefined) await store.removeFromSet(REPLICAS_SET, id);
      else others.push(found.value);
    }
    const differing = others.flatMap((o) => {
      const which = (Object.keys(files) as (keyof ConfigFingerprint)[]).filter(
        (k) => o.files?.[k] !== files[k],
      );
      return which.length === 0 ? [] : [{ replicaId: o.replicaId, files: which }];
    });
    return { skewMs, differing, replicas: others.length + 1 };
  }

  function sayChanges(report: PresenceReport): void {
    const now = new Set(report.differing.map((d) => `${d.replicaId}:${d.files.join(",")}`));
    for (const d of report.differing) {
      const key = `${d.replicaId}:${d.files.join(",")}`;
      if (said.has(key)) continue;
      said.add(key);
      logger.warn(
        { replicaId, other: d.replicaId, files: d.files, mine: files },
        `replica ${d.replicaId} runs other ${d.files.join(" and ")} files than this one: the same request can be decided differently by each (deploy the same files to every replica)`,
      );
    }
    for (const key of [...said]) {
      if (!now.has(key)) {
        said.delete(key);
        logger.info({ replicaId, other: key.split(":")[0] }, "the replicas run the same files again");
      }
    }
    const off = report.skewMs !== undefined && Math.abs(report.skewMs) > WARN_SKEW_MS;
    if (off && !skewSaid)
      logger.warn(
        { replicaId, skewMs: report.skewMs },
        `this machine's clock is ${formatSkew(report.skewMs ?? 0)} off the state store's: run leases may be handed over early or late (synchronise the clock)`,
      );
    if (!off && skewSaid)
      logger.info({ replicaId, skewMs: report.skewMs }, "this machine's clock agrees with the store's again");
    skewSaid = off;
  }

  async function check(): Promise<PresenceReport | undefined> {
    try {
      const report = await publishAndCompare(await measureSkew());
      sayChanges(report);
      deps.onCheck?.(report);
      return report;
    } catch (error) {
      // The store is out: the commands say so; this check is tried again at the next interval.
      logger.warn(
        { replicaId, error: (error as Error).message },
        "could not compare with the other replicas",
      );
      return undefined;
    }
  }

  return {
    async start() {
      const skewMs = await measureSkew();
      if (skewMs !== undefined && Math.abs(skewMs) > MAX_START_SKEW_MS) throw new ClockSkewError(skewMs);
      const report = await publishAndCompare(skewMs);
      sayChanges(report);
      deps.onCheck?.(report);
      timer = setInterval(() => {
        running ??= check().finally(() => {
          running = undefined;
        });
      }, everyMs);
      timer.unref();
      return report;
    },
    check,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running;
      await store.delete(replicaKey(replicaId)).catch(() => false);
      await store.removeFromSet(REPLICAS_SET, replicaId).catch(() => false);
    },
  };
}
