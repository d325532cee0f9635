import { describe, expect, it } from "vitest";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import {
  loadNotificationsConfig,
  loadNotificationsConfigOrThrow,
  NotificationsConfigError,
  parseNotificationsConfig,
} from "../../src/notify/load-notifications-config.js";

const fixture = (name: string) => `test/notify/fixtures/${name}`;

async function errorsOf(name: string): Promise<string> {
  const result = await loadNotificationsConfig(fixture(name));
  expect(result.ok).toBe(false);
  return result.ok ? "" : formatConfigErrors(result.errors);
}

describe("loadNotificationsConfig", () => {
  it.each([
    [
      "channel-name.yml",
      'channel-name.yml:5:16: `"#ops"` in `channels` is not a Slack channel ID (like C0123ABCDE); channel names are not accepted (they can be renamed), copy the ID from the channel\'s details',
    ],
    [
      "unknown-watcher.yml",
      "unknown-watcher.yml:9:16: no watcher `ecs-server` (did you mean `ecs-servers`?)",
    ],
    [
      "bad-cron.yml",
      'bad-cron.yml:4:15: `schedule: 0 25 * * *` is not a cron expression (Invalid value for hour: 25); use e.g. "0 9 * * 1-5" (09:00 on weekdays)',
    ],
    [
      "never-cron.yml",
      'never-cron.yml:4:15: `schedule: 0 0 31 2,4,6,9,11 *` is not a cron expression (it never matches a date); use e.g. "0 9 * * 1-5" (09:00 on weekdays)',
    ],
    [
      "seconds-cron.yml",
      'seconds-cron.yml:4:15: `schedule: * * * * * *` is not a cron expression (it has 6 fields; a cron expression takes 5: minute, hour, day of month, month, day of week); use e.g. "0 9 * * 1-5" (09:00 on weekdays)',
    ],
    [
      "bad-time-zone.yml",
      "bad-time-zone.yml:5:16: `Europe/Berln` is not an IANA time zone (did you mean `Europe/Berlin`?)",
    ],
    [
      "unknown-event.yml",
      "unknown-event.yml:4:14: event `ecs.stoped` matches no known event (did you mean `ecs.stopped`?)",
    ],
    ["short-interval.yml", "short-interval.yml:6:15: `interval: 2s` must be between 10s and 1d; use e.g. 1m"],
    [
      "duplicate-watcher.yml",
      "duplicate-watcher.yml:6:9: id `ecs` is already used by watchers[0]; ids must be unique",
    ],
    ["unknown-key.yml", "unknown-key.yml:3:3: unknown key `quiet_perod` (did you mean `quiet_period`?)"],
    ["bad-kind.yml", "bad-kind.yml:5:11: `ecs_server` is not a watcher kind (did you mean `ecs_servers`?)"],
    [
      "no-alert-channels.yml",
      "no-alert-channels.yml:2:5: watcher `ecs` has nowhere to say that it is failing: set `alert_channels` here or in `defaults`",
    ],
    [
      "bad-duration.yml",
      "bad-duration.yml:3:17: `quiet_period: 10 minutes` is not a duration; use e.g. 30m, 2h, 1d",
    ],
    ["bad-severity.yml", "bad-severity.yml:4:19: `critcal` is not a severity (did you mean `critical`?)"],
    ["syntax-error.yml", "syntax-error.yml:4:1: YAML syntax error:"],
    [
      "audit-channel-name.yml",
      'audit-channel-name.yml:2:19: `digest_channel: "#audit"` is not a Slack channel ID (like C0123ABCDE)',
    ],
    [
      "audit-short-digest.yml",
      "audit-short-digest.yml:3:17: `digest_every: 10s` must be between 1m and 7d; use e.g. 1h",
    ],
    [
      "audit-unknown-key.yml",
      "audit-unknown-key.yml:2:3: unknown key `digest_chanel` (did you mean `digest_channel`?)",
    ],
  ])("%s: reports the problem at file:line:column", async (name, expected) => {
    expect(await errorsOf(name)).toContain(`test/notify/fixtures/${expected}`);
  });

  it("bounds every duration above and below, naming the key, the limits and the place", async () => {
    expect((await errorsOf("too-long-durations.yml")).split("\n")).toEqual([
      "test/notify/fixtures/too-long-durations.yml:3:13: `interval: 2d` must be between 10s and 1d; use e.g. 1m",
      "test/notify/fixtures/too-long-durations.yml:4:17: `quiet_period: 8d` must be between 0s and 7d; use e.g. 15m",
      "test/notify/fixtures/too-long-durations.yml:5:14: `lease_ttl: 2h` must be between 1s and 1h; use e.g. 2m",
      "test/notify/fixtures/too-long-durations.yml:7:17: `min_interval: 5m` must be between 0s and 1m; use e.g. 1s",
    ]);
  });

  it("compiles the audit digest: off by default, every hour unless set", async () => {
    const none = parseNotificationsConfig("version: 1\n", "n.yml");
    expect(none.ok && none.config.audit).toEqual({ everyMs: 3_600_000, alertChannels: [] });
    const set = parseNotificationsConfig(
      "defaults:\n  alert_channels: [C_OPS]\naudit:\n  digest_channel: C_AUDIT\n  digest_every: 30m\n",
      "n.yml",
    );
    // A digest channel that refuses it is said where the defaults say failures.
    expect(set.ok && set.config.audit).toEqual({
      channel: "C_AUDIT",
      everyMs: 1_800_000,
      alertChannels: ["C_OPS"],
      source: "n.yml:4",
    });
  });

  it("stops the start of the bot with every problem and its place", async () => {
    const error = await loadNotificationsConfigOrThrow(fixture("unknown-watcher.yml")).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotificationsConfigError);
    expect((error as Error).message).toContain("test/notify/fixtures/unknown-watcher.yml:9:16: no watcher");
    const missing = await loadNotificationsConfigOrThrow(fixture("nope.yml")).catch((e: unknown) => e);
    expect((missing as Error).message).toContain("test/notify/fixtures/nope.yml:1:1: file not found");
  });

  it("compiles defaults, overrides and sources", async () => {
    const result = await loadNotificationsConfig(fixture("valid.yml"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { config } = result;
    // The disabled watcher is left out.
    expect(config.watchers.map((w) => w.id)).toEqual(["ecs", "ports"]);
    expect(config.watchers[0]).toMatchObject({
      intervalMs: 120_000,
      quietPeriodMs: 15 * 60_000,
      alertChannels: ["C_OPS"],
      source: "test/notify/fixtures/valid.yml:7",
    });
    expect(config.watchers[1]).toMatchObject({
      intervalMs: 30 * 60_000,
      alertChannels: ["C_PROD"],
      scope: { tags: { env: "prod" }, names: [] },
    });
    expect(config.routes[0]).toMatchObject({
      channels: ["C_PROD"],
      events: ["hss.*", "ecs.error"],
      minSeverity: "warning",
    });
    expect(config.digests[0]).toMatchObject({ timeZone: "Europe/Berlin", top: 10 });
    expect(config.delivery).toEqual({ minIntervalMs: 1_000, maxAttempts: 5 });
  });
});
