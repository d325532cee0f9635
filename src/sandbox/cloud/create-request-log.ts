/** What a mutation did, as recorded in the request log. */
export interface LoggedMutation {
  /** `batchStopServers`, `deleteServers`, `resizeServer`, … */
  type: string;
  jobId: string | null;
  serverIds: string[];
}

/** One cloud API request as the simulator saw it (no headers, no bodies: nothing secret). */
export interface RequestLogEntry {
  seq: number;
  /** Simulator time when the request arrived (ISO 8601). */
  time: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** HTTP status sent; null when the response was dropped on purpose. */
  status: number | null;
  requestId: string;
  /** How the caller authenticated. */
  auth: "aksk" | "token" | "none" | "failed";
  /** Fault injected into this request, if any. */
  fault: "throttle" | "error" | "drop" | null;
  mutation: LoggedMutation | null;
  /** Simulator-clock time from arrival to response. */
  durationMs: number;
  /** Set when the simulator itself failed (answered 500); a bug to report. */
  internalError?: string;
}

export interface RequestLog {
  add(entry: Omit<RequestLogEntry, "seq">): RequestLogEntry;
  entries(): RequestLogEntry[];
  clear(): void;
}

/** A bounded log: the oldest entries go first, so a long-running playground does not grow forever. */
export function createRequestLog(capacity = 10_000): RequestLog {
  let items: RequestLogEntry[] = [];
  let seq = 0;
  return {
    add(entry) {
      const full = { ...entry, seq: ++seq };
      items.push(full);
      if (items.length > capacity) items = items.slice(items.length - capacity);
      return full;
    },
    entries: () => items.map((e) => ({ ...e })),
    clear() {
      items = [];
    },
  };
}
