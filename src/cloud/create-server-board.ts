import { defaultSleep } from "./create-transport.js";
import { IDS_PER_QUERY } from "./list-servers.js";
import type { EcsApi, Server } from "./types.js";

/**
 * The servers of every job a replica follows, read together by ID (100 a request) every second or so while
 * it follows more jobs than its poll budget serves at their pace, so that a job is polled the moment its
 * servers settle rather than at its next turn of the budget. Only a hint: the job record stays the
 * authority on the outcome, and a job whose servers never visibly change (a request refused by a rule, a
 * job that ended before its servers were first read) is still found by its regular polls.
 */
export interface ServerBoard {
  /**
   * Reads `serverIds` with the others until the returned function is called, and calls `onSettled` once,
   * when every one of them has been seen changing into a settled state (no task state any more, or gone).
   */
  follow(serverIds: readonly string[], onSettled: () => void): () => void;
}

export interface ServerBoardOptions {
  ecs: Pick<EcsApi, "listServersByIds">;
  /** Between two reads of the followed servers. Default 1 s. */
  intervalMs?: number;
  /** Read requests a second at most: more followed servers read less often. Default {@link BOARD_READS_PER_SECOND}. */
  readsPerSecond?: number;
  /**
   * Reads only while more jobs than this are followed: as many as the poll schedule serves at their pace
   * are seen in time by their polls alone, and are not worth a read a second. Default 0.
   */
  minFollowers?: number;
  /** Told of a read that failed (it is only a hint: the next one is tried at its time), or a follower's fault. */
  onError?: (error: unknown) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The default budget of the board's reads: 500 followed servers read every second. */
export const BOARD_READS_PER_SECOND = 5;

interface Follower {
  pending: Set<string>;
  onSettled: () => void;
}

/** How a server looks to the board: its status and task state, or gone. */
function observe(server: Server | undefined): { print: string; settled: boolean } {
  if (server === undefined) return { print: "gone", settled: true };
  const task = server.taskState ?? "";
  return { print: `${server.status}|${task}`, settled: task === "" };
}

export function createServerBoard(options: ServerBoardOptions): ServerBoard {
  const interval = options.intervalMs ?? 1_000;
  const readsPerSecond = Math.max(1, options.readsPerSecond ?? BOARD_READS_PER_SECOND);
  const minFollowers = options.minFollowers ?? 0;
  const sleep = options.sleep ?? defaultSleep;
  const followers = new Set<Follower>();
  /** Followers of each server, and what its last read showed. */
  const byServer = new Map<string, { followers: Set<Follower>; last?: string }>();
  let loop: AbortController | undefined;

  async function read(controller: AbortController): Promise<void> {
    const ids = [...byServer.keys()];
    let servers: Server[];
    try {
      servers = await options.ecs.listServersByIds(ids, controller.signal);
    } catch (error) {
      // Aborted: nobody is followed any more, nothing to tell.
      if (!controller.signal.aborted) options.onError?.(error);
      return;
    }
    if (controller.signal.aborted) return;
    const found = new Map(servers.map((s) => [s.id, s]));
    const settledNow: Follower[] = [];
    for (const id of ids) {
      const entry = byServer.get(id);
      if (entry === undefined) continue;
      const { print, settled } = observe(found.get(id));
      // The first read is where the server stands; only a change after it says the job moved.
      if (entry.last !== undefined && entry.last !== print && settled) {
        for (const f of entry.followers) {
          if (f.pending.delete(id) && f.pending.size === 0) settledNow.push(f);
        }
      }
      entry.last = print;
    }
    for (const f of settledNow) {
      if (!followers.has(f)) continue;
      // One follower's fault must not end the reads of the others.
      try {
        f.onSettled();
      } catch (error) {
        options.onError?.(error);
      }
    }
  }

  async function run(controller: AbortController): Promise<void> {
    try {
      while (!controller.signal.aborted) {
        const requests = Math.ceil(byServer.size / IDS_PER_QUERY);
        await sleep(Math.max(interval, (requests / readsPerSecond) * 1000), controller.signal);
        if (controller.signal.aborted) return;
        if (followers.size > minFollowers) await read(controller);
      }
    } catch {
      // Aborted: nobody is followed any more.
    }
  }

  return {
    follow(serverIds, onSettled) {
      const follower: Follower = { pending: new Set(serverIds), onSettled };
      if (follower.pending.size === 0) return () => {};
      followers.add(follower);
      for (const id of follower.pending) {
        const entry = byServer.get(id) ?? { followers: new Set<Follower>() };
        entry.followers.add(follower);
        byServer.set(id, entry);
      }
      if (loop === undefined) {
        loop = new AbortController();
        void run(loop);
      }
      return () => {
        if (!followers.delete(follower)) return;
        for (const id of serverIds) {
          const entry = byServer.get(id);
          entry?.followers.delete(follower);
          if (entry?.followers.size === 0) byServer.delete(id);
        }
        if (followers.size === 0) {
          loop?.abort();
          loop = undefined;
        }
      };
    },
  };
}
