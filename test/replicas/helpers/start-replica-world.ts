import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type CloudSimulator,
  simulatorCloudEnv,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import {
  type FakeSlack,
  type FakeSlackMessage,
  SLACK_IDS,
  startFakeSlack,
} from "../../../src/sandbox/slack/index.js";
import { latestCard, textOf } from "../../e2e/helpers/operations-harness.js";
import { findFreePort } from "../../helpers/find-free-port.js";
import {
  type SignedRequestOptions,
  sendBlockAction,
  sendSlashCommand,
} from "../../helpers/slack-requests.js";
import { type BotProcess, spawnBotProcess } from "./spawn-bot-process.js";

export const IDS = SLACK_IDS;
export const APPROVE = "ops.approval.approve";
export { eventually } from "../../helpers/eventually.js";
export { textOf };

const shippedFlows = fileURLToPath(new URL("../../../flows", import.meta.url));

export interface ReplicaWorldOptions {
  /** Simulator job phases (default INIT 50 ms, RUNNING 300 ms). */
  jobTiming?: { initMs?: number; runningMs?: number };
  /** Replaces the 15 minute timeout of `stop.yml`'s wait (e.g. `5s`: a never-sent call is reported sooner). */
  stopWaitTimeout?: string;
}

/**
 * What real bot processes need around them, in the test process: the fake Slack (Web API, response URLs),
 * the simulated Huawei Cloud, a temporary folder (no channel notifications; flows, optionally changed), and
 * the bot processes started so far, all stopped by `close()` (even after a failure).
 */
