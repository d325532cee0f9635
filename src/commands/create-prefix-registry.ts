/**
 * Handlers keyed by ID prefix. An ID matches a prefix when it equals it or continues it after a `.`
 * (`approval` matches `approval.approve`, not `approvals`); the longest matching prefix wins.
 */
export interface PrefixRegistry<H> {
  /** Throws on an empty/malformed prefix or one already registered (a programming fault). */
  register(prefix: string, handler: H): void;
  find(id: string): { prefix: string; handler: H } | undefined;
  prefixes(): string[];
}

const PREFIX_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function createPrefixRegistry<H>(kind: string): PrefixRegistry<H> {
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
