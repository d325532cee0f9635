import { formatCount, plural } from "../render/escape-mrkdwn.js";
import { localTime, type Message, md, type Part, type Span, section } from "../render/message-model.js";
import { abortReasonOf, describeDrift, isUnreadable } from "./detect-drift.js";
import { SERVER_RESULTS, type ServerResult, type StepStatus } from "./flow-statuses.js";
import type { CallName, Expectation } from "./flow-vocabulary.js";
import { formatElapsed } from "./format-flow-text.js";
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
  outcome_unknown: "finished",
  // Refused by its re-check before anything was sent: "aborted" would read as a person's Abort.
  aborted: "not run",
} as const;

/** What follows the time in a finished run's heading: what the state word alone leaves unsaid. */
const RUN_AFTERWORDS: Partial<Record<keyof typeof RUN_WORDS, string>> = {
  outcome_unknown: ", outcome unknown",
  aborted: "; nothing was sent",
};

/** Trusted emoji markup chosen from a closed map (never from data). */
function icon(name: string): Span {
  return { t: "plain", v: name };
}

/** What a step does, in operator words (never the flow file's description, never a step ID). */
const CALL_WORDS: Readonly<Record<CallName, string>> = {
  "ecs.batch_start": "Start the servers",
  "ecs.batch_stop": "Stop the servers",
  "ecs.batch_reboot": "Reboot the servers",
  "ecs.resize": "Change the flavor",
  "ecs.delete": "Delete the servers",
  "ecs.add_tags": "Add the tags",
  "ecs.delete_tags": "Remove the tags",
  "ecs.lock": "Lock the servers",
  "ecs.unlock": "Unlock the servers",
  "ecs.reinstall": "Reinstall the operating system",
  "ecs.change_os": "Change the operating system",
  "ecs.attach_volume": "Attach the disk",
  "ecs.detach_volume": "Detach the disk",
  "ecs.migrate": "Migrate the server",
};
const WAIT_WORDS: Readonly<Record<Expectation, string>> = {
  running: "Wait until they are running",
  stopped: "Wait until they are stopped",
  rebooted: "Wait until they are back up",
  resized: "Wait until the new flavor is in place",
  deleted: "Wait until they are gone",
  tagged: "Wait until the tags show",
  untagged: "Wait until the tags are gone",
  locked: "Wait until they show as locked",
  unlocked: "Wait until they show as unlocked",
  reinstalled: "Wait until the reinstall is done",
  os_changed: "Wait until the new operating system is in place",
  volume_attached: "Wait until the disk is attached",
  volume_detached: "Wait until the disk is detached",
  migrated: "Wait until the migration is done",
};

/**
 * The start again of the servers the run stopped for a change that did not happen (not a step of the flow):
 * "Start again the servers stopped for the flavor change". Its outcome per server is the summary's.
 */
function putBackWords(change: CallName | null | undefined): string {
  return `Start again the servers stopped for ${change ? CALL_NOUNS[change] : "the change"}`;
}

/** A line's words: the step's, or the start again's. */
function lineWords(s: FlowViewStep, approved: boolean): string {
  return s.putBackOf !== undefined ? putBackWords(s.putBackOf) : stepWords(s, approved);
}

/** A call as a noun, for what the cloud answered to it: "the stop", "the flavor change". */
const CALL_NOUNS: Readonly<Record<CallName, string>> = {
  "ecs.batch_start": "the start",
  "ecs.batch_stop": "the stop",
  "ecs.batch_reboot": "the reboot",
  "ecs.resize": "the flavor change",
  "ecs.delete": "the delete",
  "ecs.add_tags": "the tag change",
  "ecs.delete_tags": "the tag removal",
  "ecs.lock": "the lock",
  "ecs.unlock": "the unlock",
  "ecs.reinstall": "the reinstall",
  "ecs.change_os": "the operating system change",
  "ecs.attach_volume": "the disk attach",
  "ecs.detach_volume": "the disk detach",
  "ecs.migrate": "the migration",
};

