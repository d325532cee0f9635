import type { Responder } from "../app/ports.js";
import type { Logger } from "../log/create-logger.js";
import type { Message } from "../render/message-model.js";

/** Timers, injected so tests move time by hand (a manual clock has this shape). */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real timers, unref'd: a pending placeholder never keeps the process alive. */
export const systemScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Default delay before a placeholder is shown: a result that comes sooner is shown without one. */
export const DEFAULT_PLACEHOLDER_DELAY_MS = 300;

export interface PendingReplyOptions {
  /** Shown if nothing was answered after `delayMs`. */
  placeholder: Message;
  delayMs: number;
  scheduler: Scheduler;
  logger: Logger;
  /**
   * `new` (a command): the placeholder is a new private message, which the first answer replaces and which is
   * deleted when the request ends without answering (its result went to the channel). `replace-original` (a
   * click on the bot's own private result, e.g. a page): the placeholder replaces that message and the answer
   * replaces the placeholder.
   */
  mode: "new" | "replace-original";
}

export interface PendingReply {
  /** Answers through this; the first answer replaces the placeholder when one is shown. */
  readonly responder: Responder;
  /** The request is done: no placeholder from now on, and one nothing replaced is removed. */
  finish(): Promise<void>;
}

/**
 * A visible answer within a second however slow the cloud is: when a request has not answered after
 * `delayMs`, a placeholder ("⏳ Looking up web-04…") is posted, and the real answer replaces it. A request
 * that answers sooner shows no placeholder at all (no flicker). Placeholder failures are logged, never thrown:
 * the real answer matters more.
 */
export function createPendingReply(inner: Responder, options: PendingReplyOptions): PendingReply {
  const { logger, mode } = options;
  let answered = false;
  let finished = false;
  /** The placeholder's post, once started: answers wait for it so they land after it, replacing it. */
  let posting: Promise<boolean> | undefined;
  let shown = false;

  const timer = options.scheduler.setTimeout(() => {
    if (answered || finished) return;
    posting = inner.respond(options.placeholder, { replaceOriginal: mode === "replace-original" }).then(
      () => {
        shown = true;
        return true;
      },
      (error: unknown) => {
        logger.warn({ err: error }, "could not show the placeholder");
        return false;
      },
    );
  }, options.delayMs);

  const responder: Responder = {
    async respond(message, replyOptions = {}) {
      const first = !answered;
      answered = true;
      options.scheduler.clearTimeout(timer);
      if (posting !== undefined) await posting;
      if (!first || !shown) return inner.respond(message, replyOptions);
      shown = false;
      if (replyOptions.inChannel && mode === "new") {
        // A private placeholder cannot become a channel message: delete it, then post.
        await removePlaceholder();
        return inner.respond(message, replyOptions);
      }
      return inner.respond(message, { ...replyOptions, replaceOriginal: true });
    },
    ...(inner.deleteOriginal !== undefined && {
      deleteOriginal: () => inner.deleteOriginal?.() ?? Promise.resolve(),
    }),
  };

  async function removePlaceholder(): Promise<void> {
    if (inner.deleteOriginal === undefined) return;
    try {
      await inner.deleteOriginal();
    } catch (error) {
      logger.warn({ err: error }, "could not remove the placeholder");
    }
  }

  return {
    responder,
    async finish() {
      finished = true;
      options.scheduler.clearTimeout(timer);
      if (posting !== undefined) await posting;
      // A command whose answer went elsewhere (a card in the channel) leaves no placeholder behind.
      if (shown && mode === "new") {
        shown = false;
        await removePlaceholder();
      }
    },
  };
}
