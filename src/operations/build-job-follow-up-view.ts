import { formatDuration } from "../config/parse-duration.js";
import {
  code,
  context,
  type ListItem,
  list,
  localTime,
  type Message,
  md,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { emoji, typeable } from "../views/format-values.js";
import { formatElapsed } from "../workflow/format-flow-text.js";

/** How a followed job ended, as the follow-up saw it. */
export type JobFollowUpEnding =
  /** The cloud recorded the job's end (`at`: its end time, else when the bot saw it). */
  | { kind: "finished"; status: "SUCCESS" | "FAIL"; at: number; failReason?: string }
  /** The job's record was gone (purged) when the bot looked (`at`). */
  | { kind: "gone"; at: number }
  /** Followed for `followedForMs` without an end; last seen `lastStatus`. */
  | { kind: "gave_up"; at: number; followedForMs: number; lastStatus?: string };

/** One server of the job, as read when the follow-up ended. */
export interface JobFollowUpServer {
  id: string;
  name: string;
  /** Its sub-job's status and failure reason in the job, when the job said. */
  subJob?: { status: string; failReason?: string };
  /** Its ECS status read by ID then (`NOT_FOUND`, `UNREADABLE`), or undefined when not read. */
  now?: string;
}

export interface JobFollowUpViewInput {
  jobId: string;
  /** The request's verb (`stop`). */
  verb: string;
  /** Mentioned, so they learn what became of their request. */
  requesterId?: string;
  /** When the run ended (as outcome unknown). */
  runEndedAt: number;
  ending: JobFollowUpEnding;
  /** The job's servers whose outcome stayed unknown (at most the ones read; see `more`). */
  servers: readonly JobFollowUpServer[];
  /** Servers of the job not listed (too many to read one by one). */
  more: number;
}

/** Job statuses as a person says them; another status is shown as the cloud gives it. */
const JOB_STATUS_WORDS: Readonly<Record<string, string>> = {
  SUCCESS: "succeeded",
  FAIL: "failed",
  RUNNING: "running",
  INIT: "starting",
};

function jobStatusWord(status: string): string {
  return JOB_STATUS_WORDS[status] ?? status;
}

/** Servers named in the push preview, at most this many (the rest counted). */
const MAX_NAMED = 3;

/** `stop web-01, web-02 +3 more`: the verb and the job's servers, for the push preview. */
function whatOn(input: JobFollowUpViewInput): string {
  const names = input.servers.slice(0, MAX_NAMED).map((s) => s.name);
  const rest = input.servers.length - names.length + input.more;
  if (names.length === 0) return input.verb;
  return `${input.verb} ${names.join(", ")}${rest > 0 ? ` +${String(rest)} more` : ""}`;
}

/**
 * The one reply in a request's thread after its run ended with servers of unknown outcome because their cloud
 * job had not finished by the deadline: what the cloud finished later, and when, with each server's state as
 * read then; or that the job was gone; or that the bot stopped following it. The outcome and the verb come
 * first (the push preview names the servers, never the job ID). It is news about the job: the run's recorded
 * outcome is left as it ended, and the message says so.
 */
export function buildJobFollowUpView(input: JobFollowUpViewInput): Message {
  const { ending, jobId } = input;
  const update =
    input.requesterId === undefined
      ? md`Update on the *${input.verb}* (its outcome was unknown)`
      : md`${userMention(input.requesterId)}, update on your *${input.verb}* (its outcome was unknown)`;
  const later = formatElapsed(ending.at - input.runEndedAt);
  const after = md`${later} after the run ended`;
  let news: Span[];
  let fallback: Span[];
  switch (ending.kind) {
    case "finished": {
      const failed = ending.status === "FAIL";
      const reason = failed && ending.failReason !== undefined ? md` (${ending.failReason})` : md``;
      news = md`${emoji(failed ? ":x:" : ":white_check_mark:")} ${update}: Huawei Cloud finished it, *${jobStatusWord(ending.status)}*${reason}, at ${localTime(ending.at)} (${after}).`;
      fallback = failed
        ? md`Update: ${whatOn(input)} failed (Huawei Cloud, ${later} later)`
        : md`Update: ${whatOn(input)} succeeded after all (Huawei Cloud, ${later} later)`;
      break;
    }
    case "gone":
      news = md`:grey_question: ${update}: it stays unknown. Huawei Cloud no longer had its job when the bot looked at ${localTime(ending.at)} (${after}), so how it ended cannot be read. The servers as read then:`;
      fallback = md`Update: ${whatOn(input)} stays unknown (the cloud job is gone); the servers as read then`;
      break;
    case "gave_up":
      news = md`:stopwatch: ${update}: Huawei Cloud had still not finished it after ${formatDuration(ending.followedForMs)}${ending.lastStatus !== undefined ? md` (last seen ${jobStatusWord(ending.lastStatus)})` : md``}, so the bot stopped following it. Check it with ${code(`/ecs job ${jobId}`)}.`;
      fallback = md`Update: ${whatOn(input)} had still not finished after ${formatDuration(ending.followedForMs)}; no longer followed`;
      break;
  }
  const blocks = [section({ text: news })];
  if (ending.kind !== "gave_up" && input.servers.length > 0) {
    const items = input.servers.map((s): ListItem => serverItem(s));
    blocks.push(
      list(items, {
        total: input.servers.length + input.more,
        moreHint: md`see ${code(`/ecs job ${jobId}`)}`,
      }),
    );
  }
  blocks.push(
    context(
      md`Cloud job ${code(jobId)} · news about the job, not a new result: the run's recorded outcome stays as it ended (outcome unknown), and nothing was sent to the cloud again.`,
    ),
  );
  return { text: fallback, blocks };
}

function serverItem(s: JobFollowUpServer): ListItem {
  const parts: Span[] = [];
  if (s.subJob !== undefined) {
    parts.push(...md`in the job: ${jobStatusWord(s.subJob.status)}`);
    if (s.subJob.failReason !== undefined) parts.push(...md` (${s.subJob.failReason})`);
  }
  const now =
    s.now === undefined
      ? md`not read`
      : s.now === "NOT_FOUND"
        ? md`not found (deleted)`
        : s.now === "UNREADABLE"
          ? md`could not be read`
          : md`${s.now}`;
  if (parts.length > 0) parts.push(...md` · `);
  parts.push(...md`now: `, ...now);
  return {
    title: md`${typeable(s.name)} ${code(s.id)}`,
    subtitle: parts,
  };
}
