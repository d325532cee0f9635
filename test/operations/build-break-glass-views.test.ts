/** The break-glass alert (before and after review), a reminder and `/ops audit break-glass`, as goldens. */
import { describe, expect, it } from "vitest";
import {
  buildBreakGlassAlert,
  buildBreakGlassApprovedFirstView,
  buildBreakGlassListView,
  buildBreakGlassReminder,
  buildBreakGlassRunningView,
} from "../../src/operations/build-break-glass-views.js";
import type { BreakGlassUse } from "../../src/operations/create-break-glass.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

const T0 = Date.UTC(2026, 11, 4, 11, 0);
const HOUR = 60 * 60_000;
const USE: BreakGlassUse = {
  id: "apr_AAAAAAAAAAAAAAAAAAAAAA",
  userId: "U_ALICE",
  teamId: "T0001",
  channel: "C_OPS",
  commandText: "/ecs delete web-03",
  reason: "web tier down, <INC-4711> *rollback*",
  at: T0,
  alertChannel: "C_PROD",
  reviewers: { users: [], groups: ["ops-approvers"] },
  remindEveryMs: HOUR,
  threadLink: "https://hwc-fake.slack.com/archives/C_OPS/p1700000000000100",
  alert: { channel: "C_PROD", ts: "1700000001.000100" },
  nextReminderAt: T0 + HOUR,
  reminders: 0,
};
/** Slack's user-group IDs by handle, as the group directory reads them. */
const GROUP_IDS = { "ops-approvers": "S_OPS_APPROVERS" };
const ACKED: BreakGlassUse = { ...USE, acknowledged: { userId: "U_BOB", at: T0 + 2 * HOUR }, reminders: 2 };

function kitOf(message: Parameters<typeof renderBlockKit>[0]) {
  const kit = renderBlockKit(message);
  expectValidBlockKit(kit);
  return kit;
}

describe("break-glass views, golden", () => {
  it.each([
    ["alert-open", buildBreakGlassAlert(USE, GROUP_IDS)],
    ["alert-acknowledged", buildBreakGlassAlert(ACKED, GROUP_IDS)],
    ["reminder", buildBreakGlassReminder({ ...USE, reminders: 1 }, T0 + HOUR, GROUP_IDS)],
    [
      "list",
      buildBreakGlassListView(
        [{ ...USE, id: "apr_B", at: T0 + 3 * HOUR, reminders: 1 }, ACKED],
        T0 + 5 * HOUR,
      ),
    ],
    ["list-empty", buildBreakGlassListView([], T0)],
    [
      "alert-named-servers",
      buildBreakGlassAlert(
        {
          ...USE,
          commandText: "/ecs stop --hard 192.168.0.22",
          servers: [{ id: "00d42e11-f5b7-4a00-a284-6f9c8d8ac24a", name: "checkout-01" }],
        },
        GROUP_IDS,
      ),
    ],
    [
      "running-closed-and-other",
      buildBreakGlassRunningView({
        alertChannel: "C_PROD",
        closed: { permalink: "https://hwc-fake.slack.com/archives/C_OPS/p1700000000000200" },
        others: [{ requesterId: "U_BOB", commandText: "/ecs stop web-03 --hard" }],
      }),
    ],
    ["approved-first", buildBreakGlassApprovedFirstView(undefined)],
  ])("%s", async (name, message) => {
    await expect(toGoldenJson(kitOf(message))).toMatchFileSnapshot(`golden/break-glass-${name}.json`);
  });

  it("the alert says who, what, why and links the thread; the reason is escaped; Acknowledge until reviewed", () => {
    const open = kitOf(buildBreakGlassAlert(USE, GROUP_IDS));
    const text = collectMrkdwn(open).join("\n");
    expect(text).toContain("<@U_ALICE> ran `/ecs delete web-03` without approval");
    expect(text).toContain("web tier down, &lt;INC-4711&gt;");
    expect(text).toContain(
      "<https://hwc-fake.slack.com/archives/C_OPS/p1700000000000100|the request's thread>",
    );
    expect(JSON.stringify(open.blocks)).toContain("ops.breakglass.ack");
    expect(JSON.stringify(kitOf(buildBreakGlassAlert(ACKED, GROUP_IDS)).blocks)).not.toContain(
      "ops.breakglass.ack",
    );
  });

  it("the alert and each reminder mention the reviewers' group, so Slack notifies them; a group without an ID is named", () => {
    const alert = collectMrkdwn(kitOf(buildBreakGlassAlert(USE, GROUP_IDS))).join("\n");
    expect(alert).toContain("Needs review by <!subteam^S_OPS_APPROVERS> (not <@U_ALICE>)");
    const reminder = kitOf(
      buildBreakGlassReminder({ ...USE, reminders: 2 }, T0 + 2 * HOUR + 15 * 60_000, GROUP_IDS),
    );
    expect(reminder.text).toContain(
      "<!subteam^S_OPS_APPROVERS>, break-glass by <@U_ALICE> (`/ecs delete web-03`) still needs review after 2h 15m",
    );
    expect(reminder.text).toContain("(Reminder 2)");
    // The group list could not be read: the group is still named, as text.
    const unnamed = kitOf(buildBreakGlassReminder({ ...USE, reminders: 1 }, T0 + HOUR, {}));
    expect(unnamed.text).toContain("`@ops-approvers`, break-glass by <@U_ALICE>");
  });
});