/** A call as a noun ("the stop"), lower case. */
export function callNoun(call: CallName): string {
  return CALL_NOUNS[call];
}

/**
 * A step in operator words, e.g. "Stop the servers", "Wait until they are stopped". `approved`: whether people
 * approved the request; a re-check of one the policy allowed compares with the servers as they were when asked.
 */
export function stepWords(step: Pick<FlowViewStep, "kind" | "call" | "expect">, approved = true): string {
  if (step.kind === "recheck")
    return approved
      ? "Check that nothing changed since approval"
      : "Check that nothing changed since it was asked";
  if (step.kind === "call") return step.call !== undefined ? CALL_WORDS[step.call] : "Call ECS";
  return step.expect !== undefined ? WAIT_WORDS[step.expect] : "Wait for ECS";
}

/**
 * The thread's status message of a run: the operation, since when it runs (a running one) or how long it took
 * (a finished one, as of `now`: its end) and what it is doing now, then one line per step with its status and,
 * for a wait, the sub-job counts. In operator words: never the flow file's descriptions or step IDs. Pure; post
 * it on `run_started`, update it (coalesced) on later events.
 *
 * A running run's message does not depend on `now`: its start is a date each reader's Slack shows in their own
 * time ("running since 21:52"), which stays true however long a job sends no news and whether or not the message
 * is drawn again (a stuck job, Slack's rate limit, a replica gone). An elapsed time drawn into the text would
 * read "running for 0s" until the next redraw.
 */
export function flowStatusMessage(state: FlowViewState, now: number = state.updatedAt): Message {
  const what = md`*${state.operation}* of ${plural(state.targetCount, "server")}`;
  const approved = state.approved !== false;
  const current = state.steps.find((s) => s.id === state.currentStepId);
  const elapsed = formatElapsed(Math.max(0, now - state.startedAt));
  const since = localTime(state.startedAt, "time");
  const heading =
    state.status === "running"
      ? md`${what}: running since ${since}${current ? md` · now: ${lineWords(current, approved).toLowerCase()}` : md``}${state.resumed ? md` (resumed)` : md``}`
      : md`${what}: ${RUN_WORDS[state.status]}${state.status === "aborted" ? "" : ` after ${elapsed}`}${RUN_AFTERWORDS[state.status] ?? ""}${state.resumed ? md` (resumed)` : md``}`;
  const lines = state.steps.flatMap((s, i) => [...md`\n`, ...stepLine(s, i, state)]);
  const blocks: Part[] = [section({ text: [...heading, ...lines] })];
  const changed = state.drift.filter((d) => !isUnreadable(d));
  const unreadable = state.drift.filter(isUnreadable);
  if (changed.length > 0) {
    blocks.push(
      section({
        text: [
          ...(approved
            ? md`:warning: *The servers changed since approval; nothing was sent:*`
            : md`:warning: *The servers changed since the request was made; nothing was sent:*`),
          ...changed.flatMap((d) => md`\n• ${describeDrift(d)}`),
        ],
      }),
    );
  }
  if (unreadable.length > 0) {
    // Not a change: the cloud did not answer the re-check, and nothing is sent to a server that cannot be checked.
    blocks.push(
      section({
        text: [
          ...md`:warning: *The servers could not be read before the change; nothing was sent:*`,
          ...unreadable.flatMap((d) => md`\n• ${describeDrift(d)}`),
          ...(changed.length === 0 ? md`\nAsk again once the cloud answers.` : []),
        ],
      }),
    );
  }
  const text =
    state.status === "running"
      ? md`${state.operation} of ${plural(state.targetCount, "server")}: running since ${since}`
      : md`${state.operation} of ${plural(state.targetCount, "server")}: ${RUN_WORDS[state.status]}${RUN_AFTERWORDS[state.status] ?? ""}`;
  return { text, blocks };
}

