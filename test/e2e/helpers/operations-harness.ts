import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createApprovalService } from "../../../src/approvals/approval-service.js";
import { createAuditLog } from "../../../src/audit/create-audit-log.js";
import { type Bot, createBot } from "../../../src/bot/create-bot.js";
import { createCloudClient } from "../../../src/cloud/create-cloud-client.js";
import type { CloudConfig } from "../../../src/cloud/load-cloud-config.js";
import { createListingCache } from "../../../src/commands/read/create-listing-cache.js";
import { createLogger } from "../../../src/log/create-logger.js";
import { createOperations, type Operations, type OperationsOptions } from "../../../src/operations/index.js";
import { loadPolicy } from "../../../src/policy/load-policy.js";
import type { Policy } from "../../../src/policy/types.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import type { ManualClock } from "../../../src/sandbox/cloud/sim-clock.js";
import {
  type FakeSlack,
  type FakeSlackMessage,
  SLACK_IDS,
  startFakeSlack,
} from "../../../src/sandbox/slack/index.js";
import { createRateLimitGate, type RateLimitGate } from "../../../src/slack/create-rate-limit-gate.js";
import { createSlackChat } from "../../../src/slack/create-slack-chat.js";
import {
  createUserGroupCache,
  USER_GROUPS_GENERATION_KEY,
} from "../../../src/slack/create-user-group-cache.js";
import type { SlackConfig } from "../../../src/slack/load-slack-config.js";
import { createMemoryStore } from "../../../src/store/create-memory-store.js";
import type { Clock, Store } from "../../../src/store/store.js";
import { loadFlows } from "../../../src/workflow/load-flows.js";
import {
  type SlackRequestResult,
  sendBlockAction,
  sendEvent,
  sendSlashCommand,
  sendViewSubmission,
} from "../../helpers/slack-requests.js";

export const IDS = SLACK_IDS;

/**
 * A wall clock that tests can move forward (expiry), and that keeps running between moves; from `startsAt`
 * (epoch ms) when given, else from now. A test that moves it to fixed dates starts it before the first of them:
 * started from now, it fails once the real date is past them.
 */
export function createTestClock(startsAt?: number) {
  let offset = startsAt === undefined ? 0 : startsAt - Date.now();
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
  };
}

/**
 * Operations options for runs in waves on the harness clock: a pause of minutes passes by jumps of the clock,
 * so the run's lease must outlive them, and the holds and health gates poll often.
 */
export const WAVES_ON_THE_HARNESS_CLOCK = {
  runLeaseTtlMs: 24 * 60 * 60_000,
  waves: { holdPollMs: 10, gate: { pollMs: 10, timeoutMs: 60_000 } },
};

export interface OperationsHarnessOptions {
  sweepIntervalMs?: number;
  statusIntervalMs?: number;
  /** The bot's store (default: a memory store on the harness clock); the caller closes it. */
  store?: (clock: Clock) => Store;
  /** Regular servers of the simulated fleet (default the simulator's 12). */
  servers?: number;
  /** Cloud job phases (default INIT 20 ms, RUNNING 60 ms). */
  jobTiming?: { initMs?: number; runningMs?: number };
  /** The replica's job poll schedule (default every 15 ms, 40 ms for jobs older than a minute). */
  jobPolls?: OperationsOptions["jobPolls"];
  /**
   * One manual clock for the simulated cloud (latency, jobs), the fake Slack's receive times and the bot's
   * placeholder timers. Absent: real time, and placeholders only after a minute (tests reading the final
   * answer never race one).
   */
  manualClock?: ManualClock;
  /** Options passed on to `createOperations` (e.g. `runLeaseTtlMs`, `waves`), over the harness's. */
  operations?: Partial<OperationsOptions>;
  /** Where the harness clock starts (epoch ms); default now. For tests that move it to fixed dates. */
  clockStartsAt?: number;
  /**
   * The rate-limit gate both chats share (e.g. one whose waits the test releases); default one on real
   * timers.
   */
  rateLimits?: RateLimitGate;
}

