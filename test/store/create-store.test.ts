import { describe, expect, it } from "vitest";
import { createStore } from "../../src/store/create-store.js";
import { createManualClock } from "./manual-clock.js";

describe("createStore", () => {
  it("builds a memory store with the namespace from the URL or the options", async () => {
    const clock = createManualClock();
    const fromUrl = createStore("memory://?namespace=tests", { clock });
    expect(fromUrl.namespace).toBe("tests");
    expect(await fromUrl.createIfAbsent("k", 1, { ttlMs: 10 })).toBe(true);
    clock.advance(10);
    expect(await fromUrl.get("k")).toBeUndefined();
    expect(createStore("memory://", { namespace: "explicit" }).namespace).toBe("explicit");
    expect(createStore("memory://").namespace).toBe("hwc");
  });

  it("says the SQLite and Redis backends are not implemented yet", () => {
    expect(() => createStore("sqlite:///var/lib/hwc/state.db")).toThrow(/sqlite is not implemented yet/);
    expect(() => createStore("redis://127.0.0.1:6379")).toThrow(/redis is not implemented yet/);
  });

  it("rejects unknown schemes and malformed URLs without echoing them", () => {
    expect(() => createStore("postgres://db")).toThrow(/unsupported store URL scheme/);
    expect(() => createStore("not a url with secret")).toThrow(/invalid store URL/);
    expect(() => createStore("not a url with secret")).not.toThrow(/secret/);
  });
});
