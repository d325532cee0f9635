/** The fleet's server names as last listed, for "did you mean" suggestions. */
export interface FleetNameIndex {
  /**
   * The names as last listed, or undefined before the first listing finished. Never waits: when the
   * names are missing or older than `maxAgeMs`, a listing starts in the background (one at a time).
   */
  names(): readonly string[] | undefined;
  /** Lists now (joining a listing in flight) and resolves when the names are fresh. */
  refresh(): Promise<void>;
}

export interface FleetNameIndexOptions {
  /** Lists every server (only `name` is kept). */
  list: () => Promise<readonly { name: string }[]>;
  /** How long a listing serves suggestions before the next use starts another. Default 5 min. */
  maxAgeMs?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Told about a failed background listing (the previous names keep serving). */
  onError?: (error: unknown) => void;
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
  let listedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    inFlight ??= options
      .list()
      .then((servers) => {
        names = [...new Set(servers.map((s) => s.name))];
        listedAt = now();
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    names() {
      if (inFlight === undefined && now() - listedAt >= maxAgeMs) {
        refresh().catch((error: unknown) => options.onError?.(error));
      }
      return names;
    },
    refresh,
  };
}
