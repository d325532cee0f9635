/**
 * Notifications routed to channels the bot cannot post to (not a member, no such channel, a refusal that only a
 * person can fix) are not lost quietly: said once in the alert channel per channel, shown by `/ops watch list`
 * until a post there succeeds again, and said again if it breaks again. Over the fake Slack and the simulated
 * cloud, on a manual clock.
 */
import { webApi } from "@slack/bolt";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createAuditDigestPoster } from "../../src/audit/create-audit-digest-poster.js";
import { createAuditLog } from "../../src/audit/create-audit-log.js";
import { buildWatchListMessage } from "../../src/notify/build-watch-list-message.js";
import { undeliverableKey } from "../../src/notify/channel-health.js";
import type { Notifier } from "../../src/notify/notifier-types.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { collectMrkdwn, expectValidBlockKit } from "../render/block-kit-test-helpers.js";
import { type NotifyEnv, startNotifyEnv, testConfig, textsOf } from "./helpers/start-notify-env.js";

const MINUTE = 60_000;

const CONFIG = testConfig(`
version: 1
defaults:
  interval: 1m
  quiet_period: 0s
  alert_channels: [C_OPS]
watchers:
  - id: ecs
    kind: ecs_servers
routes:
  - id: ops
    channels: [C_OPS]
  - id: random
    channels: [C_RANDOM]
  - id: nowhere
    channels: [C_NOPE]
digests:
  - id: fleet
    kind: ecs_fleet
    schedule: "0 8 * * 1"
    channels: [C_RANDOM]
`);

let env: NotifyEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** Flips one dev server between ACTIVE and SHUTOFF, so every run has a change to announce. */
function flip(e: NotifyEnv): void {
  const server = e.control.servers().find((s) => s.tags.env === "dev")!;
  e.control.setServer(server.id, { status: server.status === "ACTIVE" ? "SHUTOFF" : "ACTIVE" });
}

const opsTexts = (e: NotifyEnv) => e.posted("C_OPS").map((m) => textsOf(m).join("\n"));
const alertsAbout = (e: NotifyEnv, channel: string) =>
  opsTexts(e).filter(
    (t) => t.startsWith(":warning: Notifications cannot be posted to") && t.includes(`<#${channel}>`),
  );

async function watchList(e: NotifyEnv, notifier: Notifier) {
  const kit = renderBlockKit(
    buildWatchListMessage(await notifier.listWatchers(), await notifier.listDigests(), e.clock.now()),
  );
  expectValidBlockKit(kit);
  return { kit, text: textsOf(kit).join("\n") };
}

async function runWithChange(e: NotifyEnv, notifier: Notifier) {
  e.clock.advance(MINUTE);
  flip(e);
  return notifier.runOnce("ecs");
}

