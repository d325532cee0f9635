/**
 * What the card and `/ops approvals` say of a scheduled change's start once the calendar moved its window after
 * the approval (`describeScheduleNow`, from `judgeStartNow`): the new time and the one asked for, or that it will
 * not run and why; as asked while it still holds (goldens).
 */
import { describe, expect, it } from "vitest";
import { buildApprovalListView } from "../../src/operations/build-approval-list-view.js";
import { buildRequestCard } from "../../src/operations/build-request-card.js";
import { describeScheduleNow } from "../../src/operations/build-start-now-view.js";
import type { StartNow } from "../../src/operations/judge-start-now.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { renderPlain } from "../../src/render/render-mrkdwn.js";
import { describeSchedule } from "../../src/views/build-schedule-views.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { makeDetails, makeRequest, T0 } from "./fixtures.js";

const MINUTE = 60_000;
const schedule = { runAt: T0 + 60 * MINUTE, startBy: T0 + 120 * MINUTE, window: "maint *tue*" };
const waiting = makeRequest({
  status: "approved",
  action: "ecs:cloudServers:reboot",
  commandText: "/ecs reboot web-03 --hard --window maint",
  approvals: [{ userId: "U_BOB", at: T0 + 5 * MINUTE }],
  schedule,
});
const later: StartNow = { kind: "runs", at: T0 + 80 * MINUTE };
const never: StartNow = { kind: "never", check: { kind: "window_moved", window: "maint *tue*" } };
const plain = (start: StartNow | undefined) =>
  renderPlain(describeScheduleNow(schedule, start), Number.POSITIVE_INFINITY, { codeTicks: true });

describe("describeScheduleNow", () => {
  it("as asked while that holds: the words the card always had", () => {
    const asAsked = renderPlain(describeSchedule(schedule), Number.POSITIVE_INFINITY, { codeTicks: true });
    expect(plain(undefined)).toBe(asAsked);
    expect(plain({ kind: "runs", at: schedule.runAt })).toBe(asAsked);
  });

  it("moved within the approved span: the new time, and the one it was to open at", () => {
    expect(plain(later)).toBe(
      "Runs 2025-01-01 13:20 UTC, when the maintenance window `maint *tue*` opens: the window moved, it was to open 2025-01-01 13:00 UTC (it must start before 14:00 UTC)",
    );
  });

  it("moved out of it or removed: it will not run, why, and when it ends", () => {
    expect(plain(never)).toBe(
      "Will not run: the maintenance window `maint *tue*` moved or was removed: it does not open before 2025-01-01 14:00 UTC, the end of the approved span (see `/ops calendar`). It ends at 2025-01-01 13:00 UTC, nothing done, unless the calendar changes back before then",
    );
  });
});

describe("the card and /ops approvals of a change whose window moved", () => {
  it.each([
    ["card-window-moved-later", later],
    ["card-window-moved-out", never],
  ] as const)("%s", async (name, start) => {
    const kit = renderBlockKit(
      buildRequestCard({ request: waiting, details: makeDetails({ startShown: start }) }),
    );
    expectValidBlockKit(kit);
    // The window's name is untrusted: a code span, never markup.
    expect(JSON.stringify(kit)).toContain("`maint *tue*`");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot(`golden/${name}.json`);
  });

  it("a pending card says the start asked for (the approver agrees to it), whatever its details say", () => {
    const pending = { ...waiting, status: "pending" as const, approvals: [] };
    const text = JSON.stringify(
      renderBlockKit(buildRequestCard({ request: pending, details: makeDetails({ startShown: later }) })),
    );
    expect(text).not.toContain("the window moved");
  });

  it("/ops approvals lists the new time", async () => {
    const kit = renderBlockKit(
      buildApprovalListView([
        { request: waiting, canApprove: false, canCancel: true, scheduled: true, start: later },
      ]),
    );
    expectValidBlockKit(kit);
    expect(JSON.stringify(kit)).toContain("the window moved, it was to open");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/approvals-window-moved.json");
  });
});
