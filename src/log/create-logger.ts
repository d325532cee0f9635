import { type Logger, pino } from "pino";
import { redactLogSecrets } from "./redact-log-secrets.js";

/**
 * The redaction every logger of the bot uses (pino's `formatters`): secrets never reach the logs, at whatever
 * depth a caller puts them (see {@link redactLogSecrets}).
 */
const REDACTING_FORMATTERS = {
  log: (object: Record<string, unknown>) => redactedOrNote(object),
  bindings: (bindings: Record<string, unknown>) => redactedOrNote(bindings),
};

/**
 * An object that cannot be walked (a getter or a proxy that throws) is not logged at all, rather than logged
 * unredacted or made to throw in the caller: the line keeps its message and says what was left out.
 */
function redactedOrNote(object: Record<string, unknown>): Record<string, unknown> {
  try {
    return redactLogSecrets(object);
  } catch {
    return { logFieldsOmitted: "they could not be checked for secrets" };
  }
}

/**
 * A pino logger of the bot (`app: hwc-chatops`) with secret redaction, child loggers' bindings included: pino
 * passes a child's bindings through no formatter, so `child` is wrapped (children inherit the wrapper).
 * Both the production logger and the playground's are made here; they differ in level and destination only.
 */
export function createRedactingPino(level: string, destination: Parameters<typeof pino>[1]): Logger {
  const logger = pino({ level, formatters: REDACTING_FORMATTERS, base: { app: "hwc-chatops" } }, destination);
  const child = logger.child;
  const rootBindings = logger.bindings();
  logger.child = function redactedChild(this: Logger, bindings, options) {
    // A child is made per request and per run: the serialized bindings are searched for a key bound again,
    // and parsed (`bindings()`) only when one is.
    const serialized = (this as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
    const again =
      typeof serialized !== "string" ||
      Object.keys(bindings).some((key) => serialized.includes(`${JSON.stringify(key)}:`));
    if (!again) return child.call(this, redactedOrNote(bindings), options);
    const bound = this.bindings();
    if (!Object.keys(bindings).some((key) => key in bound))
      return child.call(this, redactedOrNote(bindings), options);
    // A key bound again (a part's `component` under its owner's): pino would write it twice in every line,
    // which log pipelines read as either value or refuse. The child is made from the root instead, with the
    // bindings merged (the new value wins) and the parent's level.
    const merged: Record<string, unknown> = { ...bound, ...bindings };
    for (const [key, value] of Object.entries(rootBindings)) if (merged[key] === value) delete merged[key];
    return child.call(logger, redactedOrNote(merged), { level: this.level, ...options });
  } as Logger["child"];
  return logger;
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to capture lines. */
  destination?: NodeJS.WritableStream;
}

/**
 * The process-wide structured JSON logger (pino) with secret redaction. Lines go to stdout synchronously:
 * pino's buffered destination flushes on exit in a loop that retries a closed pipe (EPIPE) forever, so a bot
 * whose log reader had gone away could never exit. Written synchronously, a broken pipe only stops logging.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return createRedactingPino(
    options.level ?? "info",
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export type { Logger };
