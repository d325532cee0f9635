/**
 * The operator's wording about channels the bot cannot post to: the one message in the alert channel, and what
 * `/ops watch list` says (golden files), with Slack's error code treated as untrusted text.
 */
import { describe, expect, it } from "vitest";
import {
  buildUndeliverableChannelMessage,
  describeUndeliverable,
} from "../../src/notify/build-undeliverable-channel-message.js";
import { buildWatchListMessage } from "../../src/notify/build-watch-list-message.js";
import { PERMANENT_DELIVERY_ERRORS } from "../../src/notify/channel-health.js";
import type { DigestInfo, WatcherInfo } from "../../src/notify/notifier-types.js";
import { LITERAL_BACKTICK } from "../../src/render/escape-mrkdwn.js";
import { section } from "../../src/render/message-model.js";
import { renderPlainText } from "../../src/render/render-plain-text.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { render } from "../views/view-test-helpers.js";

const NOW = Date.UTC(2026, 0, 5, 7, 0, 0);
/** The bot's Slack user ID, as `auth.test` gives it at start. */
const BOT = "U_BOT";
const HOSTILE_CODE = "<!channel> *bold* <https://evil.example|click> `x`";

/**
 * No mention, broadcast or link from untrusted text survives; channel links (`<#C…>`) and the mention of the bot
 * in the `/invite` hint are ours.
 */
