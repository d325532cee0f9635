/**
 * Server holds: which of the bot's changes is running on a server, one store key per server
 * (`serverhold:<id>`), whichever replica drives the change. A claimed request takes a hold on each of its
 * servers before anything is sent and gives them back once its run has ended; so two approved changes of the
 * same server never both run, even when they are approved on two replicas in the same millisecond (each
 * hold is taken by compare-and-swap, and the servers are taken in one order, so of two changes sharing
 * servers exactly one takes them all).
 *
 * A hold is judged by the change named in it, never by its age: it holds while that change's run has not
 * ended (its record says running, or it is not created yet and its request is still executing under that run
 * ID). One whose run has ended holds nothing and is taken over, so a replica that died before giving its
 * holds back blocks nobody. Reading the holds of a request costs one read a server (plus one a holder): never
 * the fleet, nor the other changes running.
 */
import { z } from "zod";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import { abortUpdate, type Store, writeUpdate } from "../store/store.js";
import { wavePlanOf } from "../waves/plan-waves.js";
import { WaveRunRecordSchema, waveRunKey } from "../waves/wave-run-record.js";
import { RunRecordSchema, runKey } from "../workflow/run-record.js";
import { verbOf } from "./describe-request.js";

export const serverHoldKey = (serverId: string) => `serverhold:${serverId}`;

const TakenSchema = z.strictObject({
  requestId: z.string().min(1),
  runId: z.string().min(1),
  at: z.number().int().nonnegative(),
});
const ReleasedSchema = z.strictObject({ released: z.literal(true) });
const HoldSchema = z.union([TakenSchema, ReleasedSchema]);
type Taken = z.infer<typeof TakenSchema>;

/** A given-back hold is kept a while as "released" (a compare-and-swap never deletes), then is gone. */
const RELEASED_TTL_MS = 60 * 60_000;
/** Reads (and gives-back) of a request's servers at once; taking stays one server after the other. */
const READ_CONCURRENCY = 32;
/** Lost races on one server before the take gives up (throws: the caller tries again later). */
const TAKE_RETRIES = 5;

/** Another of the bot's changes still running on some of a request's servers. */
export interface RunHoldingServers {
  /** The request the run executes. */
  requestId: string;
  /** What it does (`reboot`). */
  verb: string;
  /** Who asked for it, when its request can be read. */
  requesterId?: string;
  /** Its card, for a link to its thread, when its request can be read. */
  message?: ApprovalRequest["message"];
  /** The servers both changes are for: their IDs and names (as the request asking now has them). */
  servers: { id: string; name: string }[];
}

type HoldDeps = { store: Pick<Store, "get">; approvals: Pick<ApprovalService, "get"> };
type TakeDeps = {
  store: Pick<Store, "get" | "createIfAbsent" | "compareAndSwap" | "update">;
  approvals: Pick<ApprovalService, "get">;
};

/** What a hold's change is, as far as the store tells: whether its run goes on, and who to name. */
interface Holder {
  holds: boolean;
  owner: ApprovalRequest | undefined;
  verb: string;
}

/**
 * Whether the change named by `hold` still runs. Its run's record decides (running, or unreadable: a wrong
 * "free" would send a second change); without a record, its request executing under that run ID (claimed,
 * about to start) holds, and anything else (settled, claimed again, gone) does not. Throws when the store
 * cannot be read.
 */
async function judgeHolder(deps: HoldDeps, hold: Taken): Promise<Holder> {
  const owner = await deps.approvals.get(hold.requestId);
  const waves = owner === undefined ? undefined : wavePlanOf(owner.parameters) !== undefined;
  const verb = owner !== undefined ? verbOf(owner.action) : "change";
  if (waves !== true) {
    const stored = await deps.store.get<unknown>(runKey(hold.runId));
    if (stored !== undefined) {
      const parsed = RunRecordSchema.safeParse(stored.value);
      return {
        holds: !parsed.success || parsed.data.status === "running",
        owner,
        verb: owner !== undefined || !parsed.success ? verb : parsed.data.operation,
      };
    }
  }
  if (waves !== false) {
    const stored = await deps.store.get<unknown>(waveRunKey(hold.runId));
    if (stored !== undefined) {
      const parsed = WaveRunRecordSchema.safeParse(stored.value);
      return { holds: !parsed.success || parsed.data.status === "running", owner, verb };
    }
  }
  const claimed = owner?.status === "executing" && owner.execution?.executionId === hold.runId;
  return { holds: claimed, owner, verb };
}

/** The stored hold of a server: taken (by whom), free (none or given back). Throws on a malformed value. */
function parseHold(serverId: string, value: unknown): Taken | undefined {
  const parsed = HoldSchema.safeParse(value);
  // Fails closed: an unreadable hold stops the change (logged by the caller), never frees the server.
  if (!parsed.success) throw new Error(`the hold of server ${serverId} cannot be read`);
  return "released" in parsed.data ? undefined : parsed.data;
}

/**
 * The bot's changes other than `request`'s run still running on any of its servers, from their holds.
 * `runId`: the run `request` has (or will have); holds of that run are its own. Throws when the store cannot
 * be read.
 */
