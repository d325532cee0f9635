import type { ChatPort, MessageRef } from "../app/ports.js";
import type { Logger } from "../log/create-logger.js";
import { context, type Message, md, userMention } from "../render/message-model.js";
import type { Clock } from "../store/store.js";
import type { FlowEvent } from "../workflow/flow-events.js";
import { flowStatusMessage } from "../workflow/flow-status-message.js";
import { isIn, TERMINAL_JOB_STATUSES } from "../workflow/flow-statuses.js";
import { flowSummaryMessage } from "../workflow/flow-summary-message.js";
import { type FlowViewState, reduceFlowEvent, sameFlowProgress } from "../workflow/reduce-flow-event.js";
import type { FlowOutcome } from "../workflow/summarize-run.js";
import { createCoalescer } from "./create-coalescer.js";
import { systemTimers, type Timers } from "./timers.js";

export interface ThreadReporterOptions {
  chat: ChatPort | undefined;
  /** The request's root message; undefined: nothing is posted (logged only). */
  root: MessageRef | undefined;
  /** The run's status message posted before (by another replica, or before a restart): updated, not posted anew. */
  statusMessage?: MessageRef;
  /** Called once when the status message is first posted, to remember it for whoever resumes the run. */
  onStatusPosted?: (ref: MessageRef) => void | Promise<void>;
  clock: Clock;
  logger: Logger;
  /** Mentioned in the final summary (and an abandoned run's note), so they learn the outcome. */
  requesterId?: string;
  /** Minimum time between two updates of the status message. Default 1000 ms. */
  intervalMs?: number;
  /**
   * How long a change waits for the ones that follow it at once before the status message shows it (the run's
   * start and its first steps, a step that ends as the next begins): one Slack call for the burst. A job's end
   * does not wait. Default 250 ms.
   */
  settleMs?: number;
  /** While the run goes on, the status message is refreshed this often (its elapsed time). Default 15 s. */
  tickMs?: number;
  timers?: Timers;
}

/**
 * Reports one run in its request's thread: one status message, posted on the first event (after the settle
 * time) and then updated in place (coalesced: at most one update per interval, the last state wins, the final
 * state always shown),
 * then a final summary as a new reply. Chat failures are logged, never thrown: Slack being down must not stop
 * an execution that is changing servers.
 */
export interface ThreadReporter {
  /** Pass as the executor's `onEvent`. */
  onEvent(event: FlowEvent): void;
  /**
   * Shows the final state in the status message, then posts the summary unless `summary` is false (it was
   * posted before: the run's single final message is claimed in the store by whoever posts it).
   */
  finish(outcome: FlowOutcome, options?: { summary?: boolean }): Promise<void>;
  /** Ends the status message and posts `message` instead of a summary (the run could not finish). */
  abandon(message: Message): Promise<void>;
  /** Stops reporting without posting anything: the run continues elsewhere (another replica, a restart). */
  suspend(): Promise<void>;
}

/** See `ThreadReporterOptions.settleMs`: short enough that a person does not notice it. */
const DEFAULT_SETTLE_MS = 250;

export function createThreadReporter(options: ThreadReporterOptions): ThreadReporter {
  const { chat, root, logger } = options;
  let state: FlowViewState | undefined;
  let statusRef: MessageRef | undefined = options.statusMessage;
  let suspended = false;

  const post = async (message: Message): Promise<MessageRef | undefined> => {
    if (chat === undefined || root === undefined) return undefined;
    return chat.postMessage(root.channel, message, { threadTs: root.threadTs ?? root.ts });
  };
  const coalescer = createCoalescer<Message>({
    clock: options.clock,
    ...(options.intervalMs !== undefined && { intervalMs: options.intervalMs }),
    settleMs: options.settleMs ?? DEFAULT_SETTLE_MS,
    ...(options.timers !== undefined && { timers: options.timers }),
    send: async (message) => {
      if (chat === undefined || root === undefined || suspended) return;
      if (statusRef === undefined) {
        statusRef = await post(message);
        if (statusRef !== undefined) {
          try {
            await options.onStatusPosted?.(statusRef);
          } catch (error) {
            logger.warn({ err: error }, "could not remember the status message");
          }
        }
      } else await chat.updateMessage(statusRef, message);
    },
    onError: (error) => logger.warn({ err: error }, "could not update the status message in the thread"),
  });

  const timers = options.timers ?? systemTimers;
  let ticker: unknown;
  const stopTicking = () => {
    if (ticker !== undefined) timers.clearInterval(ticker);
    ticker = undefined;
  };
  const show = (settle = true) => {
    if (state !== undefined) coalescer.push(flowStatusMessage(state, options.clock.now()), { settle });
  };

  return {
    onEvent(event) {
      const before = state;
      state = reduceFlowEvent(state, event);
      // A poll that saw nothing new changes nothing the reader sees but the elapsed time, which the ticker
      // below refreshes: no update of the message (one chat.update less per unchanged poll).
      // A job's end is shown without the settle time: it is the news the thread is followed for.
      if (before === undefined || state === undefined || !sameFlowProgress(before, state))
        show(!(event.type === "job_progress" && isIn(TERMINAL_JOB_STATUSES, event.status)));
      // A slow job sends no events for minutes: the elapsed time and step are refreshed meanwhile.
      if (ticker === undefined && state !== undefined && !suspended) {
        ticker = timers.setInterval(() => {
          if (state?.status === "running" && !suspended) show();
        }, options.tickMs ?? 15_000);
      }
    },
    async finish(outcome, finishOptions = {}) {
      stopTicking();
      const final =
        state !== undefined
          ? flowStatusMessage({ ...state, status: outcome.status, outcome }, options.clock.now())
          : undefined;
      await coalescer.close(final);
      if (finishOptions.summary === false) return;
      try {
        await post(mentioning(flowSummaryMessage(outcome), options.requesterId));
      } catch (error) {
        logger.warn({ err: error }, "could not post the summary in the thread");
      }
    },
    async suspend() {
      stopTicking();
      suspended = true;
      await coalescer.close();
    },
    async abandon(message) {
      stopTicking();
      await coalescer.close();
      try {
        await post(mentioning(message, options.requesterId));
      } catch (error) {
        logger.warn({ err: error }, "could not post in the thread");
      }
    },
  };
}

/** The message with a line mentioning the requester first ("@alice, your request finished:"). */
function mentioning(message: Message, requesterId: string | undefined): Message {
  if (requesterId === undefined) return message;
  // The fallback text stays the summary itself (it is what lists and notifications preview); the mention in
  // the blocks is what notifies.
  return {
    ...message,
    blocks: [context(md`${userMention(requesterId)} your request finished:`), ...message.blocks],
  };
}
