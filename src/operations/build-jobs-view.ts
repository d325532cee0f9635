import { plural } from "../render/escape-mrkdwn.js";
import {
  code,
  context,
  type ListItem,
  link,
  list,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { joinTexts, typeable } from "../views/format-values.js";
import { formatElapsed } from "../workflow/format-flow-text.js";
import { formatTime } from "./describe-request.js";

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
}

export interface RecentJob {
  requestId: string;
  operation: string;
  targetNames: string[];
  requesterId?: string;
  outcome: string;
  finishedAt: number;
  summary?: string;
  durationMs?: number;
  /** Permalink of the request's thread (its card), when Slack gave one. */
  link?: string;
}

export interface JobsViewInput {
  running: RunningJob[];
  recent: RecentJob[];
  now: number;
}

/** Trusted emoji markup from a closed map (never from data). */
const OUTCOME_ICONS: Readonly<Record<string, Span>> = {
  succeeded: { t: "plain", v: ":white_check_mark:" },
  failed: { t: "plain", v: ":x:" },
  outcome_unknown: { t: "plain", v: ":grey_question:" },
};

/** Up to five names as they can be typed back, then how many more. */
function names(list: readonly string[]): Span[] {
  const shown = joinTexts(
    list.slice(0, 5).map((n) => typeable(n)),
    ", ",
  );
  return list.length <= 5 ? shown : [...shown, ...md` +${String(list.length - 5)} more`];
}

/** ` · Open the thread` (a link), or nothing without a permalink. */
function threadLink(url: string | undefined): Span[] {
  return url === undefined ? [] : md` · ${link(url, "Open the thread")}`;
}

/** `/ops jobs`: operations running now and the ones that finished recently. Pure. */
export function buildJobsView(input: JobsViewInput): Message {
  const blocks: Part[] = [];
  blocks.push(section({ text: md`*Running* (${String(input.running.length)})` }));
  blocks.push(
    list(
      input.running.map(
        (j): ListItem => ({
          title: md`:hourglass_flowing_sand: ${j.operation} ${plural(j.targetNames.length, "server")}`,
          subtitle: md`${names(j.targetNames)} · now: ${j.currentStep ?? "starting"} · for ${formatElapsed(
            input.now - j.startedAt,
          )}${j.requesterId ? md` · by ${userMention(j.requesterId)}` : md``}${j.resumes > 0 ? md` · resumed` : md``}${threadLink(j.link)}`,
          fields: [{ label: "Request", value: code(j.requestId) }],
        }),
      ),
    ),
  );
  blocks.push(section({ text: md`*Recent* (${String(input.recent.length)})` }));
  blocks.push(
    list(
      input.recent.map(
        (j): ListItem => ({
          title: md`${OUTCOME_ICONS[j.outcome] ?? OUTCOME_ICONS.outcome_unknown!} ${j.operation} ${plural(j.targetNames.length, "server")}: ${j.summary ?? j.outcome.replace("_", " ")}`,
          subtitle: md`${names(j.targetNames)} · finished ${formatTime(j.finishedAt)}${
            j.durationMs !== undefined ? md` after ${formatElapsed(j.durationMs)}` : md``
          }${j.requesterId ? md` · by ${userMention(j.requesterId)}` : md``}${threadLink(j.link)}`,
          fields: [{ label: "Request", value: code(j.requestId) }],
        }),
      ),
    ),
  );
  blocks.push(context(md`Each operation's thread has its progress and per-server results.`));
  return {
    text: md`${String(input.running.length)} running, ${String(input.recent.length)} recent operations`,
    blocks,
  };
}
