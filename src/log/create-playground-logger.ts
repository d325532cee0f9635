import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Logger, pino } from "pino";
import pretty from "pino-pretty";
import { createRedactingPino } from "./create-logger.js";

export interface PlaygroundLoggerOptions {
  /** The level of the log file; default `info`. */
  level?: string;
  /** The JSON log (every line at `level` and above), e.g. `data/playground.log`. */
  file: string;
  /** Where warnings and errors are pretty-printed; default stderr. */
  console?: NodeJS.WritableStream;
  /** Colors on the console; default when it is a terminal. */
  colorize?: boolean;
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];

/**
 * The playground's logger: the console stays for the banner and what goes wrong. The structured JSON log goes
 * to a file (with the same secret redaction as production); warnings and errors are also pretty-printed on the
 * console (pino-pretty), one readable line each. Production logs JSON to stdout instead (`createLogger`).
 */
export function createPlaygroundLogger(options: PlaygroundLoggerOptions): Logger {
  const level = options.level ?? "info";
  if (level === "silent") return pino({ level });
  mkdirSync(dirname(options.file), { recursive: true });
  const consoleLevel = LEVELS.indexOf(level) > LEVELS.indexOf("warn") ? level : "warn";
  const toConsole = pretty({
    destination: options.console ?? process.stderr,
    sync: true,
    colorize: options.colorize ?? process.stderr.isTTY === true,
    ignore: "pid,hostname,app",
    translateTime: "SYS:HH:MM:ss",
  });
  const streams = [
    { level, stream: pino.destination({ dest: options.file, sync: true, append: true }) },
    { level: consoleLevel, stream: toConsole },
  ];
  return createRedactingPino(level, pino.multistream(streams as Parameters<typeof pino.multistream>[0]));
}
