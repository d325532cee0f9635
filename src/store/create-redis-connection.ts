/**
 * The Redis store's connection: the client (opened lazily, redialled in the background, no offline queue),
 * the bound on every call, the mapping of connection failures to {@link StoreUnavailableError}, and scripts
 * run by EVALSHA. Apart from `create-redis-store.ts` so the store reads as its primitives over the Lua scripts.
 */
import { createHash } from "node:crypto";
import { createClient, ErrorReply } from "@redis/client";
import { StoreUnavailableError } from "./store-unavailable-error.js";

/** Where Redis is and how long to wait for it; the connection part of `RedisStoreOptions`. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** How long the first call waits for the initial connection before failing. Default 5000. */
  connectTimeoutMs?: number;
  /**
   * A call without an answer after this long fails with {@link StoreUnavailableError}, and a connection
   * silent this long is re-dialled: a hung server must not hang the bot. Default 5000.
   */
  commandTimeoutMs?: number;
}

/** Reconnect backoff: 50 ms doubling to 2 s, forever; calls fail fast meanwhile (no offline queue). */
const reconnectDelay = (retries: number) => Math.min(50 * 2 ** retries, 2000);

/** Redis error replies that mean "the server cannot serve now", not "this command is wrong". */
const UNAVAILABLE_REPLIES =
  /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|MISCONF|NOAUTH|WRONGPASS|NOPERM)\b/;

/** The driver's client, as {@link RedisConnection.run} hands it to a call. */
export type RedisClient = ReturnType<typeof createRedisClient>;

/** A connection to Redis, as the store uses it. */
export interface RedisConnection {
  /**
   * Runs one interaction with Redis: waits for the first connection attempt (once), bounds the call by
   * `commandTimeoutMs`, and turns connection failures into {@link StoreUnavailableError}. Error replies of a
   * wrong command pass through as they are. Throws once the connection is closed.
   */
  run<R>(fn: (c: RedisClient) => Promise<R>): Promise<R>;
  /** Runs a Lua script by EVALSHA, loading it on a NOSCRIPT (first use, or after a Redis restart). */
  evalScript(c: RedisClient, script: string, scriptKeys: string[], args: string[]): EvalReply;
  /** Drops the connection at once (no graceful close); later calls throw "store is closed". Idempotent. */
  close(): Promise<void>;
}

type EvalReply = ReturnType<RedisClient["evalSha"]>;

/**
 * Creates the client without connecting: the first {@link RedisConnection.run} connects, waiting up to
 * `connectTimeoutMs`; afterwards calls fail at once while Redis is unreachable and the client redials in the
 * background. Throws synchronously when the URL is not a usable Redis URL (the message never has the password).
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const where = `Redis at ${describeRedisUrl(options.url)}`;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 5000;
  let client: ReturnType<typeof createRedisClient>;
  try {
    client = createRedisClient(options.url, connectTimeoutMs, commandTimeoutMs);
  } catch (error) {
    // The driver's message names the bad part ("Invalid pathname"), never the password; redacted anyway.
    throw new Error(`STORE_URL is not a usable Redis URL: ${redact((error as Error).message, options.url)}`);
  }
  type Client = typeof client;
  /** The last connection error, to say why the store is unavailable ("connect ECONNREFUSED …"). */
  let lastError: Error | undefined;
  // Without a listener, an 'error' event (every failed reconnect) would crash the process.
  client.on("error", (error: Error) => {
    lastError = error;
  });
  client.on("ready", () => {
    lastError = undefined;
  });
  let initialConnection: Promise<void> | undefined;
  let closed = false;

  /**
   * Starts the connection on first use and waits for the first attempt's outcome: ready, or an error
   * (refused, timed out after `connectTimeoutMs`, bad password). Either way later calls do not wait again:
   * while not ready they fail with the client's offline error, and the client keeps redialling.
   */
  function connectOnce(): Promise<void> {
    initialConnection ??= new Promise<void>((resolve) => {
      // Backstop only: the socket's own connect timeout normally ends the first attempt first.
      const timer = setTimeout(resolve, connectTimeoutMs + 1000);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        client.off("error", done);
        resolve();
      };
      client.once("error", done);
      client.connect().then(done, (error: unknown) => {
        lastError = error instanceof Error ? error : new Error(String(error));
        done();
      });
    });
    return initialConnection;
  }

  /** Runs one interaction with Redis, turning connection failures into {@link StoreUnavailableError}. */
  async function run<R>(fn: (c: Client) => Promise<R>): Promise<R> {
    if (closed) throw new Error("store is closed");
    await connectOnce();
    // The client's own command timeout only covers commands not yet sent; this bounds the whole call.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${commandTimeoutMs} ms`)),
        commandTimeoutMs,
      );
    });
    try {
      return await Promise.race([fn(client), deadline]);
    } catch (error) {
      throw toStoreError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  function toStoreError(error: unknown): unknown {
    if (error instanceof ErrorReply && !UNAVAILABLE_REPLIES.test(error.message)) return error;
    const cause = !client.isReady && lastError !== undefined ? lastError : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    // Logs add a cause's message to the error's own (pino): only a cause that says more than the reason.
    const saysMore = !(error instanceof Error) || error.message !== reason;
    return new StoreUnavailableError(where, redact(reason, options.url), saysMore ? { cause: error } : {});
  }

  const shas = new Map<string, string>();
  /** EVALSHA, loading the script on a NOSCRIPT (first use, or after a Redis restart). */
  async function evalScript(c: Client, script: string, scriptKeys: string[], args: string[]) {
    let sha = shas.get(script);
    if (sha === undefined) {
      sha = createHash("sha1").update(script).digest("hex");
      shas.set(script, sha);
    }
    try {
      return await c.evalSha(sha, { keys: scriptKeys, arguments: args });
    } catch (error) {
      if (!(error instanceof ErrorReply && error.message.startsWith("NOSCRIPT"))) throw error;
      return await c.eval(script, { keys: scriptKeys, arguments: args });
    }
  }

  return {
    run,
    evalScript,
    async close() {
      if (closed) return;
      closed = true;
      if (!client.isOpen) return;
      // destroy, not a graceful close: a graceful close waits for a reconnect that may never come.
      client.destroy();
    },
  };
}

function createRedisClient(url: string, connectTimeoutMs: number, commandTimeoutMs: number) {
  return createClient({
    url,
    disableOfflineQueue: true,
    // A connection that stays silent this long is dropped and re-dialled; the PINGs keep a healthy idle
    // connection from looking silent. This is what notices a hung server or a dead network path.
    pingInterval: Math.max(1, Math.floor(commandTimeoutMs / 2)),
    socket: {
      connectTimeout: connectTimeoutMs,
      socketTimeout: commandTimeoutMs,
      reconnectStrategy: reconnectDelay,
    },
  });
}

/** "host:port" of a Redis URL, never its credentials. */
function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "6379"}`;
  } catch {
    return "an invalid URL";
  }
}

/** Defensive: an error text from the driver must never carry the password. */
function redact(text: string, url: string): string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // An unparsable URL has no password we could find; the driver will have rejected it anyway.
  }
  return password ? text.split(password).join("***") : text;
}
