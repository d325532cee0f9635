import type { ChatPort } from "../app/ports.js";
import type { Logger } from "../log/create-logger.js";
import type { Clock } from "../store/store.js";
import type { GroupIds } from "./describe-request.js";

/**
 * User-group IDs by handle, for mentions that notify the group (Slack's `<!subteam^ID>`). Only for display:
 * who may approve is always decided from the groups read at click time, never from this. Kept for `ttlMs`
 * (an ID never changes for a handle; a renamed or new group shows up after that), refreshed on use.
 */
export interface GroupDirectory {
  /** The IDs as last read (read now if never read or stale); empty when they cannot be read. */
  ids(): Promise<GroupIds>;
}

export function createGroupDirectory(deps: {
  chat: () => ChatPort | undefined;
  clock: Clock;
  logger: Logger;
  ttlMs?: number;
}): GroupDirectory {
  const ttlMs = deps.ttlMs ?? 10 * 60_000;
  let cached: { at: number; ids: GroupIds } | undefined;
  let reading: Promise<GroupIds> | undefined;
  return {
    async ids() {
      if (cached !== undefined && deps.clock.now() - cached.at < ttlMs) return cached.ids;
      const chat = deps.chat();
      if (chat === undefined) return cached?.ids ?? {};
      reading ??= chat
        .listUserGroups()
        .then((groups) => {
          const ids = Object.fromEntries(groups.map((g) => [g.handle, g.id]));
          cached = { at: deps.clock.now(), ids };
          return ids;
        })
        .catch((error: unknown) => {
          // Mentions fall back to the handle as text; the card still renders.
          deps.logger.warn({ err: error }, "could not read the user groups for mentions");
          return cached?.ids ?? {};
        })
        .finally(() => {
          reading = undefined;
        });
      return reading;
    },
  };
}
