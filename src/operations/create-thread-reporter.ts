import type { ChatPort, MessageRef } from "../app/ports.js";
import type { Logger } from "../log/create-logger.js";
import { bold, context, type Message, md, toSpans, userMention } from "../render/message-model.js";
import type { Clock } from "../store/store.js";
import { buildUnknownOutcomeNoticeView } from "../views/build-unknown-outcome-notice-view.js";
import type { FlowEvent } from "../workflow/flow-events.js";
import { callNoun, flowStatusMessage } from "../workflow/flow-status-message.js";
import { flowSummaryMessage } from "../workflow/flow-summary-message.js";
import type { Preflight } from "../workflow/preflight-types.js";
import { type FlowViewState, reduceFlowEvent, sameFlowProgress } from "../workflow/reduce-flow-event.js";
import type { FlowOutcome } from "../workflow/summarize-run.js";
import { type Coalescer, createCoalescer } from "./create-coalescer.js";
import { systemTimers, type Timers } from "./timers.js";

export interface ThreadReporterOptions {
  chat: ChatPort | undefined;
  /** The request's root message; undefined: nothing is posted (logged only). */
  root: MessageRef | undefined;
  /**
   * A run's status message posted before (by another replica, or before a restart), looked up before its
   * first update: it is updated, not posted anew. A failed lookup is logged (a new message is posted).
   */
  findStatusMessage?: (runId: string) => Promise<MessageRef | undefined>;
  /** Called once when a run's status message is first posted, to remember it for whoever resumes the run. */
  onStatusPosted?: (ref: MessageRef, runId: string) => void | Promise<void>;
  clock: Clock;
  logger: Logger;
  /** Mentioned in the final summary (and an abandoned run's note), so they learn the outcome. */
  requesterId?: string;
  /**
   * The request's preflight, as its approvers read it: the summary says from it what the run left (a detached
   * disk and how to attach it again, the disks and EIPs a delete kept). Absent: the summary says none of it.
   */
  preflight?: Preflight;
  /** Minimum time between two updates of the status message. Default 1000 ms. */
  intervalMs?: number;
  /**
   * How long a change waits for the ones that follow it at once before the status message shows it (the run's
   * start and its first steps, a step that ends as the next begins, a run's last job's end and the run's end):
   * one Slack call for the burst. Default 250 ms.
   */
  settleMs?: number;
  /** While the run goes on, the status message is refreshed this often (its elapsed time). Default 15 s. */
  tickMs?: number;
  timers?: Timers;
}

/**
 * Reports an execution in its request's thread: each run has one status message, posted on its first event
 * (after the settle time) and then updated in place (coalesced: at most one update per interval, the last state
 * wins, the final state always shown), then a final summary as a new reply. A run in waves is a run per wave:
 * each wave has its own status message, saying which wave it is, that ends as that wave ended; the whole
 * request is in the wave list and the summary. Chat failures are logged, never thrown: Slack being down must
 * not stop an execution that is changing servers.
 */
export interface ThreadReporter {
  /** Pass as the executor's `onEvent`. */
  onEvent(event: FlowEvent): void;
  /**
   * Shows the final state in the status message of the run `outcome` is of (a run in waves: each wave's
   * message shows its own end, not the request's), and posts the summary unless `summary` is false (it was
   * posted before: the run's single final message is claimed in the store by whoever posts it). Resolves once
   * the summary is posted: it follows the status message in the thread, but not its last edit (one a Slack
   * rate limit holds back must not hold back the news); {@link shown} says when that edit has landed.
   */
  finish(outcome: FlowOutcome, options?: { summary?: boolean }): Promise<void>;
  /** Resolves once every status message ended so far shows its last state (or could not be updated). */
  shown(): Promise<void>;
  /**
   * Ends the status message and posts `message` instead of a summary (the run could not finish), below the
   * message but not after its last edit, as {@link finish} posts its summary.
   */
  abandon(message: Message): Promise<void>;
  /**
   * Stops reporting without posting anything: the run continues elsewhere (another replica, a restart). The
   * status messages of runs that finished (a run in waves: the waves before) still get their last state,
   * which is final whoever continues; the message of a run still going is left to whoever continues it.
   */
  suspend(): Promise<void>;
}

