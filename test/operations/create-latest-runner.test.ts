import { describe, expect, it } from "vitest";
import { createLatestRunner } from "../../src/operations/create-latest-runner.js";
import { flush } from "./manual-time.js";

describe("createLatestRunner", () => {
  it("runs once per key at a time; requests during a run collapse into one more run", async () => {
    const started: string[] = [];
    const releases: (() => void)[] = [];
    const runner = createLatestRunner(
      (key) =>
        new Promise<void>((resolve) => {
          started.push(key);
          releases.push(resolve);
        }),
      () => {},
    );
    const first = runner.run("a");
    await flush();
    void runner.run("a");
    void runner.run("a");
    const third = runner.run("a");
    void runner.run("b");
    await flush();
    expect(started).toEqual(["a", "b"]);
    releases.shift()!();
    await flush();
    expect(started).toEqual(["a", "b", "a"]);
    releases.shift()!();
    releases.shift()!();
    await Promise.all([first, third]);
    expect(started).toEqual(["a", "b", "a"]);
    await runner.idle();
  });

  it("reports failures and keeps going", async () => {
    const errors: string[] = [];
    let calls = 0;
    const runner = createLatestRunner(
      async () => {
        calls++;
        throw new Error("boom");
      },
      (_e, key) => errors.push(key),
    );
    await runner.run("x");
    await runner.run("x");
    expect(calls).toBe(2);
    expect(errors).toEqual(["x", "x"]);
  });
});