/** The live policy of a harness: the shipped one until a test replaces it (as an edited file would). */
export interface LivePolicy {
  current: Policy;
  /** Replaces the policy with the YAML text (validated like the file). */
  replace(yaml: string): Promise<void>;
}

/**
 * The bot's newest message in `channel` about `command` that is its card (not the "Preparing" post before it)
 * and passes `check`; undefined while there is none.
 */
export function latestCard(
  fake: Pick<FakeSlack, "messages">,
  command: string,
  check: (text: string, message: FakeSlackMessage) => boolean = () => true,
  channel: string = IDS.ops,
): FakeSlackMessage | undefined {
  const card = fake
    .messages(channel)
    .filter((m) => m.user === IDS.bot && textOf(m).includes(command) && !textOf(m).includes("Preparing"))
    .at(-1);
  return card && check(textOf(card), card) ? card : undefined;
}

/** Every text of a Slack message (section text, fields, context elements, buttons) as one string. */
/** The cloud requests the simulator received since its log was cleared, as `METHOD path`. */
export function requestPaths(sim: CloudSimulator): string[] {
  return sim.control.requests().map((r) => `${r.method} ${r.path}`);
}

/** Listings of the whole fleet (no filter, only paging) the simulator received since its log was cleared. */
export function fleetListingCount(sim: CloudSimulator): number {
  return sim.control
    .requests()
    .filter(
      (r) =>
        r.path.endsWith("servers/detail") &&
        Object.keys(r.query).every((k) => k === "limit" || k === "marker" || k === "offset"),
    ).length;
}

/**
 * Between two tests on one harness with the shipped policy's groups: nothing running, the cloud and Slack as
 * new, `@ops-approvers` Bob and Carol, `@sre` Alice and Erin.
 */
export async function resetApprovalWorld(h: OperationsHarness): Promise<void> {
  await h.ops.idle();
  await cancelWaitingRequests(h);
  h.sim.control.reset();
  h.fake.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
  await h.setUserGroupMembers("sre", [IDS.alice, IDS.erin]);
}

/**
 * Cancels, as their requesters would, the requests a test left waiting for approval: one that waits blocks the
 * same change asked again by the same person in the same channel (one pending request per intent), and the
 * store outlives each test of a harness.
 */
export async function cancelWaitingRequests(
  h: Pick<OperationsHarness, "store" | "clock" | "audit">,
): Promise<void> {
  const approvals = createApprovalService({ store: h.store, clock: h.clock, audit: h.audit });
  for (const request of await approvals.listPending())
    await approvals.act(
      request.id,
      { type: "cancel", userId: request.requester.userId },
      { isApprover: false },
    );
}

export function textOf(message: { text?: string; blocks?: unknown[] } | undefined): string {
  if (!message) return "";
  const out: string[] = [message.text ?? ""];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === "object" && value !== null) {
      const v = value as Record<string, unknown>;
      if (typeof v.text === "string") out.push(v.text);
      for (const [key, child] of Object.entries(v))
        if (key !== "text" || typeof child !== "string") walk(child);
    }
  };
  walk(message.blocks ?? []);
  return out.join("\n");
}

/** The action IDs of the interactive elements in a message. */
export function actionIdsOf(message: { blocks?: unknown[] } | undefined): string[] {
  const ids: string[] = [];
  for (const block of message?.blocks ?? []) {
    const b = block as { elements?: { action_id?: string }[] };
    for (const e of b.elements ?? []) if (e.action_id) ids.push(e.action_id);
  }
  return ids;
}

/**
 * The bot with the operations plugged in, over loopback: fake Slack, the simulated cloud (short jobs), a real
 * cloud client, the shipped policy and flows, a memory store on a movable clock. Nothing of ours is mocked.
 */