function expectNoUntrustedMarkup(texts: readonly string[]): void {
  for (const raw of texts) {
    // A backtick inside code is written as an unformattable date's fallback: the one sequence allowed.
    const text = raw.split(LITERAL_BACKTICK).join("").replaceAll(`\`/invite\` <@${BOT}>`, "");
    expect(text).not.toMatch(/<!|<@|<https?:/);
    expect(text.replaceAll(/<#C_[A-Z]+>/g, "")).not.toContain("<#");
  }
}

const watcher = (overrides: Partial<WatcherInfo> = {}): WatcherInfo => ({
  id: "ecs",
  kind: "ecs_servers",
  source: "flows/notifications.yml:92",
  intervalMs: 60_000,
  quietPeriodMs: 900_000,
  channels: ["C_OPS", "C_RANDOM", "C_NOPE"],
  alertChannels: ["C_OPS"],
  undeliverable: [],
  available: true,
  lastRunAt: NOW - 30_000,
  nextRunAt: NOW + 30_000,
  lastResult: {
    outcome: "ok",
    observed: 12,
    changes: 2,
    expected: 0,
    held: 0,
    announced: 2,
    posted: 1,
    deliveryErrors: ["C_RANDOM: not_in_channel", "C_NOPE: channel_not_found"],
    notes: [],
  },
  consecutiveFailures: 0,
  failing: false,
  ...overrides,
});

const digest = (overrides: Partial<DigestInfo> = {}): DigestInfo => ({
  id: "fleet",
  kind: "ecs_fleet",
  source: "flows/notifications.yml:140",
  schedule: "0 8 * * 1",
  timeZone: "UTC",
  channels: ["C_RANDOM"],
  undeliverable: [],
  ...overrides,
});

const record = (channel: string, error: string) => ({
  channel,
  error,
  since: NOW - 60_000,
  lastAt: NOW - 30_000,
  alerted: true,
});

describe("the message in the alert channel", () => {
  it("names the channel, the reason, what to do and what does not reach it", async () => {
    const { kit, golden } = render(
      buildUndeliverableChannelMessage(
        [
          {
            channel: "C_RANDOM",
            error: "not_in_channel",
            routes: [{ id: "random", source: "flows/notifications.yml:33" }],
            digests: [{ id: "fleet", source: "flows/notifications.yml:140" }],
            alertsOf: ["ecs", "hss"],
          },
        ],
        BOT,
      ),
    );
    const input = {
      channel: "C_RANDOM",
      error: "not_in_channel",
      routes: [{ id: "random", source: "flows/notifications.yml:33" }],
      digests: [],
      alertsOf: [],
    };
    // The bot named by its user ID, as the workspace calls it: a mention, outside the code span.
    expect(collectMrkdwn(kit).join("\n")).toContain(
      "(the bot is not in the channel: invite it there (`/invite` <@U_BOT>))",
    );
    const text = renderPlainText(buildUndeliverableChannelMessage([input]));
    // Its user ID not known (a failure before auth.test): the app's manifest name.
    expect(text).toContain("(the bot is not in the channel: invite it there (/invite @hwc-chatops))");
    expect(text).toContain("route random (flows/notifications.yml:33)");
    expectNoUntrustedMarkup(collectMrkdwn(kit));
    await expect(golden).toMatchFileSnapshot("golden/undeliverable-channel.json");
  });

  it("shows an unexpected Slack answer as code, never as markup", async () => {
    const { kit, golden } = render(
      buildUndeliverableChannelMessage([
        { channel: "C_NOPE", error: HOSTILE_CODE, routes: [], digests: [], alertsOf: ["ecs"] },
      ]),
    );
    expectNoUntrustedMarkup(collectMrkdwn(kit));
    await expect(golden).toMatchFileSnapshot("golden/undeliverable-channel-hostile.json");
  });

  it("says every channel one run found in one message, what to do once per problem, what is lost for the first ten", async () => {
    const inputs = Array.from({ length: 13 }, (_, i) => ({
      channel: `C_GONE${String.fromCharCode(65 + i)}`,
      error: i % 2 === 0 ? "channel_not_found" : "not_in_channel",
      routes: [{ id: `r${i}`, source: `flows/notifications.yml:${40 + i}` }],
      digests: [],
      alertsOf: [],
    }));
    const { kit, golden } = render(buildUndeliverableChannelMessage(inputs, BOT));
    const text = renderPlainText(buildUndeliverableChannelMessage(inputs, BOT));
    expect(text).toContain("Notifications cannot be posted to 13 channels:");
    // One line per problem, naming every channel it affects, in words for several.
    expect(text).toContain(
      "• #C_GONEA, #C_GONEC, #C_GONEE, #C_GONEG, #C_GONEI, #C_GONEK, #C_GONEM: no such channels, or private channels",
    );
    expect(text).toContain(
      "• #C_GONEB, #C_GONED, #C_GONEF, #C_GONEH, #C_GONEJ, #C_GONEL: the bot is not in these channels: invite it to each (/invite @U_BOT in each one)",
    );
    expect(text.match(/invite it to each/g)).toHaveLength(1);
    expect(text.match(/check their IDs/g)).toHaveLength(1);
    expect(text).toContain("• #C_GONEJ: route r9 (flows/notifications.yml:49)");
    expect(text).not.toContain("route r10 ");
    expect(text).toContain("…and 3 more channels: see `/ops watch list`.");
    expectNoUntrustedMarkup(collectMrkdwn(kit));
    await expect(golden).toMatchFileSnapshot("golden/undeliverable-channels-many.json");
  });

  it("says each problem in the singular for one channel, in the plural for several", () => {
    for (const code of [...PERMANENT_DELIVERY_ERRORS, "something_new"]) {
      const say = (n: number) =>
        renderPlainText({ text: "", blocks: [section({ text: describeUndeliverable(code, n) })] });
      expect(say(1), code).not.toMatch(/these channels|such channels|private channels|them\b/);
      expect(say(2), code).not.toMatch(
        /the channel\b|a channel\b|a private channel|such channel\b|channel ID|it there/,
      );
    }
  });

  it("says what to do for every error it treats as permanent", () => {
    for (const code of PERMANENT_DELIVERY_ERRORS) {
      const text = renderPlainText({ text: "", blocks: [section({ text: describeUndeliverable(code) })] });
      expect(text, code).toMatch(/: (invite|check|unarchive|ask)/);
    }
  });
});

describe("/ops watch list", () => {
  it("names each channel it cannot post to, what to do once per problem, and does not call the watcher OK", async () => {
    const { kit, golden } = render(
      buildWatchListMessage(
        [
          watcher({
            undeliverable: [record("C_RANDOM", "not_in_channel"), record("C_NOPE", "channel_not_found")],
          }),
        ],
        [digest({ undeliverable: [record("C_RANDOM", "not_in_channel")] })],
        NOW,
        BOT,
      ),
    );
    const text = collectMrkdwn(kit).join("\n");
    expect(text).toContain("cannot post to: <#C_RANDOM>, <#C_NOPE>");
    // What to do, once per problem, though the watcher and the digest both post to #random.
    expect(text).toContain(
      "• <#C_RANDOM>: the bot is not in the channel: invite it there (`/invite` <@U_BOT>)",
    );
    expect(text.match(/invite it there/g)).toHaveLength(1);
    // Said once, in words: the run's raw codes for the same channels are not repeated.
    expect(text).not.toContain("not delivered to");
    expect(text).toContain("1 failing, cannot post to 2 channels");
    expect(text).toContain("*:x: ecs* — ECS servers · failing: cannot post to 2 channels");
    expect(text).not.toContain(":large_green_circle:");
    await expect(golden).toMatchFileSnapshot("golden/watch-list-undeliverable.json");
  });

  it("shows a failed post's Slack answer as code", () => {
    const { kit } = render(
      buildWatchListMessage(
        [
          watcher({
            lastResult: { ...watcher().lastResult!, deliveryErrors: [`C_PROD: ${HOSTILE_CODE}`] } as never,
            undeliverable: [record("C_NOPE", HOSTILE_CODE)],
          }),
        ],
        [],
        NOW,
      ),
    );
    expectNoUntrustedMarkup(collectMrkdwn(kit));
  });
});
