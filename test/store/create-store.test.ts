import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/create-store.js";
import { createManualClock } from "./manual-clock.js";

const dir = mkdtempSync(join(tmpdir(), "hwc-create-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createStore", () => {
  it("builds a memory store with the namespace from the URL or the options", async () => {
    const clock = createManualClock();
    const fromUrl = await createStore("memory://?namespace=tests", { clock });
    expect(fromUrl.namespace).toBe("tests");
    expect(await fromUrl.createIfAbsent("k", 1, { ttlMs: 10 })).toBe(true);
    clock.advance(10);
    expect(await fromUrl.get("k")).toBeUndefined();
    expect((await createStore("memory://", { namespace: "explicit" })).namespace).toBe("explicit");
    expect((await createStore("memory://")).namespace).toBe("hwc");
  });

  it("opens a SQLite file, creating its directory, with the injected clock", async () => {
    const clock = createManualClock();
    const file = join(dir, "sub", "state.sqlite");
    const store = await createStore(`sqlite://${file}?namespace=tests`, { clock });
    try {
      expect(store.namespace).toBe("tests");
      expect(existsSync(file)).toBe(true);
      await store.createIfAbsent("k", 1, { ttlMs: 10 });
      clock.advance(10);
      expect(await store.get("k")).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("builds a Redis store without connecting yet", async () => {
    const store = await createStore("redis://127.0.0.1:6379?namespace=tests");
    expect(store.namespace).toBe("tests");
    await store.close();
  });

  it("rejects unknown schemes and malformed URLs, naming STORE_URL and never echoing the URL", async () => {
    await expect(createStore("postgres://user:hunter2@db")).rejects.toThrow(
      /STORE_URL has an unsupported scheme "postgres:"/,
    );
    await expect(createStore("postgres://user:hunter2@db")).rejects.not.toThrow(/hunter2/);
    await expect(createStore("not a url with secret")).rejects.toThrow(/STORE_URL is not a valid URL/);
    await expect(createStore("not a url with secret")).rejects.not.toThrow(/secret/);
    await expect(createStore("sqlite://")).rejects.toThrow(/STORE_URL sqlite:\/\/ needs a file path/);
    await expect(createStore("redis:///0")).rejects.toThrow(/STORE_URL redis:\/\/ needs a host/);
    await expect(createStore("redis://:hunter2@")).rejects.toThrow(/STORE_URL is not a valid URL/);
    await expect(createStore("redis://:hunter2@")).rejects.not.toThrow(/hunter2/);
  });
});
