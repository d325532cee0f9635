/**
 * SIGHUP (a service manager's reload, a closed terminal) stops the bot as SIGTERM does, never at once: one line
 * says there is no reload, the run in flight is handed over at a safe point, and the process exits 0.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ReplicaWorld, startReplicaWorld } from "../replicas/helpers/start-replica-world.js";

let world: ReplicaWorld;

beforeAll(async () => {
  world = await startReplicaWorld({ jobTiming: { initMs: 50, runningMs: 60_000 } });
}, 60_000);
afterAll(async () => {
  await world?.close();
});

it("SIGHUP: logged, the running run handed over as on SIGTERM, exit 0", async () => {
  const bot = await world.startBot("hup", `sqlite://${join(world.dir, "hup.sqlite")}`, {
    SHUTDOWN_GRACE: "5s",
  });
  world.addServer("hup-01");
  await world.command(bot, "stop hup-01");
  await world.waitCard("/ecs stop hup-01", (t) => t.includes("Running"));
  await world.waitFor(() => world.mutations("batchStopServers").length >= 1 || undefined, 60_000);

  bot.child.kill("SIGHUP");
  const { code, signal } = await bot.exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  const lines = bot
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.find((l) => l.signal === "SIGHUP" && l.level === 40)?.msg).toBe(
    "SIGHUP: stopping as on SIGTERM; the bot has no reload, restart it to apply new files",
  );
  expect(lines.find((l) => l.msg === "run handed over at a safe point")).toMatchObject({ why: "stopping" });
}, 120_000);
