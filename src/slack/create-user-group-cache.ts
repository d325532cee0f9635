import type { ChatUserGroup } from "../app/ports.js";
import type { Logger } from "../log/create-logger.js";
import { type Clock, type Store, systemClock } from "../store/store.js";

/** Default of `USER_GROUPS_MAX_AGE`: how old the groups a policy decision uses may be. */
export const DEFAULT_USER_GROUPS_MAX_AGE_MS = 60_000;

/**
 * The store key whose version is the user groups' generation: written when Slack announces a change, read
 * before every cached answer, so a change announced to one replica reaches all of them.
 */
export const USER_GROUPS_GENERATION_KEY = "chat:usergroups:generation";

/** Says that no generation could be read: never equal to a stored version, so nothing is served from it. */
const UNKNOWN_GENERATION = -1;

/**
 * The user groups as recently read, for policy decisions. Slack's `usergroups.list` is a Tier 2 method (about
 * 20 calls a minute); a decision that read it every time would be rate limited at a few changes a minute.
 */
export interface UserGroupCache {
  /**
   * The groups last read if that read is under the maximum age and no change was announced since it began
   * (on any replica sharing the store); otherwise `read()`, kept for the next calls.
   */
  recent(read: () => Promise<ChatUserGroup[]>): Promise<ChatUserGroup[]>;
  /**
   * `read()` now (for authorizing a click; a read already in flight, begun since the last announced change,
   * answers it too), kept for later {@link recent} calls.
   */
  fresh(read: () => Promise<ChatUserGroup[]>): Promise<ChatUserGroup[]>;
  /**
   * Slack announced a change (a group's members, handle or state): every replica's next {@link recent} reads
   * again. The local cache is dropped even when the store cannot be written (other replicas then fall back
   * on the maximum age).
   */
  forget(): Promise<void>;
}

export interface UserGroupCacheOptions {
  /** Shared by the replicas: carries the generation. */
  store: Store;
  clock?: Clock;
  /** How old an answer may be (ms); 0 reads every time. Default {@link DEFAULT_USER_GROUPS_MAX_AGE_MS}. */
  maxAgeMs?: number;
  logger?: Logger;
}

/**
 * A {@link UserGroupCache} over `store`. An answer is kept with the generation read before its read began, so
 * a change announced while a read is in flight makes the next call read again. Calls made while a read is in
 * flight share it, unless a change was announced since it began.
 */
export function createUserGroupCache(options: UserGroupCacheOptions): UserGroupCache {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_USER_GROUPS_MAX_AGE_MS;
  let kept: { groups: ChatUserGroup[]; at: number; generation: number } | undefined;
  // Counts this replica's forget() calls: a read that began before one is not kept, even when the store could
  // not record the change.
  let forgotten = 0;

  const generation = async (): Promise<number> => {
    try {
      return (await store.get(USER_GROUPS_GENERATION_KEY))?.version ?? 0;
    } catch (error) {
      // Without the generation an answer cannot be trusted to be current: read Slack instead.
      options.logger?.warn({ err: error }, "could not read the user groups' generation; reading them again");
      return UNKNOWN_GENERATION;
    }
  };

  // The read in flight, with what was known when it began: later callers share it only while that holds.
  let inFlight: { promise: Promise<ChatUserGroup[]>; epoch: number; generation: number } | undefined;

  const readAndKeep = (
    read: () => Promise<ChatUserGroup[]>,
    generation: number,
    epoch: number,
  ): Promise<ChatUserGroup[]> => {
    // A read that began before a change was announced (here or on another replica) answers nobody after it.
    if (
      inFlight !== undefined &&
      inFlight.epoch === epoch &&
      inFlight.generation === generation &&
      generation !== UNKNOWN_GENERATION
    )
      return inFlight.promise;
    const at = clock.now();
    const promise = read().then((groups) => {
      // Kept with the generation read before it began; a slower read never replaces a newer answer.
      if (epoch === forgotten && (kept === undefined || kept.at <= at)) kept = { groups, at, generation };
      return groups;
    });
    const entry = { promise, epoch, generation };
    inFlight = entry;
    const done = () => {
      if (inFlight === entry) inFlight = undefined;
    };
    promise.then(done, done);
    return promise;
  };

  return {
    async recent(read) {
      if (maxAgeMs <= 0) return read();
      const epoch = forgotten;
      const gen = await generation();
      const held = kept;
      if (
        held !== undefined &&
        gen !== UNKNOWN_GENERATION &&
        held.generation === gen &&
        clock.now() - held.at < maxAgeMs
      )
        return held.groups;
      return readAndKeep(read, gen, epoch);
    },
    async fresh(read) {
      if (maxAgeMs <= 0) return read();
      const epoch = forgotten;
      return readAndKeep(read, await generation(), epoch);
    },
    async forget() {
      kept = undefined;
      forgotten++;
      try {
        await store.update(USER_GROUPS_GENERATION_KEY, () => ({ changedAt: clock.now() }), { retries: 3 });
      } catch (error) {
        options.logger?.warn(
          { err: error },
          "could not tell the other replicas that the user groups changed; they read them again within the maximum age",
        );
      }
    },
  };
}
