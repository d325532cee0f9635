import { formatCount } from "../render/escape-mrkdwn.js";
import { code, context, type Message, md, type Part, type Span, section } from "../render/message-model.js";
import { describeDrift } from "./detect-drift.js";
import type { StepStatus } from "./flow-statuses.js";
import { plural } from "./format-flow-text.js";
import type { FlowViewJob, FlowViewState, FlowViewStep } from "./reduce-flow-event.js";

const STEP_ICONS: Readonly<Record<StepStatus, string>> = {
  pending: ":white_small_square:",
  running: ":hourglass_flowing_sand:",
  succeeded: ":white_check_mark:",
  failed: ":x:",
  outcome_unknown: ":grey_question:",
  skipped: ":heavy_minus_sign:",
};

const RUN_WORDS = {
  running: "running",
  succeeded: "finished",
  failed: "failed",
  outcome_unknown: "finished, outcome unknown",
  aborted: "aborted, nothing changed",
} as const;

/** Trusted emoji markup chosen from a closed map (never from data). */
function icon(name: string): Span {
  return { t: "plain", v: name };
}

/**
 * The thread's status message of a run in progress: one line per step with its status and, for a wait,
 * the job's sub-job counts. Pure; post it on `run_started` and update it (coalesced) on later events.
 */
export function flowStatusMessage(state: FlowViewState): Message {
  const heading = md`*${state.operation}* of ${plural(state.targetCount, "server")}: ${RUN_WORDS[state.status]}${
    state.resumed ? md` (resumed)` : md``
  }`;
  const lines = state.steps.flatMap((s) => [...md`\n`, ...stepLine(s)]);
  const blocks: Part[] = [section({ text: [...heading, ...lines] })];
  if (state.drift.length > 0) {
    blocks.push(
      section({
        text: [
          ...md`:warning: *The servers changed since approval; nothing was done:*`,
          ...state.drift.flatMap((d) => md`\n• ${describeDrift(d)}`),
        ],
      }),
    );
  }
  blocks.push(context(md`run ${code(state.runId)} · request ${code(state.requestId)}`));
  const current = state.steps.find((s) => s.id === state.currentStepId);
  const text = current
    ? md`${state.operation} of ${plural(state.targetCount, "server")}: ${RUN_WORDS[state.status]} (${current.id})`
    : md`${state.operation} of ${plural(state.targetCount, "server")}: ${RUN_WORDS[state.status]}`;
  return { text, blocks };
}

function stepLine(s: FlowViewStep): Span[] {
  const head = md`${icon(STEP_ICONS[s.status])} ${code(s.id)} ${s.description}`;
  if (s.status === "skipped") {
    return [
      ...head,
      ...md` _(skipped: ${s.skipReason === "no_targets" ? "no server needs it" : "flow stopped"})_`,
    ];
  }
  if (s.status === "running" && s.jobs.length > 0) return [...head, ...md` — ${jobsText(s.jobs)}`];
  if (s.counts && s.status !== "pending" && s.kind === "wait") {
    const c = s.counts;
    const parts = [`${formatCount(c.succeeded)} done`];
    if (c.failed > 0) parts.push(`${formatCount(c.failed)} failed`);
    if (c.unknown > 0) parts.push(`${formatCount(c.unknown)} unknown`);
    return [...head, ...md` — ${parts.join(", ")}`];
  }
  return head;
}

function jobsText(jobs: readonly FlowViewJob[]): Span[] {
  const total = jobs.reduce(
    (acc, j) => ({
      total: acc.total + j.counts.total,
      succeeded: acc.succeeded + j.counts.succeeded,
      failed: acc.failed + j.counts.failed,
      running: acc.running + j.counts.running,
    }),
    { total: 0, succeeded: 0, failed: 0, running: 0 },
  );
  const status = jobs.length === 1 ? jobs[0]!.status : `${jobs.length} jobs`;
  const parts = [`${formatCount(total.succeeded)} done`, `${formatCount(total.running)} running`];
  if (total.failed > 0) parts.push(`${formatCount(total.failed)} failed`);
  return md`${status}: ${parts.join(", ")} of ${formatCount(total.total)}`;
}
