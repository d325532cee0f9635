import type { ServerBrief } from "./types.js";

/** The fleet's server names (and IDs) as last listed, for "did you mean" suggestions. */
export interface FleetNameIndex {
  /**
   * The names as last listed, or undefined before the first listing finished. Never waits: when the
   * names are missing or older than `maxAgeMs`, a listing starts in the background (one at a time).
   */
  names(): readonly string[] | undefined;
  /**
   * The servers as last listed whose ID starts with `prefix` (case-insensitive, dashes ignored: the short
   * IDs cards print), at most `limit` (default 5); undefined before the first listing. Never waits, as
   * {@link names}.
   */
  idsStartingWith(prefix: string, limit?: number): readonly ServerBrief[] | undefined;
  /** Lists now (joining a listing in flight) and resolves when the names are fresh. */
  refresh(): Promise<void>;
}

export interface FleetNameIndexOptions {
  /** Lists every server (only `name` and `id` are kept; a server without `id` serves names only). */
  list: () => Promise<readonly { name: string; id?: string }[]>;
  /** How long a listing serves suggestions before the next use starts another. Default 5 min. */
  maxAgeMs?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Told about a failed background listing (the previous names keep serving). */
  onError?: (error: unknown) => void;
}

/** An ID, or the start of one, as they are compared: lower case, no dashes. */
export function idKey(id: string): string {
  return id.toLowerCase().replaceAll("-", "");
}

/**
 * A lazily refreshed index of server names. Suggestions after a mistyped name need the whole fleet's
 * names, but a command must never wait for a fleet listing (10,000 servers is 10 requests): the command
 * uses whatever the index has, and its use triggers a background refresh when the names are stale.
 */
export function createFleetNameIndex(options: FleetNameIndexOptions): FleetNameIndex {
  const maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let names: readonly string[] | undefined;
  /** `[idKey, server]` of each listed server that has an ID. */
  let ids: readonly (readonly [string, ServerBrief])[] = [];
  let listedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    inFlight ??= options
      .list()
      .then((servers) => {
        names = [...new Set(servers.map((s) => s.name))];
        ids = servers.flatMap((s) =>
          s.id === undefined ? [] : [[idKey(s.id), { id: s.id, name: s.name }] as const],
        );
        listedAt = now();
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  /** The names as last listed; starts a background refresh when they are missing or stale. */
  function current(): readonly string[] | undefined {
    if (inFlight === undefined && now() - listedAt >= maxAgeMs) {
      refresh().catch((error: unknown) => options.onError?.(error));
    }
    return names;
  }

  return {
    names: current,
    idsStartingWith(prefix, limit = 5) {
      if (current() === undefined) return undefined;
      const wanted = idKey(prefix);
      if (wanted === "") return [];
      const found: ServerBrief[] = [];
      for (const [key, server] of ids) {
        if (!key.startsWith(wanted)) continue;
        found.push(server);
        if (found.length >= limit) break;
      }
      return found;
    },
    refresh,
  };
}
