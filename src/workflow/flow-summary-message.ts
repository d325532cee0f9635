import { formatTarget } from "../intents/classify-target.js";
import { formatCount, plural } from "../render/escape-mrkdwn.js";
import {
  code,
  context,
  type ListItem,
  list,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
  withInlineCode,
} from "../render/message-model.js";
import { describeDiskFailureNextStep } from "../views/describe-disk-failure-next-step.js";
import { startedAgainParts } from "./describe-started-again.js";
import { abortReasonOf, describeDrift, isUnreadable } from "./detect-drift.js";
import { callNoun, stepWords } from "./flow-status-message.js";
import type { RunStatus, ServerResult } from "./flow-statuses.js";
import type { Operation } from "./flow-vocabulary.js";
import { capitalize, formatElapsed, nameList } from "./format-flow-text.js";
import type { NotRunCode } from "./not-run-cause-of.js";
import { describeKeptResources } from "./preflight-message-parts.js";
import type { Preflight } from "./preflight-types.js";
import type { FlowOutcome, ReasonGroup, RunStop, ServerOutcome } from "./summarize-run.js";

const RUN_ICONS: Readonly<Record<RunStatus, string>> = {
  running: ":hourglass_flowing_sand:",
  succeeded: ":white_check_mark:",
  failed: ":x:",
  outcome_unknown: ":grey_question:",
  aborted: ":no_entry:",
};

/** `48 stopped, 2 failed, outcome unknown for 1 server`: the outcome's counts in words (plain text). */
export function describeCounts(outcome: Pick<FlowOutcome, "counts" | "verb">): string {
  const c = outcome.counts;
  const parts: string[] = [];
  const add = (n: number, words: string) => {
    if (n > 0) parts.push(`${formatCount(n)} ${words}`);
  };
  add(c.succeeded, outcome.verb);
  add(c.failed, "failed");
  // "1 unknown" would not say one of what.
  if (c.unknown > 0) parts.push(`outcome unknown for ${plural(c.unknown, "server")}`);
  add(c.incomplete, "incomplete");
  add(c.skipped, "skipped");
  add(c.not_started, "not started");
  return parts.length > 0 ? parts.join(", ") : "nothing done";
}

/**
 * Why an aborted run did not do what was asked, as the card and the approval record say it: the servers
 * changed since the approval (since it was asked, when nobody approved it), or they could not be read to tell
 * (the cloud did not answer), so nothing was sent; or, for a run in waves stopped on purpose, who or what
 * stopped it and where, with what the waves that ran did. Plain text (a person is not named: the card and the
 * summary name them as a mention). The card says its cause from the code recorded beside it (`notRunCodeOf`).
 */
export function describeAbort(
  outcome: Pick<FlowOutcome, "drift"> & Partial<Pick<FlowOutcome, "stop" | "counts" | "verb" | "approved">>,
): string {
  const stop = outcome.stop;
  if (stop !== undefined) {
    const where =
      stop.kind === "check"
        ? `stopped before wave ${stop.beforeWave} of ${stop.of}`
        : stop.afterWave === 0
          ? "aborted by a person before its first wave"
          : `aborted by a person after wave ${stop.afterWave} of ${stop.of}`;
    const done =
      outcome.counts !== undefined && outcome.verb !== undefined
        ? `: ${describeCounts({ counts: outcome.counts, verb: outcome.verb })}`
        : "";
    const why = stop.kind === "check" ? `; why: ${stop.why.replace(/\.$/, "")}` : "";
    return `${where}${done}${why}`;
  }
  switch (abortReasonOf(outcome.drift)) {
    case "unreadable":
      return "not run: the servers could not be read, so nothing was sent; ask again once the cloud answers";
    case "changed":
      return outcome.approved === false
        ? "not run: the servers changed since it was asked, so nothing was sent; ask again if it is still needed"
        : "not run: the servers changed since approval, so nothing was sent; ask again to get fresh approval";
    case undefined:
      return "not run: nothing was sent";
  }
}

/**
 * The cause of a run that {@link describeAbort} says was not run (no stop, drift found), as recorded for its card;
 * undefined for a run in waves stopped on purpose and for one without drift.
 */
