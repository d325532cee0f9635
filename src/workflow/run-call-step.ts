import { plural } from "../render/escape-mrkdwn.js";
import type { StepStatus } from "./flow-statuses.js";
import type { CallName } from "./flow-vocabulary.js";
import { auditBase, checkpoint, commit, now, type RunContext, stepOf } from "./run-context.js";
import type { MutationRecord, RunRecord } from "./run-record.js";
import { finishStep, skipStep, startStep } from "./run-step-lifecycle.js";
import { callParamsOf, planMutations, sendMutation } from "./send-mutation.js";
import { emptyCounts } from "./summarize-run.js";
import type { CallStep } from "./types.js";

/** The `call` step: each mutation's intent saved before it is sent, never sent again once its outcome is unknown. */

/**
 * Where a run's mutations live and what they are for: a call step's, or the start again after a failed change
 * (`restart`). `waitTimeoutMs`: how long their wait follows them (for `deps.onBeforeMutation`).
 */
export interface MutationSlot {
  stepId: string;
  call: CallName;
  waitTimeoutMs?: number;
  mutationsOf: (r: RunRecord) => MutationRecord[];
}

/** Tells `deps.onBeforeMutation` what is about to be sent; its failures never stop the run. */
async function beforeMutation(ctx: RunContext, slot: MutationSlot, m: MutationRecord): Promise<void> {
  const hook = ctx.deps.onBeforeMutation;
  if (hook === undefined) return;
  try {
    await hook({
      call: m.call,
      serverIds: [...m.serverIds],
      ...(slot.waitTimeoutMs !== undefined && { waitTimeoutMs: slot.waitTimeoutMs }),
    });
  } catch {
    // Bookkeeping for others (e.g. notifications): the servers must change whether or not it worked.
  }
}

export async function runCall(ctx: RunContext, def: CallStep): Promise<void> {
  const rec = stepOf(ctx.record, def.id);
  if (rec.serverIds.length === 0) {
    await skipStep(ctx, def.id, def.kind, "no_targets");
    return;
  }
  // The plan is written with the step's start: nothing is sent before the intent of each call is saved.
  let plan: ((r: RunRecord) => void) | undefined;
  if (rec.status === "pending") {
    const params = callParamsOf(def.call, ctx.record.parameters);
    const mutations = planMutations(def.call, rec.serverIds, params);
    plan = (r) => {
      stepOf(r, def.id).mutations = mutations;
    };
  }
  await startStep(ctx, def, plan);
  const wait = ctx.record.flow.steps.find((s) => s.kind === "wait" && s.after === def.id);
  await sendMutations(ctx, {
    stepId: def.id,
    call: def.call,
    ...(wait?.kind === "wait" && { waitTimeoutMs: wait.timeoutMs }),
    mutationsOf: (r) => stepOf(r, def.id).mutations,
  });
  const mutations = stepOf(ctx.record, def.id).mutations;
  const counts = emptyCounts();
  for (const m of mutations) {
    const n = m.serverIds.length;
    if (m.state === "accepted") counts.succeeded += n;
    else if (m.state === "rejected") counts.failed += n;
    else counts.unknown += n;
  }
  const status: StepStatus =
    counts.failed > 0 ? "failed" : counts.unknown > 0 ? "outcome_unknown" : "succeeded";
  await finishStep(ctx, def, status, counts);
}

/**
 * Sends the planned mutations of `slot`, each after its intent is saved with its audit record, and saves each
 * outcome (the job ID, or the refusal, or the unknown outcome with the cloud's answer) right after. A mutation
 * found in `intent` (interrupted) may have been sent: it is marked `outcome_unknown`, never sent again.
 */
export async function sendMutations(ctx: RunContext, slot: MutationSlot): Promise<void> {
  const base = auditBase(ctx.record);
  for (const planned of slot.mutationsOf(ctx.record)) {
    const index = planned.index;
    const update = (change: (m: MutationRecord) => void) => (r: RunRecord) => {
      change(slot.mutationsOf(r)[index]!);
    };
    if (planned.state === "intent") {
      // Interrupted between saving the intent and saving the result: it may have been sent. Never resend.
      await commit(
        ctx,
        update((m) => {
          m.state = "outcome_unknown";
          m.interrupted = true;
          m.settledAt = now(ctx);
          m.error = {
            code: "INTERRUPTED",
            message: "interrupted after the intent was saved; the call may have been sent",
          };
        }),
        [
          {
            ...base,
            type: "execution.step",
            serverIds: planned.serverIds,
            message: `${slot.call}: interrupted after the intent was saved; not resent, to be reconciled from the servers`,
            detail: { phase: "interrupted", stepId: slot.stepId, call: slot.call, index },
          },
        ],
      );
      continue;
    }
    if (planned.state !== "planned") continue;
    checkpoint(ctx);
    await beforeMutation(ctx, slot, planned);
    await commit(
      ctx,
      update((m) => {
        m.state = "intent";
        m.intentAt = now(ctx);
      }),
      [
        {
          ...base,
          type: "execution.step",
          serverIds: planned.serverIds,
          message: `${slot.call} about to be sent for ${plural(planned.serverIds.length, "server")}`,
          detail: { phase: "intent", stepId: slot.stepId, call: slot.call, index, params: planned.params },
        },
      ],
    );
    ctx.deps.faultPoint?.("after-intent");
    const outcome = await sendMutation(ctx.deps.cloud.ecs, planned);
    ctx.deps.faultPoint?.("after-send");
    const at = now(ctx);
    if (outcome.kind === "accepted") {
      const jobId = outcome.jobId;
      await commit(
        ctx,
        update((m) => {
          m.state = "accepted";
          if (jobId !== undefined) m.jobId = jobId;
          m.settledAt = at;
        }),
        [
          jobId !== undefined
            ? {
                ...base,
                type: "execution.job",
                jobId,
                serverIds: planned.serverIds,
                message: `${slot.call} accepted: job ${jobId}`,
                detail: { stepId: slot.stepId, call: slot.call, index },
              }
            : {
                // Answered without a job (tags, lock): its wait confirms it from the servers.
                ...base,
                type: "execution.step",
                serverIds: planned.serverIds,
                message: `${slot.call} accepted (no job: confirmed from the servers)`,
                detail: { phase: "call_accepted", stepId: slot.stepId, call: slot.call, index },
              },
        ],
      );
    } else {
      await commit(
        ctx,
        update((m) => {
          m.state = outcome.kind;
          m.settledAt = at;
          m.error = { code: outcome.code, message: outcome.message };
        }),
        [
          {
            ...base,
            type: "execution.step",
            serverIds: planned.serverIds,
            message:
              outcome.kind === "rejected"
                ? `${slot.call} rejected: ${outcome.code} ${outcome.message}`
                : `${slot.call} outcome unknown (${outcome.code}: ${outcome.message}); not resent, to be reconciled from the servers`,
            detail: {
              phase: outcome.kind === "rejected" ? "call_rejected" : "call_outcome_unknown",
              stepId: slot.stepId,
              call: slot.call,
              index,
              code: outcome.code,
              // The cloud's answer (HTTP status, error code, request ID): what Huawei support asks for.
              ...(outcome.kind === "outcome_unknown" && { answer: outcome.message }),
            },
          },
        ],
      );
    }
  }
}
