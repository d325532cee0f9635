import type { RequestSchedule } from "../approvals/approval-request.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  channelLink,
  link,
  localTime,
  type Message,
  md,
  type Span,
  userMention,
} from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";
import { describeSchedule } from "./build-schedule-views.js";

/** The approvals a request still waits for: those missing (of its current stage, named, for a staged request). */
export interface DuplicateWaiting {
  approvals: number;
  stage?: string;
}

/** The open request of the same intent (see {@link buildDuplicateRequestView}). */
export interface DuplicateRequestInput {
  /** When it was asked (epoch ms), shown in the reader's time zone. */
  askedAt: number;
  /** Who asked it, when not the reader (a scheduled change is one intent whoever asks it). */
  askedBy?: string;
  /** The channel its card is in. */
  channelId: string;
  /** Its card, when a link to it could be had. */
  permalink?: string;
  /**
   * Where it is: `posting`, not recorded yet, its card being posted (by this replica or another; `waiting`
   * absent: it needs no approval); `waiting` for approval; `approved` and not started (`schedule`: waiting for
   * its time; absent, its run is starting; `byPolicy`: the policy allowed it without approval).
   */
  state:
    | { kind: "posting"; waiting?: DuplicateWaiting }
    | { kind: "waiting"; waiting: DuplicateWaiting }
    | { kind: "approved"; schedule?: RequestSchedule; byPolicy?: boolean };
}

/**
 * The answer to a change asked again while the same request (same servers, action, parameters and schedule;
 * the reason may differ) is still open: where it is and what it waits for, and that nothing new was requested,
 * so there is one card to approve and one change that runs, not two.
 */
export function buildDuplicateRequestView(input: DuplicateRequestInput): Message {
  const when = localTime(input.askedAt, "time");
  const who = input.askedBy !== undefined ? userMention(input.askedBy) : md`You`;
  const { state } = input;
  if (state.kind === "posting") {
    const waits =
      state.waiting !== undefined
        ? md`, where it will wait for approval (it needs ${needsOf(state.waiting)})`
        : md``;
    return buildNoticeView(
      ":information_source:",
      md`${who} already asked this at ${when}; its card is being posted in ${channelLink(input.channelId)}${waits}. Nothing new was requested.`,
    );
  }
  const label = input.askedBy !== undefined ? "their request" : "your request";
  const where: Span[] =
    input.permalink !== undefined
      ? md`: ${link(input.permalink, label)}`
      : md` (its card is in ${channelLink(input.channelId)})`;
  const asked = md`${who} already asked this at ${when}${where}`;
  if (state.kind === "waiting")
    return buildNoticeView(
      ":information_source:",
      md`${asked}; it is waiting for approval (it still needs ${needsOf(state.waiting)}). Nothing new was requested.`,
    );
  const approved = state.byPolicy === true ? md`the policy allows it without approval` : md`it is approved`;
  if (state.schedule === undefined)
    return buildNoticeView(
      ":information_source:",
      md`${asked}; ${approved} and its run is starting. Nothing new was requested.`,
    );
  // A different time is a different request: asked without cancelling this one, both would run.
  const instead =
    input.askedBy === undefined
      ? md`To run it at another time, cancel it first (from its card), then ask again.`
      : md`To run it at another time, ${userMention(input.askedBy)} or an approver must cancel it first (from its card).`;
  return buildNoticeView(
    ":information_source:",
    md`${asked}; ${approved}. ${describeSchedule(state.schedule)}. ${instead} Nothing new was requested.`,
  );
}

function needsOf(waiting: DuplicateWaiting): Span[] {
  return md`${plural(waiting.approvals, "approval")}${waiting.stage !== undefined ? md` at stage ${waiting.stage}` : md``}`;
}