export function notRunCodeOf(
  outcome: Pick<FlowOutcome, "drift"> & Partial<Pick<FlowOutcome, "stop" | "approved">>,
): NotRunCode | undefined {
  if (outcome.stop !== undefined) return undefined;
  switch (abortReasonOf(outcome.drift)) {
    case "unreadable":
      return "servers_unreadable";
    case "changed":
      return outcome.approved === false ? "servers_changed_since_asked" : "servers_changed_since_approval";
    case undefined:
      return undefined;
  }
}

/**
 * How a run in waves was stopped on purpose, after the operation ("*reboot* aborted by @alice after wave 2 of
 * 3"): the person as a real mention, the check's reason left to the caller (it can be long).
 */
export function describeStop(stop: RunStop): Span[] {
  if (stop.kind === "check") return md`stopped before wave ${String(stop.beforeWave)} of ${String(stop.of)}`;
  const by = stop.by !== undefined ? md` by ${userMention(stop.by)}` : md``;
  return stop.afterWave === 0
    ? md`aborted${by} before its first wave`
    : md`aborted${by} after wave ${String(stop.afterWave)} of ${String(stop.of)}`;
}

/**
 * The headline's words of a run its re-check refused (after the operation: "*reboot* not run: …"): not
 * "aborted", which reads as a person's Abort.
 */
function abortedWords(outcome: FlowOutcome): string {
  switch (abortReasonOf(outcome.drift)) {
    case "unreadable":
      return "not run: the servers could not be read, so nothing was sent";
    case "changed":
      return `not run: the servers changed since ${outcome.approved === false ? "it was asked" : "approval"}, so nothing was sent`;
    case undefined:
      return "not run: nothing was sent";
  }
}

/**
 * The final summary of a run: counts ("48 stopped, 2 failed"), duration, where the flow stopped, what to do
 * next (see {@link whatNextParts}), failures and unknown outcomes grouped by error code, per-server results with
 * their final state, and job IDs, as the flow's `report.include` asks. `preflight`: the request's, as its
 * approvers were shown it (absent: no hint that needs it). Pure.
 */
