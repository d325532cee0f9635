/**
 * Handlers keyed by ID prefix. An ID matches a prefix when it equals it or continues it after a `.`
 * (`approval` matches `approval.approve`, not `approvals`); the longest matching prefix wins. With
 * `exact: true` an ID matches only the identical key: modal callback IDs are not families, and a callback ID
 * that merely starts with a known one (`ops.approval.approve` against `ops.approval`) must find nothing.
 */
export interface PrefixRegistry<H> {
  /** Throws on an empty/malformed prefix or one already registered (a programming fault). */
  register(prefix: string, handler: H): void;
  find(id: string): { prefix: string; handler: H } | undefined;
  prefixes(): string[];
}

export interface PrefixRegistryOptions {
  /** Match IDs only by equality (modal callback IDs); default false (prefix families, for clicks). */
  exact?: boolean;
}

const PREFIX_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function createPrefixRegistry<H>(
  kind: string,
  options: PrefixRegistryOptions = {},
): PrefixRegistry<H> {
  const handlers = new Map<string, H>();
  return {
    register(prefix, handler) {
      if (!PREFIX_RE.test(prefix)) {
        throw new TypeError(
          `${kind} prefix must be dot-separated words of [A-Za-z0-9_-], got ${JSON.stringify(prefix)}`,
        );
      }
      if (handlers.has(prefix)) throw new Error(`${kind} prefix already registered: ${prefix}`);
      handlers.set(prefix, handler);
    },
    find(id) {
      if (options.exact === true) {
        const handler = handlers.get(id);
        return handler === undefined ? undefined : { prefix: id, handler };
      }
      let best: { prefix: string; handler: H } | undefined;
      for (const [prefix, handler] of handlers) {
        if ((id === prefix || id.startsWith(`${prefix}.`)) && (!best || prefix.length > best.prefix.length)) {
          best = { prefix, handler };
        }
      }
      return best;
    },
    prefixes: () => [...handlers.keys()].sort(),
  };
}
