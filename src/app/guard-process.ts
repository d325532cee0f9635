import type { Logger } from "../log/create-logger.js";

/** The process events the guard listens to (`process` itself in production; anything emitting them in tests). */
export interface ProcessEvents {
  on(event: "unhandledRejection", listener: (reason: unknown) => void): unknown;
  on(event: "uncaughtExceptionMonitor", listener: (error: Error, origin: string) => void): unknown;
}

/**
 * Process-wide safety nets. An unhandled rejection (a bug somewhere, or a library's unawaited promise) is
 * logged with its error and stack and the bot keeps serving: Node's default would end the process, and with
 * it every acked request and running flow, for one failed promise. An uncaught exception still ends the
 * process (its state can no longer be trusted), but the log says why first.
 */
export function guardProcess(proc: ProcessEvents, logger: Logger): void {
  proc.on("unhandledRejection", (reason) => {
    logger.error(
      { err: reason, kind: "unhandled_rejection" },
      "unhandled promise rejection (a bug): logged, the bot keeps serving",
    );
  });
  proc.on("uncaughtExceptionMonitor", (error, origin) => {
    logger.fatal({ err: error, origin }, "uncaught exception: the process exits");
  });
}