export function flowSummaryMessage(outcome: FlowOutcome, preflight?: Preflight): Message {
  const inc = new Set(outcome.include);
  const blocks: Part[] = [];
  // An unknown outcome did not take that long: the run waited that long and stopped waiting.
  const duration =
    inc.has("duration") && outcome.durationMs !== undefined
      ? md` ${outcome.status === "outcome_unknown" ? "after" : "in"} ${formatElapsed(outcome.durationMs)}`
      : md``;
  const stop = outcome.stop;
  const approved = outcome.approved !== false;
  // A run in waves stopped on purpose says who or why and what its waves did, whatever its status.
  const headline =
    stop !== undefined
      ? md`*${outcome.operation}* ${describeStop(stop)}: ${describeCounts(outcome)}${duration}`
      : outcome.status === "aborted"
        ? md`*${outcome.operation}* ${abortedWords(outcome)}`
        : md`*${outcome.operation}*: ${describeCounts(outcome)}${duration}`;
  // Stopped on purpose with nothing failed (aborted) is not a failure, nor a success: the stop sign, as the card.
  const icon =
    stop !== undefined && (outcome.status === "aborted" || outcome.status === "succeeded")
      ? ":octagonal_sign:"
      : RUN_ICONS[outcome.status];
  blocks.push(section({ text: [{ t: "plain", v: icon }, { t: "plain", v: " " }, ...headline] }));
  if (stop?.kind === "check")
    blocks.push(
      section({
        text: md`*Why:* ${withInlineCode(stop.why.replace(/\.$/, ""))}. The later waves were not run.`,
      }),
    );

  const changed = outcome.drift.filter((d) => !isUnreadable(d));
  const unreadable = outcome.drift.filter(isUnreadable);
  if (changed.length > 0) {
    blocks.push(
      section({
        text: [
          ...(approved
            ? md`The servers changed since the request was approved:`
            : md`The servers changed since the request was made:`),
          ...changed.flatMap((d) => md`\n• ${describeDrift(d)}`),
        ],
      }),
    );
  }
  if (unreadable.length > 0) {
    // Not a change: nobody is known to have touched them, the cloud just did not answer the re-check.
    blocks.push(
      section({
        text: [
          ...md`The servers could not be read just before the change, so nothing was sent to any of them:`,
          ...unreadable.flatMap((d) => md`\n• ${describeDrift(d)}`),
          ...(changed.length === 0 ? md`\nAsk again once the cloud answers.` : []),
        ],
      }),
    );
  }
  const stopped = outcome.stoppedAt;
  if (stopped && outcome.status !== "aborted" && stopped.notRun.length > 0) {
    // Said only when it left something undone: a flow stopped at its last step is said by its results.
    blocks.push(section({ text: stoppedAtWords(outcome, stopped, approved) }));
  }
  blocks.push(...whatNextParts(outcome, preflight));
  // A server whose reason a group line says is not given it again on its own line (a phone shows both).
  const grouped = new Set(
    [...(inc.has("failures_by_reason") ? outcome.failuresByReason : []), ...outcome.unknownByReason].flatMap(
      (g) => g.servers.map((s) => s.id),
    ),
  );
  if (inc.has("failures_by_reason") && outcome.failuresByReason.length > 0) {
    blocks.push(
      section({
        text: [...md`*Failed*`, ...groupLines(outcome.failuresByReason), ...diskNextStep(outcome)],
      }),
    );
  }
  if (outcome.unknownByReason.length > 0) {
    const jobs = new Map(outcome.unknownByReason.map((g) => [g, runningJobsOf(g, outcome)]));
    const byJob = [...jobs.values()].every((ids) => ids.length > 0);
    blocks.push(
      section({
        text: [
          ...md`*Outcome unknown* (not sent again): ${byJob ? followJobs([...new Set([...jobs.values()].flat())]) : checkServers(outcome.operation)}, then ask again if the change is still needed`,
          // A job still running is followed with `/ecs job`: said on its group's line unless the heading says it.
          ...groupLines(outcome.unknownByReason, byJob ? undefined : (g) => jobs.get(g) ?? []),
        ],
      }),
    );
  }
  if (inc.has("per_server_results")) {
    blocks.push(
      list(outcome.servers.map((s) => serverItem(s, outcome, inc.has("final_states"), grouped.has(s.id)))),
    );
  }
  const footer: Span[][] = [];
  if (inc.has("job_ids") && outcome.jobs.length > 0) {
    footer.push([
      ...md`jobs: `,
      ...outcome.jobs.flatMap((j, i) => (i === 0 ? [code(j.jobId)] : [...md`, `, code(j.jobId)])),
    ]);
  }
  footer.push(md`run ${code(outcome.runId)}`);
  if (outcome.resumes > 0) footer.push(md`resumed ${outcome.resumes}×`);
  blocks.push(context(...footer));
  const text =
    stop !== undefined
      ? md`${outcome.operation} ${describeStop(stop)}: ${describeCounts(outcome)}`
      : outcome.status === "aborted"
        ? md`${outcome.operation} ${abortedWords(outcome)}`
        : md`${outcome.operation}: ${describeCounts(outcome)}`;
  return { text, blocks };
}

/**
 * Where the run stopped and what it left undone. After a put-back (`startedAgain`), the flow's own start was
 * done for the servers started again: they need nothing, so the steps not run are said only of the servers
 * left stopped, and not at all when none is (the put-back's own line says the rest).
 */
function stoppedAtWords(
  outcome: FlowOutcome,
  stopped: NonNullable<FlowOutcome["stoppedAt"]>,
  approved: boolean,
): Span[] {
  const at = md`The run stopped at: ${stepWords(stopped.step, approved).toLowerCase()}.`;
  const notRun = stopped.notRun.map((s) => stepWords(s, approved).toLowerCase()).join("; ");
  const left = (outcome.leftStopped ?? []).map((s) => s.name);
  // The put-back does the flow's start and its wait, nothing else a flow might have after them.
  const putBack =
    (outcome.startedAgain ?? []).length > 0 &&
    stopped.notRun.every(
      (s) =>
        (s.kind === "call" && s.call === "ecs.batch_start") || (s.kind === "wait" && s.expect === "running"),
    );
  if (!putBack)
    return md`${at} Not run: ${notRun}. The servers are left as listed below: finish what was not run by hand (for example with \`/ecs start\`), or ask for the change again.`;
  if (left.length === 0)
    return md`${at} Nothing is left to finish by hand; ask for the change again if it is still needed.`;
  return md`${at} Not run for ${nameList(left)}: ${notRun}. ${left.length === 1 ? "It is" : "They are"} left stopped: finish what was not run by hand (for example with \`/ecs start\`), or ask for the change again.`;
}