/** See `ThreadReporterOptions.settleMs`: short enough that a person does not notice it. */
const DEFAULT_SETTLE_MS = 250;

/** The status message of one run: its view state and its message in the thread. */
interface RunStatus {
  runId: string;
  /** Settles once the message exists (found or posted), or when it never will (its coalescer is done). */
  exists: Promise<void>;
  state: FlowViewState | undefined;
  coalescer: Coalescer<Message>;
  /** Drops the edits not sent yet, and any later one: someone else continues this message. */
  drop(): void;
}

export function createThreadReporter(options: ThreadReporterOptions): ThreadReporter {
  const { chat, root, logger } = options;
  let current: RunStatus | undefined;
  /** Status messages of earlier runs (the waves before), still delivering their last state. */
  const closing: Promise<void>[] = [];
  let suspended = false;

  const post = async (message: Message): Promise<MessageRef | undefined> => {
    if (chat === undefined || root === undefined) return undefined;
    return chat.postMessage(root.channel, message, { threadTs: root.threadTs ?? root.ts });
  };
  const find = async (runId: string): Promise<MessageRef | undefined> => {
    try {
      return await options.findStatusMessage?.(runId);
    } catch (error) {
      logger.warn({ err: error, run: runId }, "could not read the status message of the run");
      return undefined;
    }
  };

  const statusOf = (runId: string): RunStatus => {
    let ref: MessageRef | undefined;
    let looked = false;
    let dropped = false;
    let existed = () => {};
    const exists = new Promise<void>((resolve) => {
      existed = resolve;
    });
    const coalescer = createCoalescer<Message>({
      clock: options.clock,
      ...(options.intervalMs !== undefined && { intervalMs: options.intervalMs }),
      settleMs: options.settleMs ?? DEFAULT_SETTLE_MS,
      ...(options.timers !== undefined && { timers: options.timers }),
      send: async (message) => {
        if (chat === undefined || root === undefined || dropped) return;
        if (!looked) {
          ref = await find(runId);
          looked = true;
        }
        if (ref !== undefined) {
          existed();
          await chat.updateMessage(ref, message);
          return;
        }
        ref = await post(message);
        if (ref === undefined) return;
        existed();
        try {
          await options.onStatusPosted?.(ref, runId);
        } catch (error) {
          logger.warn({ err: error }, "could not remember the status message");
        }
      },
      onError: (error) => logger.warn({ err: error }, "could not update the status message in the thread"),
    });
    return {
      runId,
      exists,
      state: undefined,
      coalescer,
      drop: () => {
        dropped = true;
      },
    };
  };

  const timers = options.timers ?? systemTimers;
  let ticker: unknown;
  const stopTicking = () => {
    if (ticker !== undefined) timers.clearInterval(ticker);
    ticker = undefined;
  };
  const show = (settle = true) => {
    if (current?.state !== undefined)
      current.coalescer.push(statusMessageOf(current.state, options.clock.now()), { settle });
  };
  /** Lets the status message of the run reported so far deliver its last state: another run begins. */
  const retire = () => {
    if (current === undefined) return;
    closing.push(current.coalescer.close());
    current = undefined;
  };
  const closeAll = async (final?: Message) => {
    if (current !== undefined) closing.push(current.coalescer.close(final));
    await Promise.all(closing);
  };
  const shown = async () => {
    await Promise.all(closing);
  };
  /**
   * Ends the status messages; resolves once the run's message is in the thread (posted or found), not after
   * its last edit: that one may wait out a Slack rate limit (`shown` waits for it), and what is posted below it
   * (the summary, a notice) must not. A message that is never posted: once closing is over.
   */
  const closeBeforeReply = async (final?: Message) => {
    const run = current;
    const closed = closeAll(final);
    await Promise.race([closed, run?.exists ?? closed]);
  };

  /**
   * Servers still unchanged a while after a call whose outcome is unknown: said at warn and in a reply of its
   * own (mentioning the requester), not only in the status message, so nobody waits in silence for the deadline.
   */
  const tellUnchanged = (event: Extract<FlowEvent, { type: "outcome_unknown_unchanged" }>) => {
    logger.warn(
      { run: event.runId, call: event.call, servers: event.servers, answer: event.answer },
      "outcome unknown: the servers show nothing of the call",
    );
    const notice = buildUnknownOutcomeNoticeView({
      what: callNoun(event.call),
      servers: event.servers,
      ...(event.answer !== undefined && { answer: event.answer }),
      watchedMs: event.watchedMs,
      until: event.until,
      ...(options.requesterId !== undefined && { requesterId: options.requesterId }),
    });
    post(notice).catch((error: unknown) =>
      logger.warn({ err: error }, "could not post the unknown outcome notice in the thread"),
    );
  };

  return {
    onEvent(event) {
      if (suspended) return;
      if (event.type === "run_started" && current !== undefined && current.runId !== event.runId) retire();
      if (current === undefined) {
        // Nothing is shown before a run starts; then the events of that run only.
        if (event.type !== "run_started") return;
        current = statusOf(event.runId);
      }
      if (event.type === "outcome_unknown_unchanged") {
        tellUnchanged(event);
        return;
      }
      const before = current.state;
      const state = reduceFlowEvent(before, event);
      current.state = state;
      // A poll that saw nothing new changes nothing the reader sees but the elapsed time, which the ticker
      // below refreshes: no update of the message (one chat.update less per unchanged poll).
      // A job's end settles too: the run's last job's end is mostly followed by the run's end milliseconds
      // later, which then takes its place in the same chat.update (closing waits out what is left of the
      // settle time), not a second one. Every job's end, not only the last: simpler, and jobs ending together
      // are one edit too. It delays a job's end by at most the settle time (250 ms), and only when the message
      // was not edited within the last interval (1 s), whose rest is waited for anyway, the longer of the two:
      // a job's end is never shown later after the run saw it than the interval already allowed.
      if (before === undefined || state === undefined || !sameFlowProgress(before, state)) show();
      // A slow job sends no events for minutes: the elapsed time and step are refreshed meanwhile.
      if (ticker === undefined && state !== undefined) {
        ticker = timers.setInterval(() => {
          if (current?.state?.status === "running" && !suspended) show();
        }, options.tickMs ?? 15_000);
      }
    },
    async finish(outcome, finishOptions = {}) {
      stopTicking();
      const state = current?.state;
      // Only the run's own status message takes its outcome: a wave's message has shown its wave's end.
      const final =
        state !== undefined && state.runId === outcome.runId
          ? statusMessageOf({ ...state, status: outcome.status, outcome }, options.clock.now())
          : undefined;
      const inThread = closeBeforeReply(final);
      if (finishOptions.summary === false) return;
      await inThread;
      try {
        await post(mentioning(flowSummaryMessage(outcome, options.preflight), options.requesterId));
      } catch (error) {
        logger.warn({ err: error }, "could not post the summary in the thread");
      }
    },
    async suspend() {
      stopTicking();
      suspended = true;
      // A run still going is continued elsewhere, in the same message: an edit from here could land after
      // the new owner's and show an older state. A finished run's last state is delivered (a wave that just
      // ended, during the pause): nobody else would show it unless they adopt the run.
      if (current?.state?.status === "running") current.drop();
      await closeAll();
    },
    shown,
    async abandon(message) {
      stopTicking();
      await closeBeforeReply();
      try {
        await post(mentioning(message, options.requesterId));
      } catch (error) {
        logger.warn({ err: error }, "could not post in the thread");
      }
    },
  };
}

/**
 * The status message of a run as of `now`; a finished run's as of its end, so its elapsed time is the one its
 * summary gives. A wave's run says which wave it is first.
 */
export function statusMessageOf(state: FlowViewState, now: number): Message {
  const at = state.status !== "running" ? (state.outcome?.finishedAt ?? now) : now;
  const message = flowStatusMessage(state, at);
  if (state.wave === undefined) return message;
  const wave = `Wave ${state.wave.number} of ${state.wave.of}`;
  return {
    text: [...md`${wave} · `, ...toSpans(message.text)],
    blocks: [context(md`${bold(wave)}`), ...message.blocks],
  };
}

/** The message with a line mentioning the requester first ("@alice, your request finished:"). */
function mentioning(message: Message, requesterId: string | undefined): Message {
  if (requesterId === undefined) return message;
  // The fallback text stays the summary itself (it is what lists and notifications preview); the mention in
  // the blocks is what notifies.
  return {
    ...message,
    blocks: [context(md`${userMention(requesterId)}, your request finished:`), ...message.blocks],
  };
}
