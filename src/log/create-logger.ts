import { type Logger, pino } from "pino";

/**
 * Paths pino censors wherever they appear in a log object. Secrets must never reach the logs:
 * credentials, tokens and signatures are redacted even if a caller logs a whole request or config.
 */
export const REDACTED_PATHS = [
  "sk",
  "*.sk",
  "ak",
  "*.ak",
  "password",
  "*.password",
  "*.*.password",
  "token",
  "*.token",
  "securityToken",
  "*.securityToken",
  "signingSecret",
  "*.signingSecret",
  "botToken",
  "*.botToken",
  "appToken",
  "*.appToken",
  "headers.authorization",
  "headers.Authorization",
  'headers["x-auth-token"]',
  'headers["X-Auth-Token"]',
  'headers["x-security-token"]',
  'headers["x-slack-signature"]',
  "*.headers.authorization",
  "*.headers.Authorization",
];

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
  return pino(
    {
      level: options.level ?? "info",
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { app: "hwc-chatops" },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export type { Logger };
