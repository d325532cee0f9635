import { type Logger as BoltLogger, LogLevel } from "@slack/bolt";
import type { Logger } from "../log/create-logger.js";

const PINO_LEVEL: Readonly<Record<LogLevel, string>> = {
  [LogLevel.DEBUG]: "debug",
  [LogLevel.INFO]: "info",
  [LogLevel.WARN]: "warn",
  [LogLevel.ERROR]: "error",
};

function toText(parts: unknown[]): { msg: string; err?: unknown } {
  const err = parts.find((p) => p instanceof Error);
  const msg = parts
    .filter((p) => p !== err)
    .map((p) => (typeof p === "string" ? p : p instanceof Error ? p.message : safeJson(p)))
    .join(" ");
  return err === undefined ? { msg } : { msg, err };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Bolt's (and its Web API / Socket Mode clients') logger interface over our pino logger, so their lines
 * are structured JSON with the same redaction. Bolt's own level starts at `warn`: its info lines
 * ("Now connected to Slack", per-request debug) are noise in production.
 */
export function createBoltLogger(logger: Logger, level: LogLevel = LogLevel.WARN): BoltLogger {
  let name = "bolt";
  let current = level;
  let child = logger.child({ component: name }, { level: PINO_LEVEL[current] });
  const emit = (method: "debug" | "info" | "warn" | "error", parts: unknown[]) => {
    const { msg, err } = toText(parts);
    if (err === undefined) child[method](msg);
    else child[method]({ err }, msg);
  };
  return {
    debug: (...parts: unknown[]) => emit("debug", parts),
    info: (...parts: unknown[]) => emit("info", parts),
    warn: (...parts: unknown[]) => emit("warn", parts),
    error: (...parts: unknown[]) => emit("error", parts),
    setLevel(next: LogLevel) {
      current = next;
      child = logger.child({ component: name }, { level: PINO_LEVEL[current] });
    },
    getLevel: () => current,
    setName(next: string) {
      name = next;
      child = logger.child({ component: name }, { level: PINO_LEVEL[current] });
    },
  };
}