export async function startReplicaWorld(options: ReplicaWorldOptions = {}) {
  const fake: FakeSlack = await startFakeSlack();
  const sim: CloudSimulator = await startCloudSimulator({
    jobTiming: { initMs: 50, runningMs: 300, ...options.jobTiming },
  });
  const dir = mkdtempSync(join(tmpdir(), "hwc-replicas-"));
  writeFileSync(join(dir, "notifications.yml"), "version: 1\n");
  const flowsDir = join(dir, "flows");
  cpSync(shippedFlows, flowsDir, { recursive: true });
  if (options.stopWaitTimeout !== undefined) {
    const file = join(flowsDir, "stop.yml");
    const text = readFileSync(file, "utf8");
    if (!text.includes("timeout: 15m")) throw new Error("stop.yml changed: no `timeout: 15m` to replace");
    writeFileSync(file, text.replace("timeout: 15m", `timeout: ${options.stopWaitTimeout}`));
  }
  const processes: BotProcess[] = [];

  function envFor(storeUrl: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      ...simulatorCloudEnv(sim),
      STORE_URL: storeUrl,
      FLOWS_DIR: flowsDir,
      NOTIFICATIONS_FILE: join(dir, "notifications.yml"),
      RUN_LEASE_TTL: "3s",
      LOG_LEVEL: "info",
      ...extra,
    };
  }

  /**
   * Until every running bot has no acked work left (`/healthz`: nothing running or queued), at most 10 s: a
   * bot that cannot finish (its store frozen) or answer (killed) is not waited for.
   */
  async function settled(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (const bot of processes) {
      while (bot.child.exitCode === null && bot.child.signalCode === null && Date.now() < deadline) {
        const health = (await fetch(`http://127.0.0.1:${bot.port}/healthz`).then(
          (r) => r.json(),
          () => undefined,
        )) as { running?: number; queued?: number } | undefined;
        if (health === undefined || (health.running === 0 && health.queued === 0)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  /**
   * What a timed-out wait could not see, for its failure message: the bot's messages in #ops and its
   * ephemerals, and the end of each bot process' log (a CI run keeps nothing else).
   */
  function whatHappened(): string {
    const messages = fake
      .messages(IDS.ops, { includeReplies: true })
      .map((m) => `  ${m.user}: ${textOf(m).slice(0, 300)}`);
    const ephemerals = fake.ephemerals().map((e) => `  ephemeral: ${textOf(e).slice(0, 300)}`);
    const logs = processes.map((p) => `--- ${p.name} (last 3,000 characters)\n${p.output().slice(-3000)}`);
    return ["#ops:", ...messages, ...ephemerals, ...logs].join("\n");
  }

  /** `fake.waitFor`, its timeout explained by {@link whatHappened} (and `what`, when given). */
  function waitExplained<T>(check: () => T | undefined | null | false, timeoutMs: number, what?: string) {
    return fake.waitFor(check, timeoutMs).catch((error: unknown) => {
      const said = error instanceof Error ? error.message : String(error);
      throw new Error(`${said}${what === undefined ? "" : `: ${what}`}\n${whatHappened()}`);
    });
  }

  const world = {
    fake,
    sim,
    dir,
    processes,
    /** Starts a bot process on a free port; waits for `/healthz` unless `wait: false`. */
    async startBot(name: string, storeUrl: string, extra: Record<string, string> = {}, wait = true) {
      const bot = spawnBotProcess(name, await findFreePort(), envFor(storeUrl, extra));
      processes.push(bot);
      if (wait) await bot.ready();
      return bot;
    },
    /** An ACTIVE dev server of our own (one approval for `stop --hard`, none for a soft stop). */
    addServer(name: string) {
      return sim.control.addServer({ name, status: "ACTIVE", tags: { env: "dev" } });
    },
    /** Alice types a slash command, delivered to `bot`. */
    command(bot: BotProcess, text: string, input: { user?: string; command?: string } = {}) {
      return sendSlashCommand(
        bot.eventsUrl,
        fake.signingSecret,
        fake.buildSlashCommand({ text, command: input.command ?? "/ecs", user: input.user ?? IDS.alice }),
      );
    },
    /** A click payload on a message (send it with {@link deliver}, to one replica or several). */
    clickPayload(message: FakeSlackMessage, actionId: string, user: string) {
      return fake.buildBlockAction({ user, channel: IDS.ops, message, actions: [{ actionId }] });
    },
    deliver(bot: BotProcess, payload: Record<string, unknown>, options: SignedRequestOptions = {}) {
      return sendBlockAction(bot.eventsUrl, fake.signingSecret, payload, options);
    },
    /** `fake.waitFor` with a generous default: bot processes on a loaded machine can be slow. */
    waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
      return waitExplained(check, timeoutMs);
    },
    /**
     * Waits for the bot's message in #ops about `command` whose text passes `check`, then for the bots' acked
     * work (a request's card is posted before the request is recorded, and a person reads it before they
     * click; see {@link settled}).
     */
    async waitCard(command: string, check: (text: string) => boolean = () => true, timeoutMs = 60_000) {
      const found = await waitExplained(
        () => latestCard(fake, command, check),
        timeoutMs,
        `no card for "${command}" passed the check`,
      );
      await settled();
      return found;
    },
    /** The bot's replies in the thread of `root`. */
    replies(root: FakeSlackMessage): FakeSlackMessage[] {
      return fake.thread(root.channel, root.ts).slice(1);
    },
    /** The final summaries of `operation` in the thread of `root` (`stop: 1 stopped`…). */
    summaries(root: FakeSlackMessage, operation: string): FakeSlackMessage[] {
      return world.replies(root).filter((m) => (m.text ?? "").startsWith(`${operation}: `));
    },
    /** Cloud mutations the simulator received, of one type (`batchStopServers`, `deleteServers`…). */
    mutations(type: string) {
      return sim.control.requests().filter((r) => r.mutation !== null && r.mutation.type === type);
    },
    ephemeralTexts(user: string): string[] {
      return fake.ephemerals({ user }).map((e) => textOf(e));
    },
    /** Kills every process still running (SIGKILL), then stops the fakes and removes the folder. */
    async close() {
      await Promise.all(processes.map((p) => p.killHard().catch(() => undefined)));
      await sim.close().catch(() => undefined);
      await fake.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

export type ReplicaWorld = Awaited<ReturnType<typeof startReplicaWorld>>;

/** The approval request ID shown on a card. */
export function requestIdOf(message: FakeSlackMessage): string {
  // The card's buttons carry the request ID (their only value).
  const match = /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(message.blocks));
  if (!match) throw new Error(`no request ID in: ${textOf(message)}`);
  return match[0];
}
