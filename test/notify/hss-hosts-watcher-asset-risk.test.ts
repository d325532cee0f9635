/**
 * The HSS hosts watcher announces rising asset risks (HSS's `asset` count) like vulnerabilities, baseline and
 * intrusions, in the operator's words; a host recorded before asset risks were watched announces nothing for
 * them on its next observation.
 */
import { describe, expect, it } from "vitest";
import { buildChangeMessage } from "../../src/notify/build-change-message.js";
import { describeEvent } from "../../src/notify/describe-event.js";
import type { FleetEvent } from "../../src/notify/fleet-event.js";
import {
  type HssHostRecord,
  type HssSnapshot,
  hssHostsWatcher,
  type RiskCounts,
} from "../../src/notify/hss-hosts-watcher.js";
import { renderMrkdwn } from "../../src/render/render-mrkdwn.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { render } from "../views/view-test-helpers.js";

/** An event's line as Slack shows it (mrkdwn). */
const line = (event: FleetEvent) => renderMrkdwn(describeEvent(event));

const HOST = "7d2c1f6e-0b7a-4c39-9a41-2f5e8d3c6b10";

function snapshot(risk: RiskCounts): HssSnapshot {
  const host: HssHostRecord = {
    name: "db-01",
    tags: { env: "prod" },
    agent: "online",
    protect: "opened",
    detect: "risk",
    risk,
  };
  return { hosts: { [HOST]: host } };
}

const risk = (asset: number | undefined): RiskCounts => ({
  vulnerability: 4,
  baseline: 2,
  intrusion: 0,
  ...(asset !== undefined && { asset }),
});

describe("hss_hosts watcher: asset risks", () => {
  it("announces rising asset risks with before and after, the other counts as they are", async () => {
    const events = hssHostsWatcher.diff(snapshot(risk(1)), snapshot(risk(3)));
    expect(events.map((e) => [e.type, e.family, e.state])).toEqual([
      ["hss.risk_increased", `hss.risk:${HOST}`, "4/2/0/3"],
    ]);
    expect(line(events[0]!)).toBe(
      "HSS risks rose: vulnerabilities 4 · baseline 2 · intrusions 0 · asset risks 1 → *3*",
    );

    const { kit, golden } = render(
      buildChangeMessage(events, { watcherId: "hss", kind: "hss_hosts", maxItems: 10, detailedUpTo: 5 }),
    );
    expect(collectMrkdwn(kit).join("\n")).toContain("asset risks 1 → *3*");
    await expect(golden).toMatchFileSnapshot("golden/hss-asset-risks-rose.json");
  });

  it("announces nothing when asset risks fall or stay, and names them only when the host has or had some", () => {
    expect(hssHostsWatcher.diff(snapshot(risk(3)), snapshot(risk(1)))).toEqual([]);
    expect(hssHostsWatcher.diff(snapshot(risk(2)), snapshot(risk(2)))).toEqual([]);
    const vulnerabilities = hssHostsWatcher.diff(
      snapshot(risk(0)),
      snapshot({ ...risk(0), vulnerability: 6 }),
    );
    expect(vulnerabilities).toHaveLength(1);
    expect(line(vulnerabilities[0]!)).toBe(
      "HSS risks rose: vulnerabilities 4 → *6* · baseline 2 · intrusions 0",
    );
  });

  it("a host recorded before asset risks were watched announces none for them, and shows its count plainly", () => {
    expect(hssHostsWatcher.diff(snapshot(risk(undefined)), snapshot(risk(2)))).toEqual([]);
    const rose = hssHostsWatcher.diff(snapshot(risk(undefined)), snapshot({ ...risk(2), intrusion: 1 }));
    expect(rose).toHaveLength(1);
    expect(line(rose[0]!)).toBe(
      "HSS risks rose: vulnerabilities 4 · baseline 2 · intrusions 0 → *1* · asset risks 2",
    );
  });

  it("keeps asset risks in the state its quiet period compares", () => {
    expect(hssHostsWatcher.stateOf(snapshot(risk(3)), `hss.risk:${HOST}`)).toBe("4/2/0/3");
  });
});
