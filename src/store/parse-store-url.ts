import { suggestClosest } from "../config/suggest-closest.js";

/** Where a `STORE_URL` points, before anything is opened. */
export type StoreTarget =
  | { backend: "memory"; namespace?: string }
  | { backend: "sqlite"; file: string; namespace?: string }
  /** `url` is what the Redis client gets: the STORE_URL without our `?namespace=` parameter. */
  | { backend: "redis"; url: string; namespace?: string };

export type ParsedStoreUrl = { ok: true; target: StoreTarget } | { ok: false; error: string };

const EXPECTED = "expected sqlite://path, redis://host:port or memory://";
const PERCENT_ENCODE =
  "percent-encode special characters of the password or path (# as %23, @ as %40, ? as %3F, / as %2F)";

/**
 * Reads a `STORE_URL` without opening anything, so configuration can be validated at load time:
 * - `sqlite://./relative/file.sqlite` or `sqlite:///absolute/file.sqlite` (the path is taken verbatim after
 *   the scheme: URL parsing would read `./data` as a host);
 * - `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS;
 * - `memory://`.
 * Each accepts `?namespace=x`. Errors never echo the URL: a redis:// URL may carry a password.
 */
export function parseStoreUrl(url: string): ParsedStoreUrl {
  // A `#` or a parameter we do not know is refused: with a password not percent-encoded, what follows a `#`,
  // `?` or `/` in it is read as a fragment, a parameter or a path, and the host as a piece of the password (a
  // DNS query for it); a misspelt `?namespace=` would split the replicas into stores that never see each other.
  if (url.includes("#")) return { ok: false, error: `STORE_URL has a '#': ${PERCENT_ENCODE}` };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const hint = url.includes("@") ? `; if its password has special characters, ${PERCENT_ENCODE}` : "";
    return { ok: false, error: `STORE_URL is not a valid URL (${EXPECTED})${hint}` };
  }
  const unknown = [...parsed.searchParams.keys()].filter((key) => key !== "namespace");
  if (unknown.length > 0) return { ok: false, error: unknownParameterError(unknown) };
  const namespace = parsed.searchParams.get("namespace") || undefined;
  const scoped = namespace === undefined ? {} : { namespace };
  switch (parsed.protocol) {
    case "memory:":
      return { ok: true, target: { backend: "memory", ...scoped } };
    case "sqlite:": {
      const rest = url.replace(/^sqlite:(\/\/)?/i, "").replace(/\?.*$/s, "");
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

/**
 * Names the parameter only when it is a near miss of `namespace` (a typo, not a secret): anything else may be a
 * piece of a password that was not percent-encoded.
 */
function unknownParameterError(keys: readonly string[]): string {
  const nearMiss = keys.find((key) => /^[A-Za-z_]{1,32}$/.test(key) && suggestClosest(key, ["namespace"]));
  if (nearMiss !== undefined)
    return `STORE_URL has an unknown parameter ?${nearMiss}=; did you mean ?namespace=? (it is the only parameter)`;
  return "STORE_URL has a parameter other than ?namespace=: the only one it takes. If a '?' is part of the password or path, percent-encode it (%3F)";
}
