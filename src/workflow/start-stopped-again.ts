/**
 * `on_failure: start_stopped_then_stop_flow`: after the change of a flow that stops running servers to change
 * them (a resize, a migration) failed, the servers the run's own stop stopped whose change is known not to have
 * happened are started again, so a refused change does not leave a production server down. Known, never
 * guessed: the change was refused, or its job failed and a re-read by ID shows the server SHUTOFF, idle, with
 * its flavor and host as before. Anything else (the call or its job gave no answer, the re-read shows something
 * else or nothing) leaves the server stopped for a person to look at. The decision is saved with the planned
 * start before anything is sent, and the start follows the intent rule of every call: at most one start per
 * server, even when another replica resumes the run.
 */
import type { AuditEntryInput } from "../audit/audit-entry.js";
import type { Server } from "../cloud/types.js";
import { RESTART_STEP_ID } from "./flow-events.js";
import { isIn, STOPPING_STEP_STATUSES } from "./flow-statuses.js";
import type { CallName } from "./flow-vocabulary.js";
import { putBackEndOf } from "./put-back-end-of.js";
import { readServers } from "./read-servers.js";
import { sendMutations } from "./run-call-step.js";
import { auditBase, checkpoint, commit, emit, now, type RunContext, stepOf } from "./run-context.js";
import type { RestartRecord, RunRecord } from "./run-record.js";
import { settleMutations } from "./run-wait-step.js";
import { planMutations } from "./send-mutation.js";

/** How long the start's jobs are followed when the flow has no start step of its own to take it from. */
const DEFAULT_START_WAIT_MS = 15 * 60_000;

type Decision = { serverId: string; start: true } | ({ serverId: string; start: false } & LeftStopped);
type LeftStopped = RestartRecord["leftStopped"][number];

/**
 * Starts again, once, the servers the run stopped whose change did not happen, when the step that stopped the
 * flow asks for it; continues a start again an interruption left half done. Does nothing otherwise.
 */
export async function startStoppedAgain(ctx: RunContext): Promise<void> {
  if (ctx.record.restart === undefined && !(await decide(ctx))) return;
  const restart = ctx.record.restart;
  if (restart === undefined || restart.status === "finished") return;
  checkpoint(ctx);
  const timeoutMs = startWaitMs(ctx.record);
  await sendMutations(ctx, {
    stepId: RESTART_STEP_ID,
    call: "ecs.batch_start",
    waitTimeoutMs: timeoutMs,
    mutationsOf: (r) => r.restart?.mutations ?? [],
  });
  const sent = ctx.record.restart!;
  // Like a wait found running after an interruption: the full timeout from now.
  const { results, jobs, audit } = await settleMutations(ctx, {
    stepId: RESTART_STEP_ID,
    expect: "running",
    deadline: now(ctx) + timeoutMs,
    mutations: sent.mutations,
    serverIds: sent.serverIds,
  });
  const at = now(ctx);
  const started = results.filter((r) => r.result === "succeeded").map((r) => r.serverId);
  await commit(
    ctx,
    (r) => {
      const rs = r.restart!;
      rs.results = results;
      rs.jobs = jobs;
      rs.status = "finished";
      rs.finishedAt = at;
    },
    [
      ...audit,
      {
        ...auditBase(ctx.record),
        type: "execution.step",
        serverIds: sent.serverIds,
        message: `start again after the failed ${sent.call}: ${started.length} of ${sent.serverIds.length} started`,
        detail: {
          phase: "restart_finished",
          stepId: RESTART_STEP_ID,
          results: results.map((x) => ({
            serverId: x.serverId,
            result: x.result,
            ...(x.code !== undefined && { code: x.code }),
            ...(x.jobId !== undefined && { jobId: x.jobId }),
          })),
        },
      },
    ],
  );
  // Its line in the status message ends from each server's result, as a resumed run's shows it from the record:
  // not from the run's end, which lists only servers still SHUTOFF (a failed start may leave one in ERROR).
  // A start again of no server has no line.
  if (sent.serverIds.length === 0) return;
  const { status, counts } = putBackEndOf(results);
  emit(ctx.deps, {
    type: "step_finished",
    runId: ctx.record.runId,
    stepId: RESTART_STEP_ID,
    kind: "wait",
    status,
    counts,
    jobIds: jobs.map((j) => j.jobId),
    at,
  });
}

/** The flow's own start step's wait timeout: the start again is followed like it. */
function startWaitMs(record: RunRecord): number {
  const start = record.flow.steps.find((s) => s.kind === "call" && s.call === "ecs.batch_start");
  const wait = record.flow.steps.find((s) => s.kind === "wait" && s.after === start?.id);
  return wait?.kind === "wait" ? wait.timeoutMs : DEFAULT_START_WAIT_MS;
}

/**
 * Decides which servers to start again and saves the decision with the planned start (nothing is sent yet).
 * False when the step that stopped the flow does not ask for it, or no server the run stopped had its change
 * fail.
 */
