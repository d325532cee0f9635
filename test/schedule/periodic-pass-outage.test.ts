/**
 * A store outage met by the scheduled changes' pass (every 5 s) and by the bot's delivery claims (every command
 * and click) is logged once as it starts (a warning with the reason, no stack) and once as it ends (how long
 * it lasted), not as a warning with a stack at every failure. Other errors are still warnings.
 */
import { Writable } from "node:stream";
import { expect, it } from "vitest";
import { createDeliveryDedupe } from "../../src/bot/create-delivery-dedupe.js";
import { createLogger } from "../../src/log/create-logger.js";
import { createPeriodicPass } from "../../src/schedule/create-periodic-pass.js";
import type { Store } from "../../src/store/store.js";
import { StoreUnavailableError } from "../../src/store/store-unavailable-error.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n"))
        if (line.trim() !== "") lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: "debug", destination }) };
}
const down = () => new StoreUnavailableError("Redis at 10.0.0.5:6379", "connection refused");
const warnings = (lines: Record<string, unknown>[]) => lines.filter((l) => l.level === 40);
const infos = (lines: Record<string, unknown>[]) => lines.filter((l) => l.level === 30);
const timers = {
  setInterval: () => 0 as unknown as ReturnType<typeof setInterval>,
  clearInterval: () => undefined,
};

it("the scheduled changes' pass: an outage once as it starts, once as it ends, however many passes fail", async () => {
  const { lines, logger } = capture();
  let now = 1_000_000;
  let failing: Error | undefined = down();
  const pass = createPeriodicPass({
    approvals: {
      listByStatus: async () => {
        if (failing !== undefined) throw failing;
        return [];
      },
    },
    executions: { runApproved: async () => undefined, isRunning: () => false },
    clock: { now: () => now },
    logger,
    timers,
  });
  for (let i = 0; i < 5; i++) {
    expect(await pass.run()).toBe(0);
    now += 5_000;
  }
  failing = undefined;
  await pass.run();
  expect(warnings(lines)).toHaveLength(1);
  expect(warnings(lines)[0]).toMatchObject({
    msg: "the store is unavailable: could not look for scheduled changes that are due until it is back",
    reason: "the state store (Redis at 10.0.0.5:6379) is unavailable: connection refused",
  });
  expect(warnings(lines)[0]?.err).toBeUndefined();
  expect(infos(lines)).toEqual([
    expect.objectContaining({ msg: "the store is available again", lastedMs: 25_000 }),
  ]);
  // Not an outage: still a warning with the error, each time.
  failing = new Error("a bug");
  await pass.run();
  await pass.run();
  expect(
    warnings(lines)
      .slice(1)
      .map((l) => l.msg),
  ).toEqual([
    "could not look for scheduled changes that are due",
    "could not look for scheduled changes that are due",
  ]);
});

it("the bot's delivery claims: an outage once as it starts, once as it ends, each claim still refused", async () => {
  const { lines, logger } = capture();
  let now = 2_000_000;
  let failing = true;
  const store = {
    claimOnce: async () => {
      if (failing) throw down();
      return true;
    },
  } as unknown as Store;
  const dedupe = createDeliveryDedupe({ store, logger, now: () => now });
  for (let i = 0; i < 4; i++) {
    expect(await dedupe.claim(`k${i}`)).toBe("unavailable");
    now += 1_000;
  }
  failing = false;
  expect(await dedupe.claim("k9")).toBe("first");
  expect(warnings(lines).map((l) => l.msg)).toEqual([
    "the store is unavailable: could not record a Slack delivery (nothing is handled) until it is back",
  ]);
  expect(infos(lines)).toEqual([
    expect.objectContaining({ msg: "the store is available again", lastedMs: 4_000 }),
  ]);
});
