import type { IncomingMessage, ServerResponse } from "node:http";
import type { Worker } from "node:worker_threads";
import type { Logger } from "../../log/create-logger.js";
import { handleProbe, type Probes, sendJson } from "../serve-probes.js";
import { type HttpFrontend, SLACK_EVENTS_PATH } from "../start-http-frontend.js";
import type {
  AckThreadSettings,
  ForwardedRequest,
  FromAckThread,
  ThreadAnswer,
  ToAckThread,
} from "./ack-thread-messages.js";
import { captureHttpAnswer } from "./capture-http-answer.js";
import { startAckThreadWorker } from "./start-ack-thread-worker.js";

export interface AckThreadFrontendOptions extends AckThreadSettings {
  /** A worker from `startAckThreadWorker` started earlier (it is this front's now); default one started now. */
  worker?: Worker;
  /** Bolt's `HTTPReceiver.requestListener`, run in this thread for every request the ack thread hands over. */
  boltListener: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Takes an acked delivery itself, without Bolt (see `createDirectDispatch`): true when it did. Absent, or
   * false: Bolt dispatches it.
   */
  direct?: (request: ForwardedRequest) => boolean;
  logger: Logger;
  /** Extra fields for `/healthz`; `status` is always `ok` while serving. */
  health?: () => Record<string, unknown>;
  /** `/readyz` and `/metrics`; absent: not served. */
  probes?: Pick<Probes, "ready" | "metrics">;
  /**
   * Told when the ack thread fails or ends on its own: the bot then receives nothing from Slack. Default:
   * logged, then thrown as an uncaught exception, which ends the process (see `guard-process.ts`) so that
   * the orchestrator starts a new one.
   */
  onFailure?: (error: Error) => void;
}

/** The ack thread, loaded and waiting: it listens when told to. */
export interface AckThreadFrontend {
  /**
   * Starts listening (the bot calls it once Slack auth has succeeded). Rejects with the listen error (a busy
   * port: its `code` kept); the thread stays, so a later call may try again.
   */
  listen(): Promise<HttpFrontend>;
  /** Stops the thread: once listening, like {@link HttpFrontend.close}; before that, at once. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The HTTP front in a thread of its own (the "ack thread"): it judges every Slack request exactly as
 * `startHttpFrontend` does, acks slash commands, clicks and events at once, and hands them here, where Bolt
 * dispatches them to the listeners and the bounded work queue. A modal submission and a URL verification
 * wait for this thread's answer (their ack carries it); the probes are answered here, from the bot's own
 * state, so a bot thread that stops answering is seen as unhealthy. The ack thread uses the wall clock for
 * the replay window.
 *
 * The thread starts loading now, so that its start-up overlaps the bot's; until it listens it does not keep
 * the process alive.
 */
export function prepareAckThreadFrontend(options: AckThreadFrontendOptions): AckThreadFrontend {
  const log = options.logger;
  const settings: AckThreadSettings = {
    signingSecret: options.signingSecret,
    port: options.port,
    ...(options.host !== undefined && { host: options.host }),
    ...(options.bodyLimitBytes !== undefined && { bodyLimitBytes: options.bodyLimitBytes }),
    ...(options.answerDeadlineMs !== undefined && { answerDeadlineMs: options.answerDeadlineMs }),
  };
  let stopping = false;
  let serving = false;
  let ended: Error | undefined;
  let closed: (() => void) | undefined;
  let pendingListen: { resolve: (url: string) => void; reject: (error: Error) => void } | undefined;
  const probes: Probes = {
    stopping: () => stopping,
    ...(options.health !== undefined && { health: options.health }),
    ...options.probes,
  };
  const onFailure =
    options.onFailure ??
    ((error: Error) => {
      setImmediate(() => {
        throw error;
      });
    });
  const worker = options.worker ?? startAckThreadWorker();
  const send = (message: ToAckThread) => worker.postMessage(message);

  const dispatch = (request: ForwardedRequest): Promise<ThreadAnswer> => {
    const { req, res, answer } = captureHttpAnswer({
      method: "POST",
      url: SLACK_EVENTS_PATH,
      headers: request.headers,
      rawBody: Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength),
    });
    options.boltListener(req, res);
    return answer;
  };

  worker.on("message", (message: FromAckThread) => {
    switch (message.type) {
      case "listening":
        pendingListen?.resolve(message.url);
        return;
      case "listen-failed":
        pendingListen?.reject(
          Object.assign(new Error(message.message), message.code !== undefined && { code: message.code }),
        );
        return;
      case "deliver":
        if (options.direct?.(message.request) === true) return;
        // Acked already: what Bolt answers goes nowhere, but a refusal is worth a line.
        void dispatch(message.request).then((answer) => {
          if (answer.status >= 400)
            log.warn({ status: answer.status }, "Bolt refused a request the front had acked");
        });
        return;
      case "request":
        void dispatch(message.request).then((answer) => send({ type: "answer", id: message.id, answer }));
        return;
      case "probe": {
        const { req, res, answer } = captureHttpAnswer({ method: message.method, url: message.url });
        if (!handleProbe(req, res, probes, log)) sendJson(res, 404, { error: "not_found" });
        void answer.then((a) => send({ type: "answer", id: message.id, answer: a }));
        return;
      }
      case "log":
        log[message.level](message.fields ?? {}, message.msg);
        return;
      case "closed":
        closed?.();
        return;
    }
  });
  const fail = (error: Error, what: string) => {
    ended ??= error;
    closed?.();
    pendingListen?.reject(error);
    if (stopping || !serving) return;
    log.fatal({ err: error }, `${what}: Slack requests are no longer received`);
    onFailure(error);
  };
  worker.on("error", (error) => fail(error, "the ack thread failed"));
  worker.on("exit", (code) =>
    fail(new Error(`the ack thread ended (exit code ${code})`), "the ack thread ended"),
  );

  async function close(graceMs = 10_000): Promise<void> {
    stopping = true;
    // Once listening, the thread stops listening and finishes the requests it holds (this thread still
    // answers them); before that, there is nothing to finish.
    if (serving && ended === undefined)
      await new Promise<void>((resolve) => {
        closed = resolve;
        send({ type: "close", graceMs });
      });
    await worker.terminate();
  }

  return {
    async listen() {
      if (ended !== undefined) throw ended;
      const url = await new Promise<string>((resolve, reject) => {
        pendingListen = { resolve, reject };
        send({ type: "listen", settings });
      }).finally(() => {
        pendingListen = undefined;
      });
      serving = true;
      // Now it serves Slack: the process stays up for it.
      worker.ref();
      return { url, close };
    },
    close,
  };
}
