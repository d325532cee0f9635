import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { Store } from "../store/store.js";
import { wavePlanOf } from "../waves/plan-waves.js";
import { parentOfWaveRun, WaveRunRecordSchema, waveRunKey } from "../waves/wave-run-record.js";
import { OPEN_RUNS_SET, type RunRecord, RunRecordSchema, runKey } from "../workflow/run-record.js";
import { verbOf } from "./describe-request.js";

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

/**
 * The bot's changes still running on any of `request`'s servers, whichever replica drives them: read from the
 * store, never from this process's memory. A change holds its servers while its request is `executing` and its
 * run has not ended: its run record (`flowrun:`, or `waverun:` for a run in waves) still `running`, or not yet
 * created (claimed and about to start, or to be started by an adoption pass); a run that ended (before its
 * request was settled) holds nothing, nor does a request settled in any way. Open runs without an executing
 * request (orphans being resumed) hold their servers too. Reads the index of executing requests and the open
 * runs' index, one read per entry; never a scan. Throws when the store cannot be read.
 */
export async function findRunsHoldingServers(
  store: Pick<Store, "get" | "members">,
  approvals: Pick<ApprovalService, "listByStatus" | "get">,
  request: Pick<ApprovalRequest, "id" | "targets">,
): Promise<RunHoldingServers[]> {
  const names = new Map(request.targets.map((t) => [t.id, t.name]));
  const shared = (ids: readonly string[]) =>
    ids.flatMap((id) => {
      const name = names.get(id);
      return name === undefined ? [] : [{ id, name }];
    });
  const found: RunHoldingServers[] = [];
  const seenRuns = new Set<string>();
  for (const other of await approvals.listByStatus("executing")) {
    const runId = other.execution?.executionId;
    if (other.id === request.id || other.status !== "executing" || runId === undefined) continue;
    seenRuns.add(runId);
    const servers = shared(other.targets.map((t) => t.id));
    if (servers.length === 0 || !(await stillRuns(store, other, runId))) continue;
    found.push({
      requestId: other.id,
      verb: verbOf(other.action),
      requesterId: other.requester.userId,
      ...(other.message !== undefined && { message: other.message }),
      servers,
    });
  }
  for (const runId of await store.members(OPEN_RUNS_SET)) {
    if (seenRuns.has(runId) || seenRuns.has(parentOfWaveRun(runId) ?? "")) continue;
    const run = await readRun(store, runId);
    if (run === undefined || run.status !== "running" || run.requestId === request.id) continue;
    const servers = shared(run.targets.map((t) => t.id));
    if (servers.length === 0 || found.some((f) => f.requestId === run.requestId)) continue;
    const owner = await approvals.get(run.requestId);
    found.push({
      requestId: run.requestId,
      verb: run.operation,
      ...(owner !== undefined && { requesterId: owner.requester.userId }),
      ...(owner?.message !== undefined && { message: owner.message }),
      servers,
    });
  }
  return found;
}

/** Whether the executing request's run has not ended: its record says running, or it is not created yet. */
async function stillRuns(
  store: Pick<Store, "get">,
  request: Pick<ApprovalRequest, "parameters">,
  runId: string,
): Promise<boolean> {
  if (wavePlanOf(request.parameters) !== undefined) {
    const stored = await store.get<unknown>(waveRunKey(runId));
    if (stored === undefined) return true;
    const parsed = WaveRunRecordSchema.safeParse(stored.value);
    // A record that cannot be read is taken as running: a wrong "free" would send a second change.
    return !parsed.success || parsed.data.status === "running";
  }
  const stored = await store.get<unknown>(runKey(runId));
  if (stored === undefined) return true;
  const parsed = RunRecordSchema.safeParse(stored.value);
  return !parsed.success || parsed.data.status === "running";
}

async function readRun(store: Pick<Store, "get">, runId: string): Promise<RunRecord | undefined> {
  const stored = await store.get<unknown>(runKey(runId));
  const parsed = stored ? RunRecordSchema.safeParse(stored.value) : undefined;
  return parsed?.success ? parsed.data : undefined;
}