async function decide(ctx: RunContext): Promise<boolean> {
  const { record } = ctx;
  const stopping = record.steps.find((s) => s.kind !== "call" && isIn(STOPPING_STEP_STATUSES, s.status));
  const def = record.flow.steps.find((s) => s.id === stopping?.id);
  if (stopping === undefined || def?.kind !== "wait" || def.onFailure !== "start_stopped_then_stop_flow")
    return false;
  const change = record.flow.steps.find((s) => s.id === def.after);
  if (change?.kind !== "call") return false;
  const changeRec = stepOf(record, change.id);
  const stoppedByRun = serversStoppedByTheRun(record);
  // Never a server that was stopped before the run: only what its own stop stopped, from the approved pre-state.
  const candidates = record.targets.filter(
    (t) => t.status === "ACTIVE" && stoppedByRun.has(t.id) && changeRec.serverIds.includes(t.id),
  );
  const decisions: Decision[] = [];
  const toRead: RunRecord["targets"] = [];
  for (const t of candidates) {
    const r = stopping.results.find((x) => x.serverId === t.id);
    if (r?.result === "succeeded") continue; // changed: the flow stopped before its start, as any stop_flow
    if (r === undefined || r.result === "unknown")
      decisions.push({ serverId: t.id, start: false, why: "change_unknown" });
    else toRead.push(t);
  }
  if (decisions.length === 0 && toRead.length === 0) return false;
  checkpoint(ctx);
  const reads =
    toRead.length > 0
      ? await readServers(
          ctx.deps.cloud.ecs,
          toRead.map((t) => t.id),
          ctx.deps.signal,
        )
      : new Map();
  for (const t of toRead) {
    const read = reads.get(t.id);
    if (read?.kind === "found") decisions.push(judge(t, read.server, change.call, record));
    else
      decisions.push({
        serverId: t.id,
        start: false,
        why: read?.kind === "not_found" ? "gone" : "unreadable",
      });
  }
  const startIds = decisions.filter((d) => d.start).map((d) => d.serverId);
  const leftStopped = decisions.flatMap((d): LeftStopped[] => {
    if (d.start) return [];
    const { serverId, start: _start, ...rest } = d;
    return [{ serverId, ...rest }];
  });
  const at = now(ctx);
  const restart: RestartRecord = {
    afterStep: def.id,
    call: change.call,
    status: "running",
    startedAt: at,
    serverIds: startIds,
    leftStopped,
    mutations: planMutations("ecs.batch_start", startIds, {}),
    results: [],
    jobs: [],
  };
  const entry: Omit<AuditEntryInput, "actorId"> = {
    ...auditBase(record),
    type: "execution.step",
    serverIds: candidates.map((t) => t.id),
    message: `${change.call} did not happen: ${startIds.length} server(s) this run stopped to be started again, ${leftStopped.length} left stopped`,
    detail: {
      phase: "restart_decided",
      stepId: RESTART_STEP_ID,
      afterStep: def.id,
      call: change.call,
      start: startIds,
      leftStopped: leftStopped.map((l) => ({ ...l })),
    },
  };
  await commit(
    ctx,
    (r) => {
      r.restart = restart;
    },
    [entry],
  );
  return true;
}

/** The servers the run's stop steps stopped (their wait saw them stopped). */
function serversStoppedByTheRun(record: RunRecord): Set<string> {
  const stops = record.flow.steps.filter(
    (s) => s.kind === "call" && s.call === "ecs.batch_stop" && s.when === "target_was_running",
  );
  const ids = new Set<string>();
  for (const stop of stops) {
    const wait = record.flow.steps.find((s) => s.kind === "wait" && s.after === stop.id);
    if (wait === undefined) continue;
    for (const r of stepOf(record, wait.id).results) if (r.result === "succeeded") ids.add(r.serverId);
  }
  return ids;
}

/** Whether the re-read shows the server as the run's stop left it, its change not made: then it is started. */
function judge(
  target: RunRecord["targets"][number],
  server: Server,
  call: CallName,
  record: RunRecord,
): Decision {
  const serverId = target.id;
  if (server.taskState) return { serverId, start: false, why: "busy", status: server.status };
  if (server.status !== "SHUTOFF")
    return { serverId, start: false, why: "not_shutoff", status: server.status };
  if (server.flavor.id !== target.flavor)
    return { serverId, start: false, why: "flavor_changed", flavor: server.flavor.id };
  if (call === "ecs.migrate" && onMigrationTarget(server, record.parameters.dedicatedHostId))
    return { serverId, start: false, why: "host_changed" };
  return { serverId, start: true };
}

/**
 * Whether the server shows the host its migration was sent to (or cannot tell): a DeH with that ID, or with no
 * ID given; the public pool when it was sent back to it. The approved pre-state has no host, so where the
 * migration was going is what proves it did not happen.
 */
function onMigrationTarget(server: Server, dedicatedHostId: string | undefined): boolean {
  const host = server.dedicatedHost;
  if (dedicatedHostId === undefined) return host === undefined;
  return host !== undefined && (host.id === undefined || host.id === dedicatedHostId);
}