/**
 * A step as the status message reads it. `answers` (what the cloud answered to a call whose outcome is unknown:
 * HTTP status, error code, request ID) come with the step's `step_finished` event; at the run's end they are
 * also read from its outcome.
 */
type StatusStep = FlowViewStep;

function stepLine(s: StatusStep, index: number, state: FlowViewState): Span[] {
  if (s.putBackOf !== undefined) return putBackLine(s);
  if (s.kind === "call" && s.status === "outcome_unknown") return unknownCallLine(s, index, state);
  const head = md`${icon(STEP_ICONS[s.status])} ${stepWords(s, state.approved !== false)}`;
  if (s.kind === "recheck" && s.status === "failed" && abortReasonOf(state.drift) === "unreadable")
    return [...head, ...md` — the servers could not be read`];
  if (s.status === "skipped") {
    return [
      ...head,
      ...md` _(skipped: ${s.skipReason === "no_targets" ? "no server needs it" : "the run stopped"})_`,
    ];
  }
  if (s.status === "running" && s.jobs.length > 0) return [...head, ...md` — ${jobsText(s.jobs)}`];
  if (s.kind === "call" && s.status === "failed" && s.counts) return [...head, ...refusedCallText(s.counts)];
  if (s.counts && s.status !== "pending" && s.kind === "wait") return waitLine(s, s.counts, index, state);
  return head;
}

/**
 * The start again: while it runs, its jobs' counts like any wait's ("0 of 2 done, 2 in progress"); once the run
 * has ended, how many were started again and how many were not (the summary says which and why).
 */
function putBackLine(s: StatusStep): Span[] {
  const head = md`${icon(STEP_ICONS[s.status])} ${putBackWords(s.putBackOf)}`;
  if (s.status === "running") return s.jobs.length > 0 ? [...head, ...md` — ${jobsText(s.jobs)}`] : head;
  if (s.counts === undefined || s.status === "pending" || s.status === "skipped") return head;
  const c = s.counts;
  const parts = [`${formatCount(c.succeeded)} done`];
  if (c.failed > 0) parts.push(`${formatCount(c.failed)} failed`);
  if (c.unknown > 0) parts.push(`${formatCount(c.unknown)} unknown`);
  return [...head, ...md` — ${parts.join(", ")}`];
}

/** A call the cloud refused (for some or all of its servers): nothing was sent or accepted for those. */
function refusedCallText(c: Readonly<Record<ServerResult, number>>): Span[] {
  const total = SERVER_RESULTS.reduce((n, r) => n + c[r], 0);
  if (c.failed === 0) return [];
  return c.failed >= total
    ? md` — the cloud refused it`
    : md` — the cloud refused it for ${formatCount(c.failed)} of ${plural(total, "server")}`;
}

/**
 * A wait with its counts, of the servers it waited for only. A server whose call the cloud refused (or that no
 * call was sent for) was never waited for: a wait with no other server is shown skipped, never "failed".
 * After a call whose outcome is unknown the wait did read the servers: what it could not settle from them is
 * "not confirmed from the servers".
 */
function waitLine(
  s: StatusStep,
  c: Readonly<Record<ServerResult, number>>,
  index: number,
  state: FlowViewState,
): Span[] {
  const words = stepWords(s, state.approved !== false);
  const call = state.steps
    .slice(0, index)
    .reverse()
    .find((x) => x.kind === "call");
  const refused = Math.min(call?.counts?.failed ?? 0, c.failed);
  const notWaited = refused + c.not_started;
  const failed = c.failed - refused;
  const waited = SERVER_RESULTS.reduce((n, r) => n + c[r], 0) - notWaited;
  const noun = call?.call !== undefined ? callNoun(call.call) : "the call";
  const why = refused > 0 ? `the cloud refused ${noun}` : `${noun} was not sent`;
  if (waited <= 0 && notWaited > 0) return md`${icon(STEP_ICONS.skipped)} ${words} _(skipped: ${why})_`;
  const status: StepStatus = failed > 0 ? "failed" : c.unknown > 0 ? "outcome_unknown" : "succeeded";
  const shown = notWaited > 0 && s.status !== "running" ? status : s.status;
  const parts = [`${formatCount(c.succeeded)} done`];
  if (failed > 0) parts.push(`${formatCount(failed)} failed`);
  if (c.unknown > 0)
    parts.push(
      call?.status === "outcome_unknown"
        ? `${formatCount(c.unknown)} not confirmed from the servers`
        : `${formatCount(c.unknown)} unknown`,
    );
  const skipped = notWaited > 0 ? `; ${formatCount(notWaited)} not waited for (${why})` : "";
  return md`${icon(STEP_ICONS[shown])} ${words} — ${parts.join(", ")}${skipped}`;
}

