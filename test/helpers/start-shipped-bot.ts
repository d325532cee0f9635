import { Writable } from "node:stream";
import { type RunningBot, startHwcChatops } from "../../src/app/start-hwc-chatops.js";
import type { CloudConfig } from "../../src/cloud/load-cloud-config.js";
import { createLogger } from "../../src/log/create-logger.js";
import type { FakeSlack } from "../../src/sandbox/slack/index.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";

type StartOptions = Parameters<typeof startHwcChatops>[0];

/**
 * The whole bot as `npm start` composes it (`startHwcChatops`), in HTTP mode on loopback against the fake Slack,
 * with the shipped policy and flows, `notificationsFile`, a memory store and warnings logged nowhere; `more`
 * adds or overrides options (a cloud client of the test's, faster sweeps).
 */
export function startShippedBot(
  fake: FakeSlack,
  cloud: CloudConfig,
  notificationsFile: string,
  more: Partial<StartOptions> = {},
): Promise<RunningBot> {
  return startHwcChatops({
    slack: {
      botToken: fake.botToken,
      apiUrl: fake.apiUrl,
      transport: { kind: "http", signingSecret: fake.signingSecret, port: 0 },
    },
    cloud,
    app: {
      storeUrl: "memory://",
      policyFile: "flows/policy.yml",
      flowsDir: "flows",
      notificationsFile,
      logLevel: "warn",
    },
    logger: createLogger({
      level: "warn",
      destination: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    }),
    host: "127.0.0.1",
    store: createMemoryStore(),
    ...more,
  });
}