export async function startOperationsHarness(options: OperationsHarnessOptions = {}) {
  const manual = options.manualClock;
  const fake: FakeSlack = await startFakeSlack(manual !== undefined ? { now: () => manual.now() } : {});
  const sim: CloudSimulator = await startCloudSimulator({
    jobTiming: options.jobTiming ?? { initMs: 20, runningMs: 60 },
    ...(options.servers !== undefined && { servers: options.servers }),
    ...(manual !== undefined && { clock: manual }),
  });
  const cloudConfig: CloudConfig = {
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  };
  const cloud = createCloudClient(cloudConfig, {
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
  });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n"))
        if (line.trim() !== "") logs.push(JSON.parse(line));
      callback();
    },
  });
  const logger = createLogger({ level: "debug", destination });
  const clock = createTestClock(options.clockStartsAt);
  const store = options.store?.(clock) ?? createMemoryStore({ clock });
  const audit = createAuditLog({ store, logger, clock });
  const loadedPolicy = await loadPolicy("flows/policy.yml");
  if (!loadedPolicy.ok) throw new Error(`shipped policy invalid: ${JSON.stringify(loadedPolicy.errors)}`);
  const loadedFlows = await loadFlows("flows");
  if (!loadedFlows.ok) throw new Error(`shipped flows invalid: ${JSON.stringify(loadedFlows.errors)}`);
  const live: LivePolicy = {
    current: loadedPolicy.policy,
    async replace(yaml) {
      const dir = await mkdtemp(join(tmpdir(), "hwc-policy-"));
      const file = join(dir, "policy.yml");
      await writeFile(file, yaml);
      const loaded = await loadPolicy(file);
      if (!loaded.ok) throw new Error(`test policy invalid: ${JSON.stringify(loaded.errors)}`);
      live.current = loaded.policy;
    },
  };
  const opsOptions: OperationsOptions = {
    policy: () => live.current,
    flows: loadedFlows.flows,
    store,
    audit,
    cloud,
    logger,
    clock,
    statusIntervalMs: options.statusIntervalMs ?? 100,
    sweepIntervalMs: options.sweepIntervalMs ?? 50,
    polling: { initialIntervalMs: 15, maxIntervalMs: 40 },
    jobPolls: options.jobPolls ?? { earlyIntervalMs: 15, lateIntervalMs: 40 },
    ...options.operations,
  };
  const ops: Operations = createOperations(opsOptions);
  const slack: SlackConfig = {
    botToken: fake.botToken,
    apiUrl: fake.apiUrl,
    transport: { kind: "http", signingSecret: fake.signingSecret, port: 0 },
  };
  // One for both chats, on the harness clock, as the production composition has it.
  const userGroups = createUserGroupCache({ store, clock, logger });
  const rateLimits = options.rateLimits ?? createRateLimitGate();
  const bot: Bot = createBot({
    slack,
    userGroups,
    rateLimits,
    cloud,
    logger,
    host: "127.0.0.1",
    store,
    shutdownGraceMs: 2_000,
    placeholder: manual !== undefined ? { scheduler: manual } : { delayMs: 60_000 },
    handlers: ops.handlers,
    listings: createListingCache({ now: () => clock.now() }),
  });
  ops.register(bot);
  await bot.start();
  await ops.start({ chat: createSlackChat(bot.app.client, { groups: userGroups, rateLimits }) });
  const eventsUrl = `${bot.url}/slack/events`;

  const h = {
    fake,
    sim,
    cloud,
    bot,
    ops,
    /** The options `ops` was created with (to create another instance over the same store: a restart). */
    opsOptions,
    /** The policy the bot reads on every request and before every execution. */
    policy: live,
    store,
    audit,
    clock,
    logs,
    eventsUrl,
    /** Types a slash command (default `/ecs` by Alice in #ops). */
    command(text: string, input: { user?: string; channel?: string; command?: string } = {}) {
      return sendSlashCommand(
        eventsUrl,
        fake.signingSecret,
        fake.buildSlashCommand({ text, command: input.command ?? "/ecs", ...input }),
      );
    },
    /**
     * Changes a user group's members in Slack and delivers the `subteam_members_changed` event Slack sends
     * about it; resolves once the bot has taken it in (the groups' generation moved).
     */
    async setUserGroupMembers(handle: string, users: readonly string[]): Promise<void> {
      const generation = async () => (await store.get(USER_GROUPS_GENERATION_KEY))?.version ?? 0;
      const before = await generation();
      const sent = await sendEvent(eventsUrl, fake.signingSecret, fake.setUserGroupMembers(handle, users));
      if (sent.status !== 200) throw new Error(`the event was answered ${sent.status}`);
      for (let i = 0; (await generation()) === before; i++) {
        if (i > 500) throw new Error("the bot did not take in the user group change");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    /** Clicks a button of a (channel or ephemeral) message. */
    click(
      message: FakeSlackMessage | { ts: string; blocks?: unknown[] },
      actionId: string,
      user: string,
      channel: string = IDS.ops,
    ) {
      return sendBlockAction(
        eventsUrl,
        fake.signingSecret,
        fake.buildBlockAction({ user, channel, message, actions: [{ actionId }] }),
      );
    },
    /** Submits the reason modal opened for `user` about the request `requestId`. */
    async submitReason(user: string, requestId: string, reason: string): Promise<SlackRequestResult> {
      const view = await fake.waitFor(() =>
        fake
          .views({ user })
          .filter((v) => v.callbackId === "ops.approval.reject" && v.privateMetadata === requestId)
          .at(-1),
      );
      return sendViewSubmission(
        eventsUrl,
        fake.signingSecret,
        fake.buildViewSubmission({
          user,
          view: view.view,
          values: { reason: { reason: { type: "plain_text_input", value: reason } } },
        }),
      );
    },
    /** The newest top-level bot message in the channel whose text (or a button value) includes `needle`. */
    latest(needle: string, channel = IDS.ops): FakeSlackMessage | undefined {
      return fake
        .messages(channel)
        .filter(
          (m) =>
            m.user === IDS.bot && (textOf(m).includes(needle) || JSON.stringify(m.blocks).includes(needle)),
        )
        .at(-1);
    },
    /**
     * Waits for a card in the channel whose command line includes `command` and which satisfies `check`, and
     * for the work acked so far: a request's card is posted before the request is recorded, and a person
     * reads it before they click.
     */
    async waitCard(
      command: string,
      check: (text: string, message: FakeSlackMessage) => boolean = () => true,
      channel = IDS.ops,
    ) {
      const found = await fake.waitFor(() => latestCard(fake, command, check, channel));
      await bot.idle();
      return found;
    },
    /** Bot replies in the thread of `root` (without the root). */
    replies(root: FakeSlackMessage) {
      return fake.thread(root.channel, root.ts).slice(1);
    },
    /** Ephemerals a user received (response_url or chat.postEphemeral), texts only. */
    ephemeralTexts(user: string): string[] {
      return fake.ephemerals({ user }).map((e) => textOf(e));
    },
    serverId(name: string): string {
      const s = sim.control.server(name);
      if (!s) throw new Error(`no server ${name}`);
      return s.id;
    },
    /** Cloud mutations received by the simulator, by type (`batchStopServers`, `deleteServers`…). */
    mutations(type?: string) {
      return sim.control
        .requests()
        .filter((r) => r.mutation !== null && (type === undefined || r.mutation.type === type));
    },
    async close() {
      await ops.stop(2_000);
      await bot.stop();
      await cloud.close();
      await sim.close();
      await fake.close();
    },
  };
  return h;
}

export type OperationsHarness = Awaited<ReturnType<typeof startOperationsHarness>>;
