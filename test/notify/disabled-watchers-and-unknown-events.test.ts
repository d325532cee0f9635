/**
 * A disabled watcher (`enabled: false`) reports nothing, so a route that gets its events only from disabled
 * watchers never fires and is refused at start, with file:line:column. A misspelled event in a route is said
 * once, with its did-you-mean, never followed by a second, garbled "comes only from  watchers" line. Hostile
 * fixtures beside valid ones: a disabled watcher among enabled ones, and a file with every watcher disabled
 * (notifications switched off), load.
 */
import { describe, expect, it } from "vitest";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import {
  loadNotificationsConfig,
  parseNotificationsConfig,
} from "../../src/notify/load-notifications-config.js";

const fixture = (name: string) => `test/notify/fixtures/${name}`;

async function errorLines(name: string): Promise<string[]> {
  const result = await loadNotificationsConfig(fixture(name));
  return result.ok ? [] : formatConfigErrors(result.errors).split("\n");
}

function errorsOfText(yaml: string): string[] {
  const result = parseNotificationsConfig(yaml, "n.yml");
  return result.ok ? [] : formatConfigErrors(result.errors).split("\n");
}

describe("routes fed only by disabled watchers", () => {
  it("refuses them, each at its line: only disabled watchers, an event only a disabled watcher reports", async () => {
    expect(await errorLines("disabled-watcher-routes.yml")).toEqual(
      [
        "disabled-watcher-routes.yml:19:15: route `scans-only` gets events only from `scans`, which is disabled (`enabled: false`), so it never matches; enable it, or add an enabled watcher to `watchers`",
        "disabled-watcher-routes.yml:23:15: route `scans-and-ports` gets events only from `scans` and `ports`, which are disabled (`enabled: false`), so it never matches; enable one, or add an enabled watcher to `watchers`",
        "disabled-watcher-routes.yml:29:33: event `hss.scan_failed` comes only from `hss_scan_tasks` watchers, and this route's enabled watchers (`hosts`: hss_hosts) report only hss.agent_offline, hss.agent_online, hss.agent_install_failed, hss.protection_closed, hss.protection_exception, hss.protection_restored, hss.detect_risk and hss.risk_increased; `scans` (hss_scan_tasks) is disabled and reports nothing, so route `hosts-and-scans` never gets it; fix `events` or `watchers`, or enable a watcher",
        "disabled-watcher-routes.yml:33:14: event `hss.dangerous_port` comes only from `hss_open_ports` watchers, and no enabled watcher in this file reports it (its enabled watchers: `ecs` (ecs_servers), `hosts` (hss_hosts); `scans` (hss_scan_tasks) and `ports` (hss_open_ports) are disabled and report nothing), so route `dangerous-ports` never gets it; fix `events` or `watchers`, or enable a watcher",
        "disabled-watcher-routes.yml:38:23: event `ecs.stoped` matches no known event (did you mean `ecs.stopped`?)",
      ].map((line) => `test/notify/fixtures/${line}`),
    );
  });

  it("the admin's case: the shipped file with the one watcher of `prod-security` disabled", () => {
    const yaml = `
defaults: { alert_channels: [C_OPS] }
watchers:
  - { id: hss-hosts, kind: hss_hosts }
  - { id: hss-scan-tasks, kind: hss_scan_tasks, enabled: false }
routes:
  - { id: prod-security, channels: [C_PROD], watchers: [hss-scan-tasks], events: ["hss.*"] }
`;
    expect(errorsOfText(yaml)).toEqual([
      "n.yml:7:56: route `prod-security` gets events only from `hss-scan-tasks`, which is disabled (`enabled: false`), so it never matches; enable it, or add an enabled watcher to `watchers`",
    ]);
  });

  it("loads a disabled watcher among enabled ones that report the route's events", async () => {
    expect(await errorLines("disabled-watchers-valid.yml")).toEqual([]);
  });

  it("loads a file whose watchers are all disabled: its routes wait for one to be enabled", async () => {
    expect(await errorLines("all-watchers-disabled.yml")).toEqual([]);
  });

  it("still refuses a route that names no watcher of the file (said once, not also as disabled)", () => {
    expect(
      errorsOfText(`
defaults: { alert_channels: [C_OPS] }
watchers: [{ id: ecs, kind: ecs_servers, enabled: false }]
routes: [{ id: r, channels: [C_OPS], watchers: [ecs-servers] }]
`),
    ).toEqual(["n.yml:4:49: no watcher `ecs-servers`"]);
  });
});

describe("a misspelled event in a route", () => {
  it("is said once, with its did-you-mean, even where the route's watchers report other events", () => {
    const lines = errorsOfText(`
defaults: { alert_channels: [C_OPS] }
watchers: [{ id: hosts, kind: hss_hosts }, { id: ports, kind: hss_open_ports }]
routes:
  - { id: prod-security, channels: [C_PROD], watchers: [hosts, ports], events: ["hss.*", ecs.stoped] }
`);
    expect(lines).toEqual([
      "n.yml:5:90: event `ecs.stoped` matches no known event (did you mean `ecs.stopped`?)",
    ]);
    expect(lines.join("\n")).not.toContain("comes only from");
  });

  it("an unknown glob is said once too; a known event the watchers do not report is still refused", () => {
    const lines = errorsOfText(`
defaults: { alert_channels: [C_OPS] }
watchers: [{ id: hosts, kind: hss_hosts }]
routes:
  - { id: r, channels: [C_OPS], watchers: [hosts], events: ["rds.*", ecs.stopped] }
`);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^n\.yml:5:\d+: event `rds\.\*` matches no known event; known events: /);
    expect(lines[1]).toMatch(
      /^n\.yml:5:\d+: event `ecs\.stopped` comes only from `ecs_servers` watchers, and this route's watchers \(`hosts`: hss_hosts\)/,
    );
  });
});