/**
 * What the run leaves to do, or to know, and how, in one place for every operation: servers it stopped and left
 * stopped (start them with `/ecs start`); a disk it detached, kept and available (attach it again with `/ecs
 * attach`, on the device it had); the data disks and EIPs a delete kept, still billed. The disk and EIP facts are
 * the preflight's, the very ones its approvers read: never read again after the run. Said only of servers the
 * run changed.
 */
function whatNextParts(outcome: FlowOutcome, preflight: Preflight | undefined): Part[] {
  const parts: Part[] = [];
  parts.push(...startedAgainParts(outcome));
  // A server kept stopped for a reason (its change in doubt…) says it; the others, that the bot does not start them.
  const leftStopped = (outcome.leftStopped ?? []).filter((s) => s.why === undefined);
  if (leftStopped.length > 0) {
    // The bot never starts them on its own: a server stopped for a change that failed may need a look first.
    const names = leftStopped.map((s) => s.name);
    const start = `/ecs start ${names.map((name) => formatTarget({ kind: "name", name })).join(" ")}`;
    parts.push(
      section({
        text: md`${nameList(names)} ${leftStopped.length === 1 ? "was" : "were"} stopped by this run and ${leftStopped.length === 1 ? "is" : "are"} left stopped: the bot does not start ${leftStopped.length === 1 ? "it" : "them"} again on its own. When ready, start ${leftStopped.length === 1 ? "it" : "them"} with ${code(start)}.`,
      }),
    );
  }
  if (preflight === undefined) return parts;
  const changed = new Set(outcome.servers.filter((s) => s.result === "succeeded").map((s) => s.id));
  const targets = preflight.targets.filter((t) => changed.has(t.id));
  if (outcome.operation === "detach") {
    for (const t of targets) {
      if (t.volume === undefined) continue;
      const { id, device } = t.volume;
      const attach = [
        "/ecs attach",
        formatTarget({ kind: "name", name: t.name }),
        id,
        ...(device !== undefined ? [device] : []),
      ].join(" ");
      parts.push(
        section({
          text: md`:floppy_disk: Disk ${code(id)}${device !== undefined ? md` (was ${code(device)})` : md``} is kept, now available; to attach it again: ${code(attach)}.`,
        }),
      );
    }
  }
  if (outcome.operation === "delete") {
    const kept = describeKeptResources(targets);
    if (kept !== undefined)
      parts.push(section({ text: md`:package: *Kept* (not deleted, still billed): ${kept}` }));
  }
  return parts;
}

/**
 * Operations whose servers look the same whether the change happened or not (ACTIVE before and after): `/ecs
 * show` cannot tell, the cloud's record of what was done to the server can (`/ecs actions`). The change, as a
 * noun.
 */
const SEEN_IN_ACTIONS_ONLY: Partial<Record<Operation, string>> = {
  reboot: "the reboot",
  migrate: "the migration",
};

/** How to check the servers of an unknown outcome yourself, for the operation. */
function checkServers(operation: Operation): Span[] {
  const change = SEEN_IN_ACTIONS_ONLY[operation];
  return change !== undefined
    ? md`check each of these servers with ${code("/ecs actions <server>")}, the cloud's record of what was done to it (\`/ecs show\` cannot tell: the server is ACTIVE before and after ${change})`
    : md`check each of these servers with \`/ecs show\``;
}

/** `/ecs job` for jobs still running when the run stopped waiting: they will still end, and say how. */
function followJobs(jobIds: readonly string[]): Span[] {
  return jobIds.length === 1
    ? md`the cloud's job was still running when the bot stopped waiting: follow it with ${code(`/ecs job ${jobIds[0]!}`)}`
    : md`the cloud's jobs were still running when the bot stopped waiting: follow each with ${code("/ecs job <id>")} (the IDs are below)`;
}

/** Job statuses of a job that had not finished. */
const UNFINISHED_JOB_STATUSES: ReadonlySet<string> = new Set(["INIT", "RUNNING"]);

