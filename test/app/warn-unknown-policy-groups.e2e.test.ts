/**
 * At start, the bot compares the user groups its policy names with Slack's and warns, once for each handle Slack
 * does not have, where the policy names it and the closest existing one, instead of an admin learning it from the
 * first refused request. The whole bot as production composes it (`startHwcChatops`) against the fake Slack and
 * the simulated cloud, the shipped flows and a copy of the shipped policy with a misspelt group.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, expect, it } from "vitest";
import { type RunningBot, startHwcChatops } from "../../src/app/start-hwc-chatops.js";
import { createLogger } from "../../src/log/create-logger.js";
import { simulatorCloudConfig, startCloudSimulator } from "../../src/sandbox/cloud/index.js";
import { startFakeSlack } from "../../src/sandbox/slack/index.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(policyText: string): Promise<{ bot: RunningBot; logs: () => string[] }> {
  const fake = await startFakeSlack();
  const sim = await startCloudSimulator({ servers: 10 });
  const dir = await mkdtemp(join(tmpdir(), "hwc-groups-"));
  cleanups.push(
    () => fake.close(),
    () => sim.close(),
    () => rm(dir, { recursive: true, force: true }),
  );
  const policyFile = join(dir, "policy.yml");
  await writeFile(policyFile, policyText);
  const lines: string[] = [];
  const sink = new Writable({
    write: (chunk, _encoding, callback) => {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      callback();
    },
  });
  const bot = await startHwcChatops({
    slack: {
      botToken: fake.botToken,
      apiUrl: fake.apiUrl,
      transport: { kind: "http", signingSecret: fake.signingSecret, port: 0 },
    },
    cloud: simulatorCloudConfig(sim),
    app: {
      storeUrl: "memory://",
      policyFile,
      flowsDir: "flows",
      notificationsFile: "flows/notifications.yml",
      logLevel: "warn",
    },
    logger: createLogger({ level: "warn", destination: sink }),
    host: "127.0.0.1",
    store: createMemoryStore(),
  });
  cleanups.push(() => bot.stop(500));
  return { bot, logs: () => lines };
}

it("warns about each policy group Slack does not have, with where the policy names it and a likely handle", async () => {
  const shipped = await readFile("flows/policy.yml", "utf8");
  const misspelt = shipped.replace("    groups: [ops-approvers]", "    groups: [ops-aprovers]");
  expect(misspelt).not.toBe(shipped);
  const { bot, logs } = await start(misspelt);
  expect(await bot.groupsChecked).toEqual(["ops-aprovers"]);
  const warning = logs()
    .map((line) => JSON.parse(line) as { msg: string; group?: string; where?: string; didYouMean?: string })
    .find((entry) => entry.group === "ops-aprovers");
  expect(warning?.didYouMean).toBe("ops-approvers");
  expect(warning?.where).toMatch(/policy\.yml \(defaults\.approvers\)$/);
  expect(warning?.msg).toContain("the policy names user group @ops-aprovers (");
  expect(warning?.msg).toContain(
    "which Slack does not have: nobody can be in it (did you mean @ops-approvers?)",
  );
});

it("the shipped policy against the fake Slack's groups: nothing to warn about", async () => {
  const { bot, logs } = await start(await readFile("flows/policy.yml", "utf8"));
  expect(await bot.groupsChecked).toEqual([]);
  expect(logs().filter((line) => line.includes("which Slack does not have"))).toEqual([]);
});