export async function findRunsHoldingServers(
  deps: HoldDeps,
  request: Pick<ApprovalRequest, "id" | "targets">,
  runId?: string,
): Promise<RunHoldingServers[]> {
  const held = new Map<string, { hold: Taken; servers: { id: string; name: string }[] }>();
  await forEachChunk(request.targets, async (target) => {
    const stored = await deps.store.get<unknown>(serverHoldKey(target.id));
    const hold = stored === undefined ? undefined : parseHold(target.id, stored.value);
    if (hold === undefined || hold.runId === runId || hold.requestId === request.id) return;
    const entry = held.get(hold.runId) ?? { hold, servers: [] };
    entry.servers.push({ id: target.id, name: target.name });
    held.set(hold.runId, entry);
  });
  const found: RunHoldingServers[] = [];
  const order = new Map(request.targets.map((t, i) => [t.id, i]));
  for (const { hold, servers } of held.values()) {
    const holder = await judgeHolder(deps, hold);
    if (!holder.holds) continue;
    found.push(
      shownHolder(
        hold,
        holder,
        servers.sort((a, b) => order.get(a.id)! - order.get(b.id)!),
      ),
    );
  }
  return found;
}

/** What may be said of a holder to the person whose change it holds. */
function shownHolder(hold: Taken, holder: Holder, servers: RunHoldingServers["servers"]): RunHoldingServers {
  return {
    requestId: hold.requestId,
    verb: holder.verb,
    ...(holder.owner !== undefined && { requesterId: holder.owner.requester.userId }),
    ...(holder.owner?.message !== undefined && { message: holder.owner.message }),
    servers,
  };
}

/** Took every server; or another change holds one (`holders`: the first found), and this took none. */
export type HoldResult = { ok: true } | { ok: false; holders: RunHoldingServers[] };

/**
 * Takes a hold on each of the claimed `request`'s servers for its run `runId`, one after the other in the
 * order of their IDs, each by compare-and-swap: free (none, given back, or its change ended) or already this
 * run's. When another change still holds one, gives back those it took and answers who holds it. Throws when
 * the store cannot be read or written (after giving back what it took, as far as it can).
 */
export async function holdServers(
  deps: TakeDeps,
  request: Pick<ApprovalRequest, "id" | "targets">,
  runId: string,
  now: number,
): Promise<HoldResult> {
  const names = new Map(request.targets.map((t) => [t.id, t.name]));
  const ids = [...names.keys()].sort();
  const mine: Taken = { requestId: request.id, runId, at: now };
  const taken: string[] = [];
  try {
    for (const id of ids) {
      const holder = await takeOne(deps, id, mine);
      if (holder === undefined) {
        taken.push(id);
        continue;
      }
      await releaseHolds(deps, taken, runId);
      // Every server of this request the holder has: it holds them all (its holds are taken before it runs).
      const servers = holder.owner?.targets.filter((t) => names.has(t.id)) ?? [];
      const shared = servers.length > 0 ? servers : [{ id, name: names.get(id) ?? id }];
      return {
        ok: false,
        holders: [
          shownHolder(
            holder.hold,
            holder,
            shared.map((t) => ({ id: t.id, name: names.get(t.id) ?? t.name })),
          ),
        ],
      };
    }
    return { ok: true };
  } catch (error) {
    await releaseHolds(deps, taken, runId).catch(() => undefined);
    throw error;
  }
}

/** Takes one server's hold for `mine`; undefined when taken (or already its), else who holds it. */
async function takeOne(
  deps: TakeDeps,
  serverId: string,
  mine: Taken,
): Promise<(Holder & { hold: Taken }) | undefined> {
  const key = serverHoldKey(serverId);
  for (let attempt = 0; attempt <= TAKE_RETRIES; attempt++) {
    if (await deps.store.createIfAbsent(key, mine)) return undefined;
    const stored = await deps.store.get<unknown>(key);
    if (stored === undefined) continue;
    const hold = parseHold(serverId, stored.value);
    if (hold !== undefined && hold.runId === mine.runId) return undefined;
    if (hold !== undefined) {
      const holder = await judgeHolder(deps, hold);
      if (holder.holds) return { ...holder, hold };
    }
    if (await deps.store.compareAndSwap(key, stored.version, mine)) return undefined;
  }
  throw new Error(`could not take the hold of server ${serverId}: too much contention`);
}

type ReleaseDeps = { store: Pick<Store, "update"> };

/**
 * Gives back the holds `runId` has on `request`'s servers (once its run has ended): each only if it is still
 * this run's. Throws when the store cannot be written; a hold not given back is judged by its ended run.
 */
export async function releaseServers(
  deps: ReleaseDeps,
  request: Pick<ApprovalRequest, "targets">,
  runId: string,
): Promise<void> {
  await releaseHolds(
    deps,
    request.targets.map((t) => t.id),
    runId,
  );
}

async function releaseHolds(deps: ReleaseDeps, serverIds: readonly string[], runId: string): Promise<void> {
  await forEachChunk(serverIds, async (id) => {
    await deps.store.update<unknown, "not_mine">(
      serverHoldKey(id),
      (current) => {
        const parsed = TakenSchema.safeParse(current?.value);
        if (!parsed.success || parsed.data.runId !== runId) return abortUpdate("not_mine");
        return writeUpdate({ released: true }, { ttlMs: RELEASED_TTL_MS });
      },
      { retries: 3 },
    );
  });
}

async function forEachChunk<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += READ_CONCURRENCY)
    await Promise.all(items.slice(i, i + READ_CONCURRENCY).map(fn));
}
