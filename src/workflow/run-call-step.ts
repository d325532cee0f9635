import { plural } from "../render/escape-mrkdwn.js";
import type { StepStatus } from "./flow-statuses.js";
import { auditBase, checkpoint, commit, now, type RunContext, stepOf } from "./run-context.js";
import type { MutationRecord, RunRecord } from "./run-record.js";
import { finishStep, skipStep, startStep } from "./run-step-lifecycle.js";
import { callParamsOf, planMutations, sendMutation } from "./send-mutation.js";
import { emptyCounts } from "./summarize-run.js";
import type { CallStep } from "./types.js";

/** The `call` step: each mutation's intent saved before it is sent, never sent again once its outcome is unknown. */

/** Tells `deps.onBeforeMutation` what is about to be sent; its failures never stop the run. */
async function beforeMutation(ctx: RunContext, def: CallStep, m: MutationRecord): Promise<void> {
  const hook = ctx.deps.onBeforeMutation;
  if (hook === undefined) return;
  const wait = ctx.record.flow.steps.find((s) => s.kind === "wait" && s.after === def.id);
  try {
    await hook({
      call: m.call,
      serverIds: [...m.serverIds],
      ...(wait?.kind === "wait" && { waitTimeoutMs: wait.timeoutMs }),
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
  const base = auditBase(ctx.record);
  for (const planned of stepOf(ctx.record, def.id).mutations) {
    const index = planned.index;
    const update = (change: (m: MutationRecord) => void) => (r: RunRecord) => {
      change(stepOf(r, def.id).mutations[index]!);
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
            message: `${def.call}: interrupted after the intent was saved; not resent, to be reconciled from the servers`,
            detail: { phase: "interrupted", stepId: def.id, call: def.call, index },
          },
        ],
      );
      continue;
    }
    if (planned.state !== "planned") continue;
    checkpoint(ctx);
    await beforeMutation(ctx, def, planned);
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
          message: `${def.call} about to be sent for ${plural(planned.serverIds.length, "server")}`,
          detail: { phase: "intent", stepId: def.id, call: def.call, index, params: planned.params },
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
                message: `${def.call} accepted: job ${jobId}`,
                detail: { stepId: def.id, call: def.call, index },
              }
            : {
                // Answered without a job (tags, lock): its wait confirms it from the servers.
                ...base,
                type: "execution.step",
                serverIds: planned.serverIds,
                message: `${def.call} accepted (no job: confirmed from the servers)`,
                detail: { phase: "call_accepted", stepId: def.id, call: def.call, index },
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
                ? `${def.call} rejected: ${outcome.code} ${outcome.message}`
                : `${def.call} outcome unknown (${outcome.code}: ${outcome.message}); not resent, to be reconciled from the servers`,
            detail: {
              phase: outcome.kind === "rejected" ? "call_rejected" : "call_outcome_unknown",
              stepId: def.id,
              call: def.call,
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
