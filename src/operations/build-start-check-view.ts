import type { ApprovalRequest } from "../approvals/approval-request.js";
import {
  code,
  localTime,
  type Message,
  md,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { renderPlain } from "../render/render-mrkdwn.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { describeCause, type PolicyChange, policyChangeLines } from "./build-policy-change-view.js";

/**
 * Why a scheduled change, or the next wave of a run, may not start now although its time has come: checked
 * at its start, then before each later wave.
 * - `window_closed`: its maintenance window closed (the schedule's `startBy`) before it could start.
 * - `window_moved`: its maintenance window is not open now in the current calendar (the calendar was edited
 *   after approval: the window moved or was removed), nor opens again before the approved end.
 * - `approved_late`: its approval was complete only at or after its start time.
 */
export type StartCheck =
  | { kind: "window_closed"; window: string; closedAt: number }
  | { kind: "window_moved"; window: string }
  | { kind: "approved_late"; runAt: number; approvedAt: number };

/** What stopped a run in waves before one of its waves: a {@link StartCheck}, or a stricter policy. */
export type WaveStop = StartCheck | { kind: "policy"; change: PolicyChange };

function why(check: StartCheck): Span[] {
  switch (check.kind) {
    case "window_closed":
      return md`the maintenance window ${code(check.window)} closed at ${localTime(check.closedAt)}`;
    case "window_moved":
      return md`the maintenance window ${code(check.window)} is not open now: the window moved or was removed (see ${code("/ops calendar")})`;
    case "approved_late":
      return md`its approval was complete only at ${localTime(check.approvedAt)}, after its start time ${localTime(check.runAt)}`;
  }
}

/** Why the scheduled change did not run, as plain text (kept with the request; its card shows it). */
export function startCheckReason(check: StartCheck): string {
  return renderPlain(why(check), Number.POSITIVE_INFINITY, { codeTicks: true });
}

/** In the thread: the scheduled change did not start, and why; the requester (mentioned) may schedule it again. */
export function buildStartCheckReply(
  request: Pick<ApprovalRequest, "requester">,
  check: StartCheck,
): Message {
  return buildNoticeView(
    ":stopwatch:",
    md`Not run: ${why(check)}. Nothing was done. ${userMention(request.requester.userId)}, schedule it again if it is still needed.`,
  );
}

/**
 * In the thread: a run in waves stopped before wave `index` (0-based) because of `stop`; the waves before it
 * ran (their results are in the summary that follows), that one and the later ones are not run.
 */
export function buildWaveStoppedReply(
  request: Pick<ApprovalRequest, "action">,
  index: number,
  waves: number,
  stop: WaveStop,
): Message {
  const which = md`Wave ${String(index + 1)} of ${String(waves)}`;
  const later =
    index + 1 === waves
      ? md`wave ${String(waves)} was not run, and its servers were`
      : index + 2 === waves
        ? md`waves ${String(index + 1)} and ${String(waves)} were not run, and their servers were`
        : md`waves ${String(index + 1)} to ${String(waves)} were not run, and their servers were`;
  const notRun = md`${later} not touched. To finish, ask for the change again for those servers.`;
  const ran =
    index === 0
      ? md`No wave ran`
      : index === 1
        ? md`Wave 1 ran`
        : index === 2
          ? md`Waves 1 and 2 ran`
          : md`Waves 1 to ${String(index)} ran`;
  const rest = md`${ran}; ${notRun}`;
  if (stop.kind !== "policy") {
    return buildNoticeView(":stopwatch:", md`${which} not started: ${why(stop)}. ${rest}`);
  }
  const lines = policyChangeLines(stop.change, request.action);
  return {
    text: md`${which} not started: ${lines[0] ?? describeCause(stop.change)}`,
    blocks: [
      section({
        text: [
          ...md`:no_entry: *${which} not started, ${describeCause(stop.change)}.* Checked again before this wave:`,
          ...lines.flatMap((line) => [...md`\n• `, ...line]),
        ],
      }),
      section({ text: rest }),
    ],
  };
}
