import { createCloudClient } from "../../../src/cloud/create-cloud-client.js";
import type { CloudConfig } from "../../../src/cloud/load-cloud-config.js";
import { createNotifier } from "../../../src/notify/create-notifier.js";
import type { NotificationsConfig } from "../../../src/notify/load-notifications-config.js";
import { parseNotificationsConfig } from "../../../src/notify/load-notifications-config.js";
import type { NotifierDeps } from "../../../src/notify/notifier-types.js";
import type { NotifierCloud } from "../../../src/notify/watcher-kind.js";
import {
  type CloudSimulatorOptions,
  createManualClock,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { type FakeSlack, startFakeSlack } from "../../../src/sandbox/slack/index.js";
import { createMemoryStore } from "../../../src/store/create-memory-store.js";
import type { Store } from "../../../src/store/store.js";
import { createWebClientChat } from "./create-web-client-chat.js";

/** 2026-01-05 07:00 UTC, a Monday. */
export const T0 = Date.UTC(2026, 0, 5, 7, 0, 0);

export interface NotifyEnvOptions {
  sim?: CloudSimulatorOptions;
  /** Endpoint overrides (e.g. HSS served by a scripted server). */
  endpoints?: Partial<CloudConfig["endpoints"]>;
  start?: number;
}

/**
 * The simulated cloud, the fake Slack, a memory store and a cloud client, all on one manual clock:
 * nothing waits for wall time, and every sleep (client retries, Slack pacing, Retry-After) moves the clock.
 */
export async function startNotifyEnv(options: NotifyEnvOptions = {}) {
  const clock = createManualClock(options.start ?? T0);
  const sim = await startCloudSimulator({ clock, ...options.sim });
  const slack: FakeSlack = await startFakeSlack({ now: () => clock.now() });
  const store: Store = createMemoryStore({ clock });
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  const simConfig = simulatorCloudConfig(sim);
  const cloudConfig: CloudConfig = {
    ...simConfig,
    endpoints: { ...simConfig.endpoints, ...options.endpoints },
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  };
  const client = createCloudClient(cloudConfig, { sleep, retry: { maxAttempts: 2 } });
  const chat = createWebClientChat(slack.apiUrl, slack.botToken);

  return {
    clock,
    sim,
    control: sim.control,
    slack,
    store,
    client,
    chat,
    sleeps,
    sleep,
    /** A notifier on this environment; `cloud`, `store`, `replicaId`… can be replaced. */
    notifier(config: NotificationsConfig, overrides: Partial<NotifierDeps> = {}) {
      return createNotifier({ config, cloud: client, chat, store, clock, sleep, ...overrides });
    },
    /** Bot messages posted to a channel (top level), oldest first. */
    posted(channel: string) {
      return slack.messages(channel).filter((m) => m.botId !== undefined);
    },
    async close() {
      await client.close();
      await slack.close();
      await sim.close();
    },
  };
}

export type NotifyEnv = Awaited<ReturnType<typeof startNotifyEnv>>;

/** Parses a test configuration, failing loudly with file:line errors. */
export function testConfig(yaml: string): NotificationsConfig {
  const result = parseNotificationsConfig(yaml, "test-notifications.yml");
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join("\n"));
  return result.config;
}

/** Every text of a posted message (fallback text and all mrkdwn / plain_text in its blocks). */
export function textsOf(message: { text?: string; blocks?: unknown[] }): string[] {
  const found: string[] = message.text === undefined ? [] : [message.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const child of node) walk(child);
    else if (node !== null && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if ((record.type === "mrkdwn" || record.type === "plain_text") && typeof record.text === "string")
        found.push(record.text);
      for (const value of Object.values(record)) walk(value);
    }
  };
  walk(message.blocks ?? []);
  return found;
}

/** The action IDs and values of a posted message's buttons. */
export function buttonsOf(message: { blocks?: unknown[] }): { actionId: string; value?: string }[] {
  const found: { actionId: string; value?: string }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const child of node) walk(child);
    else if (node !== null && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (record.type === "button" && typeof record.action_id === "string") {
        found.push({
          actionId: record.action_id,
          ...(typeof record.value === "string" && { value: record.value }),
        });
      }
      for (const value of Object.values(record)) walk(value);
    }
  };
  walk(message.blocks ?? []);
  return found;
}

export type { NotifierCloud };
