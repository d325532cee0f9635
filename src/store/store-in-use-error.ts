/**
 * The embedded SQLite file is locked by another process. SQLite's lock is per machine and per file, so the
 * embedded backend runs exactly one replica; the message tells the operator how to run more.
 */
export class StoreInUseError extends Error {
  override readonly name = "StoreInUseError";

  constructor(
    readonly file: string,
    /**
     * The holder as recorded beside the lock; undefined if it had not written it yet. `hostname` is set only
     * when the holder runs on another machine (a shared volume).
     */
    readonly holder: LockHolder | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `${file} is already used by another hwc-chatops process (${describeHolder(holder)}); ` +
        "use Redis (STORE_URL=redis://…) to run more than one replica",
      options,
    );
  }
}

export interface LockHolder {
  pid: number;
  hostname?: string;
}

function describeHolder(holder: LockHolder | undefined): string {
  if (holder === undefined) return "pid unknown";
  return `pid ${holder.pid}${holder.hostname !== undefined ? ` on ${holder.hostname}` : ""}`;
}
