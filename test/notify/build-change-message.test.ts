import { describe, expect, it } from "vitest";
import { buildChangeMessage } from "../../src/notify/build-change-message.js";
import { type EventSubject, type FleetEvent, fleetEvent } from "../../src/notify/fleet-event.js";
import { NOTIFY_ACTION_ID_PATTERN, parseNotifyActionId } from "../../src/notify/notify-action-ids.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import {
  collectMrkdwn,
  collectPlainText,
  expectValidBlockKit,
  outsideCodeSpans,
} from "../render/block-kit-test-helpers.js";

const server = (id: string, name: string, env = "prod"): EventSubject => ({
  kind: "server",
  id,
  name,
  tags: { env },
});

function stopped(id: string, name: string): FleetEvent {
  return fleetEvent("ecs.stopped", `ecs.status:${id}`, "SHUTOFF", server(id, name), {
    kind: "server",
    previous: "ACTIVE",
    status: "SHUTOFF",
    flavor: "s6.large.2",
  });
}

const port = fleetEvent(
  "hss.dangerous_port",
  "hss.port:h1:TCP/4444",
  "open",
  { kind: "host", id: "h1", name: "db-01", tags: {} },
  { kind: "port", port: 4444, protocol: "TCP", pid: 12, path: "/tmp/x" },
);

const OPTIONS = { watcherId: "ecs", kind: "ecs_servers" as const, maxItems: 10, detailedUpTo: 5 };

describe("buildChangeMessage", () => {
  it("shows few changes one by one, most severe first, with trusted emoji and buttons", () => {
    const rendered = renderBlockKit(buildChangeMessage([stopped("s1", "web-01"), port], OPTIONS));
    expectValidBlockKit(rendered);
    const mrkdwn = collectMrkdwn(rendered);
    const sections = mrkdwn.filter((t) => t.startsWith(":"));
    expect(sections[0]).toBe(
      ":rotating_light: *`db-01`* new *dangerous* open port `TCP 4444` · `/tmp/x` (PID 12)",
    );
    expect(sections[1]).toBe(":warning: *`web-01`* stopped outside hwc-chatops (was ACTIVE)");
    expect(collectPlainText(rendered)).toContain("ECS servers: 2 changes");
  });

  it("numbers repeated buttons so action IDs stay unique, and every ID parses back", () => {
    const events = [stopped("s1", "a"), stopped("s2", "b"), stopped("s3", "c")];
    const rendered = renderBlockKit(buildChangeMessage(events, OPTIONS));
    expectValidBlockKit(rendered);
    const ids = rendered.blocks.flatMap((b) =>
      b.type === "actions" ? b.elements.map((e) => (e as { action_id: string }).action_id) : [],
    );
    expect(ids).toEqual([
      "notify.server.details",
      "notify.server.start",
      "notify.server.details.1",
      "notify.server.start.1",
      "notify.server.details.2",
      "notify.server.start.2",
    ]);
    for (const id of ids) expect(id).toMatch(NOTIFY_ACTION_ID_PATTERN);
    expect(ids.map(parseNotifyActionId)).toEqual([
      "serverDetails",
      "serverStart",
      "serverDetails",
      "serverStart",
      "serverDetails",
      "serverStart",
    ]);
    expect(parseNotifyActionId("approval.approve")).toBeUndefined();
  });

  it("groups many changes into a count per kind and the first items, then …and N more", () => {
    const events = Array.from({ length: 500 }, (_, i) => stopped(`s${i}`, `srv-${i}`));
    const rendered = renderBlockKit(buildChangeMessage(events, OPTIONS));
    expectValidBlockKit(rendered);
    const mrkdwn = collectMrkdwn(rendered);
    expect(collectPlainText(rendered)).toContain("ECS servers: 500 changes");
    expect(mrkdwn).toContain("watcher `ecs` · 500 stopped");
    expect(mrkdwn.some((t) => t.startsWith("…and 490 more"))).toBe(true);
    // Numeric order of names: srv-0, srv-1, srv-2…
    expect(mrkdwn.join("\n")).toMatch(/\*`srv-0`\*[\s\S]*\*`srv-1`\*[\s\S]*\*`srv-2`\*/);
    expect(rendered.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("escapes hostile names and paths everywhere", () => {
    const hostile = "<!channel> *x* <https://evil.example|click> :skull: &lt;";
    const events = [
      stopped("s1", hostile),
      { ...port, detail: { kind: "port" as const, port: 1, protocol: "TCP", path: "<!here>`rm -rf`" } },
    ];
    for (const detailedUpTo of [0, 5]) {
      const rendered = renderBlockKit(buildChangeMessage(events, { ...OPTIONS, detailedUpTo }));
      expectValidBlockKit(rendered);
      for (const text of collectMrkdwn(rendered)) {
        expect(text).not.toMatch(/<!channel>|<!here>|<https:/);
        // The name is shown typeable, as code, where emoji and formatting are inert.
        expect(outsideCodeSpans(text)).not.toMatch(/:skull:|\*x\*/);
      }
      for (const text of collectPlainText(rendered))
        expect(text).not.toMatch(/<!channel>|<!here>|<https:|:skull:/);
      expect(collectMrkdwn(rendered).join("\n")).toContain("&lt;!channel&gt;");
    }
  });

  it("says when changes were held back by the quiet period", () => {
    const rendered = renderBlockKit(
      buildChangeMessage([{ ...stopped("s1", "web-01"), heldBack: 3, delayed: true }], OPTIONS),
    );
    expect(collectMrkdwn(rendered).join("\n")).toContain(
      "_(3 earlier changes held back by the quiet period)_",
    );
  });
});
