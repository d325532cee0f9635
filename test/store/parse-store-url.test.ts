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
