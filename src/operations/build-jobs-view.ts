import { plural } from "../render/escape-mrkdwn.js";
import {
  code,
  context,
  type ListItem,
  link,
  list,
  localTime,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { LIST_SUBTITLE_LIMIT } from "../render/render-block-kit.js";
import { renderMrkdwn } from "../render/render-mrkdwn.js";
import { describePolicyApproval } from "../views/describe-policy-approval.js";
import { joinTexts, typeable, withInlineCode } from "../views/format-values.js";
import { formatElapsed } from "../workflow/format-flow-text.js";
import type { StartCheck } from "./build-start-check-view.js";
import { describeParameters } from "./describe-request.js";

/**
 * Where a request running in waves is: `wave` (wave `number` runs), `gate` (its health check), `pause`
 * (before wave `number`, until `nextWaveAt`), `paused` (held by `pausedBy`'s Pause), `aborting` (Abort
 * clicked: the running wave finishes). `done`: the servers of the waves finished, of the request's.
 */
export interface RunningWaves {
  number: number;
  of: number;
  done: number;
  state: "wave" | "gate" | "pause" | "paused" | "aborting";
  nextWaveAt?: number;
  pausedBy?: string;
}

/** A run open now; one entry per request, a request in waves included (then `waves` says where it is). */
export interface RunningJob {
  runId: string;
  requestId: string;
  operation: string;
  targetNames: string[];
  requesterId?: string;
  /** What the run does now, in operator words ("wait until they are stopped"). */
  currentStep?: string;
  startedAt: number;
  resumes: number;
  /** Permalink of the request's thread (its card), when Slack gave one. */
  link?: string;
  /** A request running in waves: which wave, how many servers are done, the pause between waves. */
  waves?: RunningWaves;
}

export interface RecentJob {
  requestId: string;
  operation: string;
  targetNames: string[];
  requesterId?: string;
  /**
   * The execution's outcome (`succeeded`, `failed`, `outcome_unknown`), as its card reads it: `stopped`, a run in
   * waves stopped on purpose; `aborted`, a run that sent nothing (`recentJobOf`).
   */
  outcome: string;
  finishedAt: number;
  summary?: string;
  durationMs?: number;
  /** Permalink of the request's thread (its card), when Slack gave one. */
  link?: string;
}

/** An approved change waiting for its time (`--at`, `--window`): it runs then unless cancelled. */
export interface ScheduledJob {
  requestId: string;
  operation: string;
  targetNames: string[];
  requesterId: string;
  /** Who approved it (people only). */
  approverIds: string[];
  /** The policy allowed it without approval. */
  allowedByPolicy: boolean;
  /** The request's action and parameters, for its options (`forced (hard)`). */
  action: string;
  parameters: Readonly<Record<string, unknown>>;
  /** When it runs: the time asked (`--at`) or the window's opening (`--window`). */
  runAt: number;
  /** `--window <name>`: the maintenance window it runs in. */
  window?: string;
  /** Approval was skipped with `--break-glass` (the policy recorded the approval): said as the audit says it. */
  breakGlass?: boolean;
  /** Whether it will run, judged on the calendars and the policy as they are now; absent: not judged. */
  outlook?: ScheduledOutlook;
  /** Permalink of the request's thread (its card), when Slack gave one. */
  link?: string;
}

/**
 * What the execution gate would do with a scheduled change at its time, were the calendars and the policy to
 * stay as they are now: start it at `at` (its time, or the moved window's new opening within the approved
 * span); never start it (`check`: the window moved or was removed, its approval came after its start, its time
 * passed); or revoke it as stricter than approved, because the freeze `freeze` is in force then (until
 * `until`) or for another reason (`cause`).
 */
export type ScheduledOutlook =
  | { kind: "runs"; at: number }
  | { kind: "never"; check: StartCheck | { kind: "missed"; startBy: number } }
  | { kind: "stricter"; at: number; freeze: { name: string; until?: number } }
  /** `cause`: what else changed, in the words of the thread's headline (`policyChangeCause`). */
  | { kind: "stricter"; at: number; cause: string };

export interface JobsViewInput {
  running: RunningJob[];
  /** The soonest scheduled changes and how many there are in all; absent: not read (no section). */
  scheduled?: { jobs: readonly ScheduledJob[]; total: number };
  recent: RecentJob[];
  now: number;
}

/** Trusted emoji markup from a closed map (never from data). */
const OUTCOME_ICONS: Readonly<Record<string, Span>> = {
  succeeded: { t: "plain", v: ":white_check_mark:" },
  failed: { t: "plain", v: ":x:" },
  outcome_unknown: { t: "plain", v: ":grey_question:" },
  stopped: { t: "plain", v: ":octagonal_sign:" },
  aborted: { t: "plain", v: ":no_entry:" },
};

/** Names listed in a run's line at most; fewer when they are long (see `runSubtitle`). */
const MAX_LISTED_NAMES = 5;

/** Up to `max` names as they can be typed back, then how many more. */
function names(list: readonly string[], max: number): Span[] {
  const shown = joinTexts(
    list.slice(0, max).map((n) => typeable(n)),
    ", ",
  );
  return list.length <= max ? shown : [...shown, ...md` +${String(list.length - max)} more`];
}

/**
 * A run's line in a list (`/ops jobs`, the Home tab): its servers, `rest` (`now: …`, `finished …`: parts joined
 * with ` · `), who asked and the link to its thread. The renderer cuts a list item's subtitle at its limit, so
 * the servers' names give way first (down to `web-01 +5 more`, then, with several servers, to none: the title
 * counts them); should that not be enough, who asked and the link come first and the end is cut. Either way the
 * link and the requester stay whole. `nameSpans` lists the first `max` names (default: as they can be typed back).
 */
export function runSubtitle(
  run: { targetNames: readonly string[]; requesterId?: string | undefined; link?: string | undefined },
  rest: readonly Span[][],
  nameSpans: (list: readonly string[], max: number) => Span[] = names,
): Span[] {
  const who = run.requesterId === undefined ? [] : md`by ${userMention(run.requesterId)}`;
  const thread = run.link === undefined ? [] : [link(run.link, "Open the thread")];
  const line = (...parts: Span[][]) =>
    joinTexts(
      parts.filter((part) => part.length > 0),
      " · ",
    );
  const count = run.targetNames.length;
  for (let max = Math.min(MAX_LISTED_NAMES, count); max >= (count > 1 ? 0 : 1); max--) {
    const spans = line(max === 0 ? [] : nameSpans(run.targetNames, max), ...rest, who, thread);
    if (renderMrkdwn(spans).length <= LIST_SUBTITLE_LIMIT) return spans;
  }
  return line(who, thread, nameSpans(run.targetNames, 1), ...rest);
}

/**
 * What a run does now, as `/ops jobs` and the Home tab say it: `now: wait until they are
 * restarted`, or for a request in waves `wave 2 of 3: restart them · 5 of 14 servers done`, `next wave (3 of
 * 3) in 1m 40s · 10 of 14 servers done`, `paused by @bob before wave 3 of 3 · …`.
 */
export function describeRunningNow(job: RunningJob, now: number): Span[] {
  const w = job.waves;
  const step = job.currentStep ?? "starting";
  if (w === undefined) return md`now: ${step}`;
  const wave = `wave ${String(w.number)} of ${String(w.of)}`;
  const where = ((): Span[] => {
    switch (w.state) {
      case "wave":
        return md`${wave}: ${step}`;
      case "gate":
        return md`${wave}: health check`;
      case "pause":
        return w.nextWaveAt !== undefined && w.nextWaveAt > now
          ? md`next wave (${String(w.number)} of ${String(w.of)}) in ${formatElapsed(w.nextWaveAt - now)}`
          : md`${wave} starting`;
      case "paused":
        return md`paused${w.pausedBy !== undefined ? md` by ${userMention(w.pausedBy)}` : md``} before ${wave}`;
      case "aborting":
        return md`aborting: ${wave} finishes, nothing more starts`;
    }
  })();
  return md`${where} · ${String(w.done)} of ${plural(job.targetNames.length, "server")} done`;
}

/**
 * `/ops jobs`: the bot's runs (a request's run, as its thread reports it) running now, scheduled and finished
 * recently. The cloud's own jobs are `/ecs job`'s: a run's thread names them. Pure.
 */
export function buildJobsView(input: JobsViewInput): Message {
  const blocks: Part[] = [];
  blocks.push(section({ text: md`*Running now* (${String(input.running.length)})` }));
  blocks.push(
    list(
      input.running.map(
        (j): ListItem => ({
          title: md`:hourglass_flowing_sand: ${j.operation} ${plural(j.targetNames.length, "server")}`,
          subtitle: runSubtitle(j, [
            describeRunningNow(j, input.now),
            md`for ${formatElapsed(input.now - j.startedAt)}`,
            j.resumes > 0 ? md`resumed` : [],
          ]),
          fields: [{ label: "Request", value: code(j.requestId) }],
        }),
      ),
    ),
  );
  if (input.scheduled !== undefined) blocks.push(...scheduledSection(input.scheduled, input.now));
  blocks.push(section({ text: md`*Recent runs* (${String(input.recent.length)})` }));
  blocks.push(
    list(
      input.recent.map(
        (j): ListItem => ({
          title: md`${OUTCOME_ICONS[j.outcome] ?? OUTCOME_ICONS.outcome_unknown!} ${j.operation} ${plural(j.targetNames.length, "server")}: ${j.summary !== undefined ? withInlineCode(j.summary) : j.outcome.replace("_", " ")}`,
          subtitle: runSubtitle(j, []),
          // In the fields, as the scheduled changes' times: a date in the subtitle would take the room of the
          // servers' names there (its markup is long, however short Slack shows it).
          fields: [
            {
              label: "Finished",
              value: md`${localTime(j.finishedAt)}${
                j.durationMs !== undefined ? md` after ${formatElapsed(j.durationMs)}` : md``
              }`,
            },
            { label: "Request", value: code(j.requestId) },
          ],
        }),
      ),
    ),
  );
  blocks.push(
    context(
      md`Each run's thread has its progress and per-server results, and names its Huawei Cloud jobs when it ends (${code("/ecs job <job_id>")} shows one).`,
    ),
  );
  if ((input.scheduled?.total ?? 0) > 0)
    blocks.push(
      context(
        md`A scheduled change runs at its time unless cancelled before: by its requester or an approver, from its card or ${code("/ops approvals")}.`,
      ),
    );
  if (input.scheduled?.jobs.some((j) => describeNotRunning(j.outlook) !== undefined))
    blocks.push(
      context(
        md`Judged on the calendars and the policy as they are now: a change that will not run ends at its time, nothing done, and its thread says why.`,
      ),
    );
  const scheduled = input.scheduled === undefined ? md`` : md`${String(input.scheduled.total)} scheduled, `;
  return {
    text: md`${String(input.running.length)} running, ${scheduled}${plural(input.recent.length, "recent run")}`,
    blocks,
  };
}

/**
 * The approved changes waiting for their time, soonest first, for anyone to read (cancelling stays with
 * `/ops approvals` and the card): when each runs, what on which servers, who asked and who approved. The
 * soonest are listed, the others counted. Each as the gate would take it at its time on the calendars and the
 * policy as they are now (`outlook`): when it runs (a window moved within the approved span: its new opening),
 * or that it will not run and why, so "what runs tonight?" is answered as things are.
 */
function scheduledSection(scheduled: NonNullable<JobsViewInput["scheduled"]>, now: number): Part[] {
  return [
    section({ text: md`*Scheduled* (${String(scheduled.total)})` }),
    list(
      scheduled.jobs.map((j): ListItem => {
        const options = describeParameters(j.action, j.parameters);
        const why = describeNotRunning(j.outlook);
        const what = md`${j.operation} ${plural(j.targetNames.length, "server")}`;
        const at = j.outlook?.kind === "runs" ? j.outlook.at : j.runAt;
        // The title holds one time at most (it is cut at 150 characters): the others go in the fields.
        return {
          title:
            why === undefined
              ? md`:calendar: ${describeWhen(j, at, now)}: ${what}`
              : md`:no_entry_sign: ${why.lead}: ${what}`,
          subtitle: runSubtitle(j, []),
          fields: [
            ...(why !== undefined
              ? [
                  { label: "Why", value: why.reason },
                  { label: "Asked for", value: describeWhen(j, j.runAt, now) },
                ]
              : []),
            ...(why === undefined && at !== j.runAt
              ? [{ label: "Window moved", value: md`it was to open ${localTime(j.runAt)}` }]
              : []),
            { label: "Approved by", value: describeApprovedBy(j) },
            ...(options !== undefined ? [{ label: "Options", value: options }] : []),
            { label: "Request", value: code(j.requestId) },
          ],
        };
      }),
      {
        total: scheduled.total,
        moreHint: md`scheduled later than these`,
      },
    ),
  ];
}

/**
 * `<date>`, `<date> in the window \`maint\``; `starting` once its time has come (the run is being claimed). `at`:
 * when it runs (a window moved within the approved span: its new opening), or when it was asked for.
 */
function describeWhen(job: Pick<ScheduledJob, "window">, at: number, now: number): Span[] {
  const window = job.window !== undefined ? md` in the window ${code(job.window)}` : md``;
  return md`${localTime(at)}${window}${at <= now ? md` (starting)` : md``}`;
}

/**
 * Why a scheduled change will not run, undefined when it will (or was not judged): never (`Will not run`: the
 * gate lets it lapse at its time), or not as things are (`Will not run as things are`: the gate would find the
 * policy stricter than approved, a freeze in force then, and revoke it; unless the freeze or the policy
 * changes before).
 */
function describeNotRunning(
  outlook: ScheduledOutlook | undefined,
): { lead: Span[]; reason: Span[] } | undefined {
  if (outlook === undefined || outlook.kind === "runs") return undefined;
  if (outlook.kind === "stricter") {
    const lead = md`Will not run as things are`;
    if ("cause" in outlook)
      return {
        lead,
        reason: md`at ${localTime(outlook.at)}, ${outlook.cause}`,
      };
    const { freeze } = outlook;
    const until = freeze.until !== undefined ? md` until ${localTime(freeze.until)}` : md``;
    return { lead, reason: md`frozen by ${code(freeze.name)}${until}` };
  }
  const lead = md`Will not run`;
  const check = outlook.check;
  switch (check.kind) {
    case "missed":
      return { lead, reason: md`its start time passed (it could start until ${localTime(check.startBy)})` };
    case "window_closed":
      return {
        lead,
        reason: md`the maintenance window ${code(check.window)} closed at ${localTime(check.closedAt)}`,
      };
    case "window_moved":
      return {
        lead,
        reason: md`the maintenance window ${code(check.window)} moved or was removed: it does not open in the approved span (see ${code("/ops calendar")})`,
      };
    case "approved_late":
      return {
        lead,
        reason: md`its approval was complete only at ${localTime(check.approvedAt)}, after its start time`,
      };
  }
}

/** `@bob, @carol`; with no person, the policy's approval as the audit says it (break-glass or no approval needed). */
function describeApprovedBy(
  job: Pick<ScheduledJob, "approverIds" | "allowedByPolicy" | "breakGlass">,
): Span[] {
  if (job.approverIds.length === 0)
    return job.allowedByPolicy || job.breakGlass === true
      ? describePolicyApproval(job.breakGlass === true)
      : md`nobody`;
  return joinTexts(
    job.approverIds.map((u) => [userMention(u)]),
    ", ",
  );
}
