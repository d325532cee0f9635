/** Where a `STORE_URL` points, before anything is opened. */
export type StoreTarget =
  | { backend: "memory"; namespace?: string }
  | { backend: "sqlite"; file: string; namespace?: string }
  /** `url` is what the Redis client gets: the STORE_URL without our `?namespace=` parameter. */
  | { backend: "redis"; url: string; namespace?: string };

export type ParsedStoreUrl = { ok: true; target: StoreTarget } | { ok: false; error: string };

const EXPECTED = "expected sqlite://path, redis://host:port or memory://";

/**
 * Reads a `STORE_URL` without opening anything, so configuration can be validated at load time:
 * - `sqlite://./relative/file.sqlite` or `sqlite:///absolute/file.sqlite` (the path is taken verbatim after
 *   the scheme: URL parsing would read `./data` as a host);
 * - `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS;
 * - `memory://`.
 * Each accepts `?namespace=x`. Errors never echo the URL: a redis:// URL may carry a password.
 */
export function parseStoreUrl(url: string): ParsedStoreUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: `STORE_URL is not a valid URL (${EXPECTED})` };
  }
  const namespace = parsed.searchParams.get("namespace") || undefined;
  const scoped = namespace === undefined ? {} : { namespace };
  switch (parsed.protocol) {
    case "memory:":
      return { ok: true, target: { backend: "memory", ...scoped } };
    case "sqlite:": {
      const rest = url.replace(/^sqlite:(\/\/)?/i, "").replace(/[?#].*$/s, "");
      let file: string;
      try {
        file = decodeURIComponent(rest);
      } catch {
        return { ok: false, error: "STORE_URL has a malformed %-escape in its sqlite:// path" };
      }
      if (file === "")
        return {
          ok: false,
          error: "STORE_URL sqlite:// needs a file path, e.g. sqlite://./data/hwc-chatops.sqlite",
        };
      return { ok: true, target: { backend: "sqlite", file, ...scoped } };
    }
    case "redis:":
    case "rediss:":
      if (parsed.hostname === "")
        return { ok: false, error: "STORE_URL redis:// needs a host, e.g. redis://127.0.0.1:6379" };
      // What the Redis client would refuse only when it starts, with a stack.
      if (!/^\/?\d*$/.test(parsed.pathname))
        return {
          ok: false,
          error: "STORE_URL redis:// takes a database number as its path, e.g. redis://127.0.0.1:6379/0",
        };
      try {
        decodeURIComponent(parsed.username);
        decodeURIComponent(parsed.password);
      } catch {
        return { ok: false, error: "STORE_URL has a malformed %-escape in its redis:// user or password" };
      }
      parsed.searchParams.delete("namespace");
      return { ok: true, target: { backend: "redis", url: parsed.href, ...scoped } };
    default:
      return {
        ok: false,
        error: `STORE_URL has an unsupported scheme ${JSON.stringify(parsed.protocol)} (${EXPECTED})`,
      };
  }
}
