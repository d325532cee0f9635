/**
 * Keys whose values never reach a log line, compared without case: credentials, tokens and signatures, at
 * whatever depth a caller nests them (a config, a request's `headers`, an error's fields).
 */
const SECRET_KEYS = new Set([
  "ak",
  "sk",
  "password",
  "token",
  "securitytoken",
  "signingsecret",
  "bottoken",
  "apptoken",
  "authorization",
  "x-auth-token",
  "x-security-token",
  "x-slack-signature",
]);

/** What a secret's value becomes. */
export const REDACTED = "[redacted]";

/** Deeper than any object the bot logs; it also ends a walk through a cycle. */
const MAX_DEPTH = 8;

const isSecretKey = (key: string) => SECRET_KEYS.has(key) || SECRET_KEYS.has(key.toLowerCase());

/**
 * A log object with every secret's value replaced by {@link REDACTED}: pino's `formatters.log` (and
 * `formatters.bindings`). Copy on write: an object without secrets, nearly every line, comes back as it is,
 * with nothing allocated. (pino's path-based redaction copied every object that a wildcard path could reach,
 * which on the audit lines was most of each line: a fifth of all the bot's allocations at 100 commands/s.)
 *
 * It walks plain objects, arrays and errors (an error's own enumerable fields; one that holds a secret
 * becomes the plain object pino's error serializer would have written). Other objects (buffers, sockets,
 * class instances) are left to their own serialization.
 */
export function redactLogSecrets<T extends object>(object: T): T {
  return redactValue(object, 0) as T;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const redacted = redactValue(item, depth + 1);
      if (redacted !== item) {
        copy ??= value.slice();
        copy[i] = redacted;
      }
    }
    return copy ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  const isError = value instanceof Error;
  if (proto !== Object.prototype && proto !== null && !isError) return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const redacted = isSecretKey(key) && item !== undefined ? REDACTED : redactValue(item, depth + 1);
    if (redacted !== item) {
      copy ??= isError ? errorFields(value as Error) : { ...record };
      copy[key] = redacted;
    }
  }
  return copy ?? value;
}

/** An error as pino's serializer writes it (type, message, stack and its own fields), to redact in. */
function errorFields(error: Error): Record<string, unknown> {
  return {
    type: error.constructor?.name ?? error.name,
    message: error.message,
    stack: error.stack,
    ...(error as unknown as Record<string, unknown>),
  };
}
