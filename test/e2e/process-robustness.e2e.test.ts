/**
 * The bot as a real process (`node src/main.ts`), against the fake Slack and the simulated cloud over
 * loopback: no request ends it, an unhandled rejection is logged and survived, and a stop has a hard deadline
 * whatever is still pending (Slack and the cloud gone away, the log pipe closed).
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sendSignedRequest } from "../helpers/slack-requests.js";
import {
  eventually,
  IDS,
  type ReplicaWorld,
  startReplicaWorld,
} from "../replicas/helpers/start-replica-world.js";

const run = promisify(execFile);
let world: ReplicaWorld;

beforeAll(async () => {
  world = await startReplicaWorld();
});
afterAll(async () => {
  await world?.close();
});

const storeUrl = (name: string) => `sqlite://${join(world.dir, `${name}.sqlite`)}`;

/** Exit code of `bot` once it exited, and how long after `since` that was. */
async function exitOf(exited: Promise<{ code: number | null }>, since: number) {
  const { code } = await exited;
  return { code, afterMs: Date.now() - since };
}

it("a signed `payload=null` (and a JSON `null`) is answered 400; the process keeps serving", async () => {
  const bot = await world.startBot("null-payload", storeUrl("null-payload"));
  for (const [body, type] of [
    ["payload=null", "application/x-www-form-urlencoded"],
    ["null", "application/json"],
  ] as const) {
    const result = await sendSignedRequest(bot.eventsUrl, world.fake.signingSecret, body, type);
    expect(result.status).toBe(400);
  }
  expect((await fetch(`http://127.0.0.1:${bot.port}/healthz`)).status).toBe(200);
  await world.command(bot, "help");
  await world.waitFor(() => world.ephemeralTexts(IDS.alice).find((t) => t.includes("/ecs")));
  expect(bot.output()).toContain("refused a signed Slack request: malformed payload");
  expect(bot.output()).not.toContain("TypeError");
  expect(await bot.terminate()).toBe(0);
}, 90_000);

it("an unhandled rejection is logged with its error and stack, and the process keeps running", async () => {
  const script = `
    import { guardProcess } from "./src/app/guard-process.ts";
    import { createLogger } from "./src/log/create-logger.ts";
    guardProcess(process, createLogger());
    Promise.reject(new Error("nobody awaited this"));
    setTimeout(() => { process.stdout.write("still running\\n"); process.exit(0); }, 300);
  `;
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: process.cwd(),
  });
  const line = stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { msg: string; err?: { message: string; stack: string } })
    .find((l) => l.msg.startsWith("unhandled promise rejection"));
  expect(line?.err?.message).toBe("nobody awaited this");
  expect(line?.err?.stack).toContain("Error: nobody awaited this");
  expect(stdout).toContain("still running");
}, 60_000);

it("SIGTERM with Slack and the cloud gone away: the process exits within the grace plus a few seconds", async () => {
  // A watcher that reads the cloud every 10 s: its run is in flight when the signal comes.
  const notifications = join(world.dir, "watching.yml");
  writeFileSync(
    notifications,
    "version: 1\ndefaults:\n  interval: 10s\n  alert_channels: [C_OPS]\nwatchers:\n  - id: ecs\n    kind: ecs_servers\n",
  );
  const bot = await world.startBot("gone-away", storeUrl("gone-away"), {
    NOTIFICATIONS_FILE: notifications,
    SHUTDOWN_GRACE: "1s",
    // A cloud that stopped answering is waited for this long per request.
    HUAWEICLOUD_REQUEST_TIMEOUT_MS: "600000",
  });
  try {
    // Everything the bot asks from now on hangs (cloud) or is rate limited for an hour (Slack).
    world.sim.control.setFaults({ latencyMs: 3_600_000 });
    world.fake.faultNext("*", { kind: "rate_limited", retryAfterSec: 3600 }, 1000);
    await world.command(bot, "list");
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const since = Date.now();
    bot.child.kill("SIGTERM");
    const { code, afterMs } = await exitOf(bot.exited, since);
    expect(code).toBe(1);
    // 1 s grace + 5 s margin, plus room for a loaded machine.
    expect(afterMs).toBeLessThan(10_000);
    expect(afterMs).toBeGreaterThanOrEqual(5_500);
    expect(bot.output()).toContain("still stopping 6000 ms after SIGTERM: exiting now");
  } finally {
    world.sim.control.clearFaults();
    world.fake.clearFaults();
  }
}, 90_000);

it("SIGTERM after the log pipe was closed: the process still exits, cleanly", async () => {
  const bot = await world.startBot("closed-pipe", storeUrl("closed-pipe"), { SHUTDOWN_GRACE: "1s" });
  bot.child.stdout?.destroy();
  // Log lines written into the closed pipe.
  for (let i = 0; i < 5; i++) await world.command(bot, "help");
  await eventually(() => world.ephemeralTexts(IDS.alice).length >= 5 || undefined, 30_000);
  const since = Date.now();
  bot.child.kill("SIGTERM");
  const { code, afterMs } = await exitOf(bot.exited, since);
  expect(code).toBe(0);
  expect(afterMs).toBeLessThan(10_000);
}, 90_000);
