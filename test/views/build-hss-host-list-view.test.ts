/**
 * `/hss hosts` against the documented HSS values (hss-list-hosts.txt): every agent status in its own bucket
 * (`installing` and `install_failed` are not offline; `installed` says nothing of the connection),
 * `protection_exception` as a protection error (never protected), and the `asset` risk count.
 */
import { describe, expect, it } from "vitest";
import type { HssHost } from "../../src/cloud/types.js";
import {
  buildHssHostListView,
  countHosts,
  hasRisk,
  riskCount,
} from "../../src/views/build-hss-host-list-view.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { makeHost } from "./fixtures.js";
import { render } from "./view-test-helpers.js";

/** One host in each documented agent status, one undocumented, and each protection status. */
const HOSTS: HssHost[] = [
  makeHost(1, { agentStatus: "online", protectStatus: "opened" }),
  makeHost(2, { agentStatus: "offline", protectStatus: "closed" }),
  makeHost(3, { agentStatus: "not_installed", protectStatus: "closed" }),
  makeHost(4, { agentStatus: "installing", protectStatus: "closed" }),
  makeHost(5, { agentStatus: "install_failed", protectStatus: "closed" }),
  makeHost(6, { agentStatus: "installed", protectStatus: "protection_exception" }),
  makeHost(7, { agentStatus: "online", protectStatus: "protection_exception" }),
  makeHost(8, { agentStatus: "rebooting", protectStatus: "opened" }),
];

function summaryOf(hosts: readonly HssHost[]): string {
  const { kit } = render(
    buildHssHostListView({
      hosts,
      total: hosts.length,
      page: 1,
      filters: { risk: false },
      counts: countHosts(hosts),
    }),
  );
  return collectMrkdwn(kit).find((t) => t.startsWith("agent ")) ?? "";
}

function linesOf(kit: Parameters<typeof collectMrkdwn>[0]): string[] {
  return collectMrkdwn(kit).flatMap((t) => t.split("\n"));
}

describe("/hss hosts counts", () => {
  it("counts every agent status in its own bucket: only `offline` is offline", () => {
    expect(countHosts(HOSTS)).toMatchObject({
      agentOnline: 2,
      agentOffline: 1,
      agentNotInstalled: 1,
      agentInstalling: 1,
      agentInstallFailed: 1,
      agentInstalled: 1,
      agentUnknown: 1,
    });
    const summary = summaryOf(HOSTS);
    expect(summary).toContain(":red_circle: 1 offline");
    expect(summary).toContain(":hourglass_flowing_sand: 1 installing");
    expect(summary).toContain(":x: 1 install failed");
    expect(summary).toContain(":large_blue_circle: 1 installed (connection not reported)");
    expect(summary).toContain(":grey_question: 1 status unknown");
  });

  it("shows the rarer agent buckets and the protection error only when some host is in them", () => {
    const usual = [makeHost(1), makeHost(2), makeHost(3)];
    const summary = summaryOf(usual);
    expect(summary).toBe(
      "agent :large_green_circle: 1 online, :red_circle: 1 offline, :white_circle: 1 not installed · protection :shield: 2 on, 1 off · :warning: 1 with risks",
    );
  });

  it("counts protection_exception as a protection error, neither on nor off, and shows it as `error`", () => {
    expect(countHosts(HOSTS)).toMatchObject({ protected: 2, unprotected: 4, protectionError: 2 });
    expect(summaryOf(HOSTS)).toContain("protection :shield: 2 on, 4 off, :warning: 2 error");
    const { kit } = render(
      buildHssHostListView({ hosts: [HOSTS[6]!], total: 1, page: 1, filters: { risk: false } }),
    );
    const line = linesOf(kit).find((t) => t.includes("web-07")) ?? "";
    expect(line).toContain("protection :warning: error");
    expect(line).not.toContain("protection_exception");
  });

  it("counts asset risks: a host with only asset risks is 'with risks' and its risk line names them", () => {
    const assetOnly = makeHost(1, { asset: 2, detectResult: "clean" });
    expect(riskCount(assetOnly)).toBe(2);
    expect(hasRisk(assetOnly)).toBe(true);
    expect(countHosts([assetOnly]).withRisk).toBe(1);
    const { kit } = render(
      buildHssHostListView({
        hosts: [assetOnly, makeHost(3)],
        total: 2,
        page: 1,
        filters: { risk: false },
        counts: countHosts([assetOnly, makeHost(3)]),
      }),
    );
    const text = linesOf(kit).join("\n");
    expect(text).toContain(":warning: vuln 0 · baseline 0 · intrusion 0 · asset risk 2");
    // No asset risk: the line is as before.
    expect(text).toContain(":white_check_mark: vuln 0 · baseline 0 · intrusion 0  ·");
    expect(text).toContain(":warning: 1 with risks");
  });

  it("golden: every agent and protection status", async () => {
    const { golden } = render(
      buildHssHostListView({
        hosts: HOSTS,
        total: HOSTS.length,
        page: 1,
        filters: { risk: false },
        counts: countHosts(HOSTS),
        controls: { token: "t" },
      }),
    );
    await expect(golden).toMatchFileSnapshot("golden/hss-hosts-agent-states.json");
  });
});
