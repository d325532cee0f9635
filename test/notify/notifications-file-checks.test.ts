/**
 * Notification settings that can never work stop the bot at start with file:line:column and what to do: a route
 * whose watchers never report its events or whose `min_severity` lets none of them through, the per-host budget
 * on a kind that ignores it, a budget whose rate HSS would throttle, a failing watcher that would go unsaid for
 * more than a day. Hostile fixtures beside a valid one at every limit.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatStartupProblems, loadStartupConfig } from "../../src/app/load-startup-config.js";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import { EVENT_TYPES, EVENT_WATCHER_KIND } from "../../src/notify/fleet-event.js";
import {
  loadNotificationsConfig,
  parseNotificationsConfig,
} from "../../src/notify/load-notifications-config.js";
import {
  MAX_FAILURE_THRESHOLD,
  MAX_PER_HOST_REQUESTS_PER_SECOND,
  MAX_UNSAID_FAILURE_MS,
  WATCHER_KINDS,
} from "../../src/notify/notifications-file-schema.js";

const fixture = (name: string) => `test/notify/fixtures/${name}`;

async function errorLines(name: string): Promise<string[]> {
  const result = await loadNotificationsConfig(fixture(name));
  expect(result.ok).toBe(false);
  return result.ok ? [] : formatConfigErrors(result.errors).split("\n");
}

function errorsOfText(yaml: string): string[] {
  const result = parseNotificationsConfig(yaml, "n.yml");
  return result.ok ? [] : formatConfigErrors(result.errors).split("\n");
}

describe("routes that can never match", () => {
  it("refuses events the route's watchers never report, and a min_severity above all its events", async () => {
    expect(await errorLines("never-matching-route.yml")).toEqual(
      [
        "never-matching-route.yml:14:14: event `hss.*` comes only from `hss_hosts`, `hss_open_ports` and `hss_scan_tasks` watchers, and this route's watchers (`ecs`: ecs_servers) report only ecs.error, ecs.stopped, ecs.started, ecs.recovered and ecs.disappeared, so route `ecs-hss` never gets it; fix `events` or `watchers`",
        "never-matching-route.yml:19:19: `min_severity: critical` lets none of this route's events through (hss.agent_online: info, hss.protection_restored: info), so route `online-critical` never matches; lower `min_severity` or change `events`",
        "never-matching-route.yml:23:14: event `hss.dangerous_port` comes only from `hss_open_ports` watchers, and no watcher in this file reports it (its watchers: `ecs` (ecs_servers), `hosts` (hss_hosts)), so route `ports` never gets it; fix `events` or `watchers`",
      ].map((line) => `test/notify/fixtures/${line}`),
    );
  });

  it("refuses a min_severity above every event of the route's watchers, with no events listed", () => {
    expect(
      errorsOfText(`
defaults: { alert_channels: [C_OPS] }
watchers: [{ id: ports, kind: hss_open_ports }, { id: scans, kind: hss_scan_tasks }]
routes:
  - { id: scans-critical, channels: [C_OPS], watchers: [scans], min_severity: critical }
  - { id: ports-critical, channels: [C_OPS], watchers: [ports], min_severity: critical }
`),
    ).toEqual([
      "n.yml:5:79: `min_severity: critical` lets none of this route's events through (hss.scan_failed: warning), so route `scans-critical` never matches; lower `min_severity` or change `events`",
    ]);
  });

  it("leaves a route without watchers alone in a file without watchers (unknown IDs are reported on their own)", () => {
    expect(errorsOfText("routes: [{ id: r, channels: [C_OPS], events: [hss.scan_failed] }]\n")).toEqual([]);
    expect(
      errorsOfText(`
defaults: { alert_channels: [C_OPS] }
watchers: [{ id: ecs, kind: ecs_servers }]
routes: [{ id: r, channels: [C_OPS], watchers: [ecs-servers], events: ["hss.*"] }]
`),
    ).toEqual(["n.yml:4:49: no watcher `ecs-servers`"]);
  });
});

describe("watcher settings that cannot work", () => {
  it("refuses the per-host budget on kinds that ignore it, and a budget HSS would throttle", async () => {
    const lines = await errorLines("ignored-budget.yml");
    expect(lines).toEqual([
      "test/notify/fixtures/ignored-budget.yml:7:23: `requests_per_run: 3` is ignored by `ecs_servers` watchers: only `hss_open_ports` watchers read hosts one request at a time; remove it",
      "test/notify/fixtures/ignored-budget.yml:8:18: `concurrency: 16` is ignored by `ecs_servers` watchers: only `hss_open_ports` watchers read hosts one request at a time; remove it",
      "test/notify/fixtures/ignored-budget.yml:12:23: `requests_per_run: 100000` every 10s is 10,000 requests a second to HSS on average (HSS throttles per account); keep it to 10 a second: at most 100 a run every 10s, or a longer `interval`",
      "test/notify/fixtures/ignored-budget.yml:15:15: watcher `ports-default-budget` reads 500 hosts (the default `requests_per_run`) every 30s: 17 requests a second to HSS on average (HSS throttles per account); set `requests_per_run` to at most 300, or a longer `interval`",
    ]);
  });

  it("bounds failure_threshold, and failure_threshold × interval to a day", async () => {
    expect(await errorLines("failure-threshold.yml")).toEqual([
      `test/notify/fixtures/failure-threshold.yml:4:22: \`failure_threshold: 100000000\` must be at most ${MAX_FAILURE_THRESHOLD}: the failed runs in a row before "watcher is failing" is said (default 3, so a blip pages nobody and a real failure is said within minutes)`,
      "test/notify/fixtures/failure-threshold.yml:11:24: watcher `hosts`: a watcher that fails every run (every 1h) is said to be failing only after 30 runs, 1d6h later; keep `failure_threshold` × `interval` within 1d (here at most 24 runs)",
    ]);
    // Set in `defaults` for every watcher: said once, where it is set.
    expect(await errorLines("failure-threshold-defaults.yml")).toEqual([
      "test/notify/fixtures/failure-threshold-defaults.yml:5:22: in `defaults`: a watcher that fails every run (every 1h) is said to be failing only after 25 runs, 1d1h later; keep `failure_threshold` × `interval` within 1d (here at most 24 runs)",
    ]);
  });

  it("loads every setting at its limit, and routes that can match (also with a disabled watcher among theirs)", async () => {
    const result = await loadNotificationsConfig(fixture("valid-limits.yml"));
    if (!result.ok) expect.fail(formatConfigErrors(result.errors));
    const ports = result.config.watchers.find((w) => w.id === "ports")!;
    expect(ports.requestsPerRun / (ports.intervalMs / 1_000)).toBe(MAX_PER_HOST_REQUESTS_PER_SECOND);
    expect(ports.failureThreshold).toBe(MAX_FAILURE_THRESHOLD);
    const ecs = result.config.watchers.find((w) => w.id === "ecs")!;
    expect(ecs.failureThreshold * ecs.intervalMs).toBe(MAX_UNSAID_FAILURE_MS);
  });

  it("stops the start with every such problem in one report", async () => {
    const result = await loadStartupConfig(
      {
        POLICY_FILE: "flows/policy.yml",
        NOTIFICATIONS_FILE: fixture("ignored-budget.yml"),
        FLOWS_DIR: "flows",
        STORE_URL: "memory://",
      },
      { playground: true },
    );
    expect(result.ok).toBe(false);
    const report = result.ok ? "" : formatStartupProblems(result.problems);
    expect(report).toMatch(
      /^the configuration has 4 problems; the bot does not start:\n {2}test\/notify\/fixtures\/ignored-budget\.yml:7:23: /,
    );
  });

  it("still loads the shipped file and the other valid fixture", async () => {
    for (const file of ["flows/notifications.yml", fixture("valid.yml")]) {
      const result = await loadNotificationsConfig(file);
      if (!result.ok) expect.fail(formatConfigErrors(result.errors));
    }
  });
});

describe("which watcher kind reports which event", () => {
  const sources: Record<(typeof WATCHER_KINDS)[number], string> = {
    ecs_servers: "src/notify/ecs-servers-watcher.ts",
    hss_hosts: "src/notify/hss-hosts-watcher.ts",
    hss_open_ports: "src/notify/hss-open-ports-watcher.ts",
    hss_scan_tasks: "src/notify/hss-scan-tasks-watcher.ts",
  };

  it.each(WATCHER_KINDS)("%s: the event types its source names are mapped to it", (kind) => {
    const text = readFileSync(sources[kind], "utf8");
    const named = EVENT_TYPES.filter((type) => text.includes(`"${type}"`));
    expect(named.length).toBeGreaterThan(0);
    for (const type of named) expect(EVENT_WATCHER_KIND[type], type).toBe(kind);
  });

  it("maps every event type to a watcher kind whose source names it", () => {
    for (const type of EVENT_TYPES) {
      expect(readFileSync(sources[EVENT_WATCHER_KIND[type]], "utf8"), type).toContain(`"${type}"`);
    }
  });
});