/**
 * A call whose answer was unclear (5xx, timeout, lost connection, interruption). It is never sent again: its
 * wait reads the servers. Once the wait has settled it, the line shows the settled result; otherwise it says
 * what the cloud answered, so it can be given to Huawei support.
 */
function unknownCallLine(s: StatusStep, index: number, state: FlowViewState): Span[] {
  const wait = state.steps.slice(index + 1).find((x) => x.kind === "wait");
  if (wait !== undefined && (wait.status === "succeeded" || wait.status === "failed")) {
    const seen =
      wait.status === "succeeded" ? "the servers show it worked" : "the servers show it did not work";
    return md`${icon(STEP_ICONS[wait.status])} ${stepWords(s)} — Huawei Cloud's answer was lost; ${seen} (not sent again)`;
  }
  const answers = [
    ...new Set([
      ...(s.answers ?? []),
      ...(state.outcome?.servers.flatMap((x) => (x.stepId === s.id && x.answer ? [x.answer.text] : [])) ??
        []),
    ]),
  ];
  const said =
    answers.length === 0
      ? "Huawei Cloud's answer was lost"
      : answers.length === 1
        ? answers[0]!
        : `${answers[0]!} (and ${plural(answers.length - 1, "other answer")})`;
  const following = wait?.status === "running" ? "; watching the servers to see if it worked" : "";
  return md`${icon(STEP_ICONS.outcome_unknown)} ${stepWords(s)} — ${said}; not sent again${following}`;
}

/**
 * Servers read after a call whose outcome is unknown (its answer lost, or sent before an interruption): no job to
 * follow (`jobId` null) and the cloud may never have accepted the change, so they are not "in progress".
 */
function isUnknownOutcome(job: FlowViewJob): boolean {
  return job.source === "servers" && job.jobId === null && job.status === "RECONCILING";
}

function jobsText(jobs: readonly FlowViewJob[]): Span[] {
  const unknown = jobs.filter(isUnknownOutcome);
  const total = jobs.reduce(
    (acc, j) => ({
      total: acc.total + j.counts.total,
      succeeded: acc.succeeded + j.counts.succeeded,
      failed: acc.failed + j.counts.failed,
      running: acc.running + j.counts.running,
    }),
    { total: 0, succeeded: 0, failed: 0, running: 0 },
  );
  // What is not done of an unknown outcome is not known to be under way: only a known job's is "in progress".
  const running = total.running - unknown.reduce((n, j) => n + j.counts.running, 0);
  const parts = [`${formatCount(total.succeeded)} of ${formatCount(total.total)} done`];
  if (running > 0) parts.push(`${formatCount(running)} in progress`);
  if (total.failed > 0) parts.push(`${formatCount(total.failed)} failed`);
  if (unknown.length > 0) {
    const deadlines = unknown.flatMap((j) => (j.until !== undefined ? [j.until] : []));
    const until = deadlines.length > 0 ? md` until ${localTime(Math.max(...deadlines), "time")}` : md``;
    return md`${parts.join(", ")}; outcome not known yet: watching the servers${until}`;
  }
  const source = jobs.some((j) => j.source === "servers") ? " (read from the servers)" : "";
  return md`${parts.join(", ")}${source}`;
}