/**
 * The jobs of a group of unknown outcomes that were still running when the wait's deadline came: those its
 * reason names (the servers' job) that the run saw last as not finished. None when the job is not known (an
 * answer lost), could not be read, or had ended.
 */
function runningJobsOf(g: ReasonGroup, outcome: FlowOutcome): string[] {
  const running = outcome.jobs.filter(
    (j) => j.status !== undefined && UNFINISHED_JOB_STATUSES.has(j.status) && g.reason.includes(j.jobId),
  );
  return [...new Set(running.map((j) => j.jobId))];
}

/**
 * After the cloud's reason for a failed attach or detach, what to look at next (see
 * {@link describeDiskFailureNextStep}); nothing for other operations.
 */
function diskNextStep(outcome: FlowOutcome): Span[] {
  if (outcome.operation !== "attach" && outcome.operation !== "detach") return [];
  const names = [...new Set(outcome.failuresByReason.flatMap((g) => g.servers.map((s) => s.name)))];
  const server = names.length === 1 ? formatTarget({ kind: "name", name: names[0]! }) : "<server>";
  return [...md`\n`, ...describeDiskFailureNextStep(outcome.operation, server)];
}

/**
 * A line per group of servers that failed, or whose outcome is unknown, for one reason: the servers first, then
 * the reason and the cloud's error code; for an unknown outcome, what the cloud answered to the call (the heading
 * says it was not sent again) and the job to follow when it was still running.
 */
function groupLines(groups: readonly ReasonGroup[], runningJobs?: (g: ReasonGroup) => string[]): Span[] {
  return groups.flatMap((g) => {
    const names = nameList(g.servers.map((s) => s.name));
    const errorCode = g.code !== undefined ? md` (${code(g.code)})` : md``;
    // An unknown outcome says what the cloud answered to the call (status, code, request ID for support).
    const answer =
      g.answer !== undefined ? md`\n    ${capitalize(callNoun(g.answer.call))}: ${g.answer.text}` : md``;
    const jobIds = runningJobs?.(g) ?? [];
    const follow =
      jobIds.length > 0
        ? md`\n    Still running when the bot stopped waiting: follow ${jobIds.length === 1 ? "it" : "each"} with ${code(`/ecs job ${jobIds.length === 1 ? jobIds[0]! : "<id>"}`)}`
        : md``;
    return [...md`\n• ${names}: ${g.reason}`, ...errorCode, ...answer, ...follow];
  });
}

const RESULT_WORDS: Readonly<Record<ServerResult, string>> = {
  succeeded: "done",
  failed: "failed",
  unknown: "outcome unknown",
  skipped: "skipped",
  incomplete: "incomplete",
  not_started: "not started",
};

/** A server's line; `grouped`: its reason is said by a group line above, so not again here. */
function serverItem(s: ServerOutcome, outcome: FlowOutcome, showFinal: boolean, grouped: boolean): ListItem {
  // A server that can no longer be read is gone: say so plainly instead of showing a lookup code.
  const gone = s.finalStatus === "NOT_FOUND";
  // One the cloud did not answer for at the end has no known state: no status icon, and the words for it.
  const unread = s.finalStatus === "UNREADABLE";
  const finalStatus = gone ? "DELETED" : unread ? undefined : s.finalStatus;
  const status = finalStatus ?? (s.result === "failed" ? "FAILED" : undefined);
  const result = s.result === "succeeded" ? outcome.verb : RESULT_WORDS[s.result];
  // The status word may already say the result ("FAILED", "DELETED"): then not again after it.
  const said = status !== undefined && status.toLowerCase() === result;
  const reason = s.reason !== undefined && !grouped ? s.reason : undefined;
  const subtitle =
    reason !== undefined
      ? said
        ? md`${reason}`
        : md`${result}: ${reason}`
      : said
        ? undefined
        : md`${result}`;
  const item: ListItem = { title: md`${code(s.name)}`, ...(subtitle !== undefined && { subtitle }) };
  const now = gone
    ? "gone (no longer in ECS)"
    : unread
      ? "could not be read"
      : s.finalFlavor !== undefined
        ? `${s.finalStatus} · ${s.finalFlavor}`
        : s.finalStatus;
  const fields = showFinal && now !== undefined ? [{ label: "Now", value: now }] : [];
  return { ...item, ...(status !== undefined && { status }), ...(fields.length > 0 && { fields }) };
}