describe("a channel the bot cannot post to", () => {
  it("is said once per channel in the alert channel (one alert for all a run finds), with the reason and the routes that lose their posts", async () => {
    env = await startNotifyEnv();
    const notifier = env.notifier(CONFIG);
    expect(await notifier.runOnce("ecs")).toMatchObject({ outcome: "baseline" });

    const first = await runWithChange(env, notifier);
    expect(first).toMatchObject({
      outcome: "ok",
      posted: 1,
      deliveryErrors: ["C_RANDOM: not_in_channel", "C_NOPE: channel_not_found"],
    });
    const [random] = alertsAbout(env, "C_RANDOM");
    const [nope] = alertsAbout(env, "C_NOPE");
    // Two problems, one channel each: what to do said once for each, in the singular.
    expect(random).toContain("• <#C_RANDOM>: the bot is not in the channel: invite it there");
    expect(random).toContain("route `random` (test-notifications.yml:13)");
    expect(random).toContain("digest `fleet` (test-notifications.yml:18)");
    expect(nope).toContain("no such channel, or a private channel the bot is not in");
    expect(nope).toContain("route `nowhere` (test-notifications.yml:15)");
    // Both found by one run: one alert, not one per channel.
    expect(random).toBe(nope);

    // Later runs fail the same way: nothing more is said (no flood), the watch list keeps saying it.
    for (let i = 0; i < 3; i++) await runWithChange(env, notifier);
    expect(alertsAbout(env, "C_RANDOM")).toHaveLength(1);
    expect(alertsAbout(env, "C_NOPE")).toHaveLength(1);
    const { kit, text } = await watchList(env, notifier);
    expect(text).toContain("cannot post to: <#C_RANDOM>, <#C_NOPE>");
    expect(text).toContain(
      "• <#C_RANDOM>: the bot is not in the channel: invite it there (`/invite @hwc-chatops`)\n• <#C_NOPE>: no such channel",
    );
    // Said once, in words: not again as the run's raw "not delivered to" codes.
    expect(text).not.toContain("not delivered to");
    expect(text).toContain("cannot post to 2 channels");
    // Not a green OK: the watcher's messages do not reach every channel.
    expect(JSON.stringify(kit)).not.toContain(":large_green_circle:");
  });

  it("is forgotten when a post there succeeds again, and said again if it breaks again", async () => {
    env = await startNotifyEnv();
    const notifier = env.notifier(CONFIG);
    await notifier.runOnce("ecs");
    await runWithChange(env, notifier);
    expect(alertsAbout(env, "C_RANDOM")).toHaveLength(1);

    // Someone invites the bot: the next post to C_RANDOM goes through and clears the record.
    const client = new webApi.WebClient(env.slack.botToken, {
      slackApiUrl: env.slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    await client.conversations.join({ channel: "C_RANDOM" });
    const fixed = await runWithChange(env, notifier);
    expect(fixed).toMatchObject({ posted: 2, deliveryErrors: ["C_NOPE: channel_not_found"] });
    expect(env.posted("C_RANDOM")).toHaveLength(1);
    expect(await env.store.get(undeliverableKey("C_RANDOM"))).toBeUndefined();
    const { text } = await watchList(env, notifier);
    expect(text).not.toContain("<#C_RANDOM>: the bot");
    expect(text).toContain("cannot post to: <#C_NOPE>");
    expect(text).toContain("• <#C_NOPE>: no such channel");

    // It breaks again (archived, say): said again, once. (Only C_RANDOM is routed now, so the one failed call
    // is its post; the first replica's lease on the watcher runs out first.)
    env.clock.advance(3 * MINUTE);
    env.slack.failNext("chat.postMessage", "is_archived", 1);
    const routes = testConfig(`
version: 1
defaults: { interval: 1m, quiet_period: 0s, alert_channels: [C_OPS] }
watchers: [{ id: ecs, kind: ecs_servers }]
routes: [{ id: random, channels: [C_RANDOM] }]
`);
    const again = env.notifier(routes);
    await runWithChange(env, again);
    const alerts = alertsAbout(env, "C_RANDOM");
    expect(alerts).toHaveLength(2);
    expect(alerts[1]).toContain("(the channel is archived: unarchive it");
    expect(alertsAbout(env, "C_NOPE")).toHaveLength(1);
  });

  it("is said once however many watchers, digests and replicas find it", async () => {
    env = await startNotifyEnv();
    const a = env.notifier(CONFIG, { replicaId: "replica-a" });
    const b = env.notifier(CONFIG, { replicaId: "replica-b" });
    await a.runOnce("ecs");
    await runWithChange(env, a);
    // The other replica's digest to C_RANDOM fails the same way: nothing new is said.
    expect(await b.runDigest("fleet")).toMatchObject({
      outcome: "posted",
      posted: 0,
      deliveryErrors: ["C_RANDOM: not_in_channel"],
    });
    expect(alertsAbout(env, "C_RANDOM")).toHaveLength(1);
    const digests = await b.listDigests();
    expect(digests[0]!.undeliverable).toEqual([
      expect.objectContaining({ channel: "C_RANDOM", error: "not_in_channel" }),
    ]);
  });

  it("an alert channel it cannot post to is shown, with nowhere further to say it (no loop)", async () => {
    env = await startNotifyEnv();
    const config = testConfig(`
version: 1
defaults: { interval: 1m, quiet_period: 0s, alert_channels: [C_RANDOM] }
watchers: [{ id: ecs, kind: ecs_servers }]
routes: [{ id: nowhere, channels: [C_NOPE] }]
`);
    const notifier = env.notifier(config);
    await notifier.runOnce("ecs");
    await runWithChange(env, notifier);
    await runWithChange(env, notifier);
    // The message about C_NOPE was tried in C_RANDOM (once a run, since it never got through), nothing else.
    const posts = env.slack.calls("chat.postMessage").map((c) => c.args.channel);
    expect(posts.filter((c) => c === "C_NOPE")).toHaveLength(2);
    expect(posts.filter((c) => c === "C_RANDOM")).toHaveLength(2);
    const [w] = await notifier.listWatchers();
    expect(w!.undeliverable.map((u) => [u.channel, u.error])).toEqual([
      ["C_NOPE", "channel_not_found"],
      ["C_RANDOM", "not_in_channel"],
    ]);
  });

  it("a passing failure is only counted, named with its channel, and Slack's text is never markup", async () => {
    env = await startNotifyEnv();
    const config = testConfig(`
version: 1
defaults: { interval: 1m, quiet_period: 0s, alert_channels: [C_OPS] }
watchers: [{ id: ecs, kind: ecs_servers }]
routes: [{ id: prod, channels: [C_PROD] }]
`);
    const notifier = env.notifier(config);
    await notifier.runOnce("ecs");
    env.slack.failNext("chat.postMessage", "<!channel> *internal_error*", 1);
    const run = await runWithChange(env, notifier);
    expect(run).toMatchObject({ posted: 0, deliveryErrors: ["C_PROD: <!channel> *internal_error*"] });
    expect(env.posted("C_OPS")).toHaveLength(0);
    const { kit, text } = await watchList(env, notifier);
    expect(text).toContain("not delivered to <#C_PROD> (`");
    expect(text).not.toContain("cannot post to");
    for (const mrkdwn of collectMrkdwn(kit)) expect(mrkdwn).not.toContain("<!channel>");
  });

  it("the audit chain's digest to a channel that refuses it is said once in the alert channels, not only logged at each slot", async () => {
    env = await startNotifyEnv();
    const config = testConfig(`
version: 1
defaults: { alert_channels: [C_OPS] }
audit: { digest_channel: C_NOPE, digest_every: 1h }
`);
    const e = env;
    const notifier = e.notifier(config);
    const logger = pino({ level: "silent" });
    const audit = createAuditLog({ store: e.store, clock: e.clock, logger });
    const poster = createAuditDigestPoster({
      audit,
      chat: e.chat,
      clock: e.clock,
      logger,
      channel: "C_NOPE",
      everyMs: 3_600_000,
      post: (to, message) => notifier.deliver(to, message),
    });
    const hourly = async (n: number) => {
      await audit.record({
        type: "policy.decided",
        actorId: "U1",
        decision: "allow",
        action: "ecs:cloudServers:stop",
        message: `entry ${String(n)}`,
      });
      e.clock.advance(3_600_000);
      return poster.tick();
    };
    expect(await hourly(1)).toMatchObject({ outcome: "failed", error: "channel_not_found" });
    const [alert, ...more] = alertsAbout(e, "C_NOPE");
    expect(more).toHaveLength(0);
    expect(alert).toContain("no such channel, or a private channel the bot is not in");
    expect(alert).toContain("the audit chain's digest (test-notifications.yml:4)");
    // The next slots fail the same way: nothing more is said.
    expect(await hourly(2)).toMatchObject({ outcome: "failed" });
    expect(await hourly(3)).toMatchObject({ outcome: "failed" });
    expect(alertsAbout(e, "C_NOPE")).toHaveLength(1);
    expect(e.posted("C_NOPE")).toHaveLength(0);
  });
});
