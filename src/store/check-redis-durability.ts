/**
 * Whether a Redis keeps the bot's state: read once at start (`CONFIG GET`), never changed. A Redis that comes
 * back empty after a restart, or that evicts keys when full, forgets pending requests and running runs.
 */
import { ErrorReply } from "@redis/client";
import { createRedisConnection, type RedisConnectionOptions } from "./create-redis-connection.js";

/**
 * What the start-up check found. `checked: false` when it could not say: `refused` when Redis answered but may
 * not be asked (an ACL user without `CONFIG GET`, `NOPERM`; a managed Redis that renamed or disabled `CONFIG`),
 * which says nothing against the store; otherwise Redis did not answer (`reason` says why).
 */
export type RedisDurability =
  | { checked: true; durable: boolean; problems: string[] }
  | { checked: false; refused: boolean; reason: string };

/** Redis' answer to a command this user may not run, or one the server does not offer (renamed, disabled). */
const REFUSED_REPLY = /^(NOPERM|ERR unknown command)\b/i;

/** The settings the check reads, as `CONFIG GET` answers them. */
export interface RedisPersistenceSettings {
  appendonly: string;
  save: string;
  maxmemoryPolicy: string;
}

/**
 * The decision on Redis' settings: each problem says what is wrong, why it matters and how to fix it. Snapshots
 * alone (`save`, no AOF) keep the data across a restart, losing the last minutes: accepted.
 */
export function judgeRedisDurability(settings: RedisPersistenceSettings): RedisDurability {
  const problems: string[] = [];
  if (settings.appendonly.trim() !== "yes" && settings.save.trim() === "")
    problems.push(
      'Redis has no persistence (appendonly no, save ""): a restart of Redis comes back empty, forgetting every ' +
        "pending request and every running run; set appendonly yes (appendfsync everysec)",
    );
  const policy = settings.maxmemoryPolicy.trim();
  if (policy !== "noeviction")
    problems.push(
      `Redis evicts keys when full (maxmemory-policy ${policy}): it may drop a request, a run or a lease ` +
        "without a trace; set maxmemory-policy noeviction",
    );
  return { checked: true, durable: problems.length === 0, problems };
}

/**
 * Reads `appendonly`, `save` and `maxmemory-policy` over a connection of its own, closed at once, and judges them.
 * Never throws: a refusal (an ACL user, a managed Redis) or an unreachable Redis is `checked: false` with the
 * reason.
 */
export async function checkRedisDurability(options: RedisConnectionOptions): Promise<RedisDurability> {
  let connection: ReturnType<typeof createRedisConnection> | undefined;
  try {
    connection = createRedisConnection(options);
    const settings = await connection.run(async (c) => {
      const read = async (name: string) => (await c.configGet(name))[name];
      try {
        const [appendonly, save, maxmemoryPolicy] = await Promise.all([
          read("appendonly"),
          read("save"),
          read("maxmemory-policy"),
        ]);
        return { appendonly, save, maxmemoryPolicy };
      } catch (error) {
        // Told apart here, before the connection's mapping makes a NOPERM "the store is unavailable": Redis
        // answered, it only may not say.
        if (error instanceof ErrorReply && REFUSED_REPLY.test(error.message))
          return { refused: error.message };
        throw error;
      }
    });
    if (settings.refused !== undefined) return { checked: false, refused: true, reason: settings.refused };
    if (
      settings.appendonly === undefined ||
      settings.save === undefined ||
      settings.maxmemoryPolicy === undefined
    )
      return { checked: false, refused: true, reason: "CONFIG GET did not answer every setting" };
    return judgeRedisDurability({
      appendonly: settings.appendonly,
      save: settings.save,
      maxmemoryPolicy: settings.maxmemoryPolicy,
    });
  } catch (error) {
    return { checked: false, refused: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await connection?.close();
  }
}
