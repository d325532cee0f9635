import { describe, expect, it } from "vitest";
import { DEFAULT_STORE_URL } from "../../src/store/create-store.js";
import { parseStoreUrl } from "../../src/store/parse-store-url.js";

describe("parseStoreUrl", () => {
  it("keeps sqlite paths verbatim: relative stays relative, three slashes is absolute", () => {
    expect(parseStoreUrl(DEFAULT_STORE_URL)).toEqual({
      ok: true,
      target: { backend: "sqlite", file: "./data/hwc-chatops.sqlite" },
    });
    expect(parseStoreUrl("sqlite://data/x.sqlite?namespace=a")).toEqual({
      ok: true,
      target: { backend: "sqlite", file: "data/x.sqlite", namespace: "a" },
    });
    expect(parseStoreUrl("sqlite:///var/lib/hwc/state%20db.sqlite")).toEqual({
      ok: true,
      target: { backend: "sqlite", file: "/var/lib/hwc/state db.sqlite" },
    });
  });

  it("passes Redis URLs on without our namespace parameter", () => {
    expect(parseStoreUrl("redis://:pw@10.0.0.5:6380/2?namespace=prod")).toEqual({
      ok: true,
      target: { backend: "redis", url: "redis://:pw@10.0.0.5:6380/2", namespace: "prod" },
    });
    expect(parseStoreUrl("rediss://cache.internal:6379")).toMatchObject({
      ok: true,
      target: { backend: "redis" },
    });
  });

  it("refuses a '#' (a password not percent-encoded) without echoing any piece of it", () => {
    for (const url of [
      "redis://:p@ssW0rdX#tail@127.0.0.1:16557",
      "rediss://user:a#b@cache:6379",
      "sqlite://./data/state#1.sqlite",
    ]) {
      const result = parseStoreUrl(url);
      expect(result).toEqual({ ok: false, error: expect.stringContaining("percent-encode") });
      for (const piece of ["ssW0rdX", "tail", "a#b", "state#1"])
        expect(JSON.stringify(result)).not.toContain(piece);
    }
    // Percent-encoded, the same password is taken.
    expect(parseStoreUrl("redis://:p%40ssW0rdX%23tail@127.0.0.1:16557")).toMatchObject({
      ok: true,
      target: { backend: "redis", url: "redis://:p%40ssW0rdX%23tail@127.0.0.1:16557" },
    });
  });

  it("refuses a parameter other than ?namespace=: a near miss is named, anything else is not echoed", () => {
    expect(parseStoreUrl("redis://127.0.0.1:6379?namespce=prod")).toEqual({
      ok: false,
      error:
        "STORE_URL has an unknown parameter ?namespce=; did you mean ?namespace=? (it is the only parameter)",
    });
    expect(parseStoreUrl("sqlite://./data/x.sqlite?Namespace=a")).toMatchObject({
      ok: false,
      error: expect.stringContaining("did you mean ?namespace=?"),
    });
    // A '?' in a password: the rest reads as a parameter, and is never echoed.
    const result = parseStoreUrl("redis://:secret?Hunter2x@10.0.0.5:6379");
    expect(result).toEqual({ ok: false, error: expect.stringContaining("? as %3F") });
    expect(JSON.stringify(result)).not.toContain("Hunter2x");
    expect(parseStoreUrl("memory://?namespace=a&debug=1")).toMatchObject({ ok: false });
  });

  it("returns errors instead of throwing, without echoing the URL", () => {
    const result = parseStoreUrl("mysql://root:hunter2@db");
    expect(result).toEqual({
      ok: false,
      error: expect.stringContaining("STORE_URL has an unsupported scheme"),
    });
    expect(JSON.stringify(result)).not.toContain("hunter2");
    expect(parseStoreUrl("sqlite://%E0%A4%A.sqlite")).toEqual({
      ok: false,
      error: expect.stringContaining("%-escape"),
    });
  });

  it("refuses at load what the Redis client would refuse only when it starts", () => {
    expect(parseStoreUrl("redis://127.0.0.1:6379/abc")).toEqual({
      ok: false,
      error: "STORE_URL redis:// takes a database number as its path, e.g. redis://127.0.0.1:6379/0",
    });
    const badEscape = parseStoreUrl("redis://default:p%zzSecret@127.0.0.1:6379");
    expect(badEscape).toEqual({
      ok: false,
      error: "STORE_URL has a malformed %-escape in its redis:// user or password",
    });
    expect(JSON.stringify(badEscape)).not.toContain("Secret");
    for (const ok of ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379/", "redis://u:p%40ss@h:1/15"])
      expect(parseStoreUrl(ok)).toMatchObject({ ok: true });
  });
});
