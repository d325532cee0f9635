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

const SECRET_KEY_LENGTHS = new Set([...SECRET_KEYS].map((k) => k.length));

// Lower-cased only at a secret key's length: most keys are camel case, and each would be a new string.
const isSecretKey = (key: string) =>
  SECRET_KEYS.has(key) || (SECRET_KEY_LENGTHS.has(key.length) && SECRET_KEYS.has(key.toLowerCase()));

/**
 * A log object with every secret's value replaced by {@link REDACTED}: pino's `formatters.log` (and
 * `formatters.bindings`). Copy on write: an object without secrets, nearly every line, comes back as it is,
 * with nothing allocated. (pino's path-based redaction copied every object that a wildcard path could reach,
 * which on the audit lines was most of each line: a fifth of all the bot's allocations at 100 commands/s.)
 *
 * It walks plain objects, arrays and errors (an error's own enumerable fields; one that holds a secret
 * is copied, of its class). Other objects (buffers, sockets,
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

/**
 * A copy of an error to redact in: of its class (so pino's error serializer still names its type), with its
 * message, stack and own fields.
 */
function errorFields(error: Error): Record<string, unknown> {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Record<string, unknown>;
  for (const key of ["message", "stack"] as const)
    Object.defineProperty(copy, key, { value: error[key], writable: true, configurable: true });
  return Object.assign(copy, error);
}
