/**
 * The schedule views for `--window` asked while the window is open (it runs once approved, before the window
 * closes), and the refusal of `--break-glass` with `--at` / `--window` (break-glass acts now).
 */

import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { scheduleNowSection } from "../../src/operations/build-start-now-view.js";
import type { Schedule } from "../../src/schedule/approval-deadline.js";
import { takeScheduleFlags } from "../../src/schedule/take-schedule-flags.js";
import { buildParseErrorView } from "../../src/views/build-parse-error-view.js";
import {
  buildScheduleCancelledDm,
  buildScheduledNoticeView,
  buildScheduleLapsedLine,
  describeSchedule,
} from "../../src/views/build-schedule-views.js";
import { expectHarmless, render } from "./view-test-helpers.js";

const OPENED = Date.UTC(2026, 11, 8, 22, 0);
const CLOSES = Date.UTC(2026, 11, 9, 2, 0);
const open: Schedule = { runAt: OPENED, startBy: CLOSES, window: "maint", openWhenAsked: true };
const later: Schedule = { runAt: OPENED, startBy: CLOSES, window: "maint" };
const ASKED = Date.UTC(2026, 11, 8, 23, 10);

describe("--window asked while the window is open", () => {
  it("the notice says it is open now, until when, and that it runs once approved before then", async () => {
    // The policy's time limit for approving (30 minutes) comes before the window closes.
    const limited = render(buildScheduledNoticeView(open, { minApprovals: 1, by: ASKED + 30 * 60_000 }));
    expect(limited.golden).toContain("the maintenance window `maint` is open now, until <!date^");
    expect(limited.golden).toContain("it runs once approved, if that is before <!date^");
    expect(limited.golden).toContain("(the policy's time limit for approving), or it expires");
    expect(limited.golden).not.toContain("when the maintenance window");
    await expect(limited.golden).toMatchFileSnapshot("golden/scheduled-notice-window-open.json");
    // The window closes first: approval must come before then.
    const closing = render(buildScheduledNoticeView(open, { minApprovals: 2, by: CLOSES })).golden;
    expect(closing).toContain("needs 2 approvals: the maintenance window `maint` is open now");
    expect(closing).toContain("it runs once approved, if that is before then, or it lapses");
    // Allowed without approval: it starts at once.
    const allowed = render(buildScheduledNoticeView(open, undefined)).golden;
    expect(allowed).toContain("is open now, until <!date^");
    expect(allowed).toContain("so your change starts now. I posted it in the channel.");
    await expect(allowed).toMatchFileSnapshot("golden/scheduled-notice-window-open-allowed.json");
  });

  it("the card, the thread and the DMs say it runs once approved, never 'when it opens'", async () => {
    const card = render({ text: describeSchedule(open), blocks: [scheduleNowSection(open, undefined)] });
    expect(card.golden).toContain(
      "Runs once approved, in the maintenance window `maint`, open since <!date^",
    );
    expect(card.golden).toContain("(it must start before <!date^");
    await expect(card.golden).toMatchFileSnapshot("golden/schedule-section-window-open.json");
    // The next opening is said as before.
    expect(render({ text: describeSchedule(later), blocks: [] }).golden).toContain(
      "when the maintenance window `maint` opens",
    );
    const request = {
      requester: { userId: "U_ALICE", teamId: "T1" },
      requirement: { approvers: { users: [], groups: [] }, minApprovals: 1 },
      approvals: [],
    } as unknown as Pick<ApprovalRequest, "requester" | "requirement" | "approvals">;
    const lapsed = render({ text: buildScheduleLapsedLine(request, open), blocks: [] }).golden;
    expect(lapsed).toContain(
      "approval was not complete before the maintenance window `maint` closed at <!date^",
    );
    expect(render({ text: buildScheduleLapsedLine(request, later), blocks: [] }).golden).toContain(
      "before its start time <!date^",
    );
    const dm = render(
      buildScheduleCancelledDm(
        { commandText: "/ecs stop web-03 --window maint", schedule: open },
        "U_BOB",
        undefined,
      ),
    ).golden;
    expect(dm).toContain("(it was to run once approved, in the maintenance window `maint` until <!date^");
  });
});

describe("--break-glass with --at / --window", () => {
  it("is refused, saying why and what to drop, as a command that could not be read", async () => {
    const taken = takeScheduleFlags("reboot web-04 --hard --window maint", { breakGlass: true });
    if (taken.ok) throw new Error("taken");
    const { kit, golden } = render(buildParseErrorView({ code: "invalid_flag", message: taken.message }));
    expect(golden).toContain("`--break-glass` acts now, without approval, in an emergency");
    expect(golden).toContain(
      "a change for later (`--window`) has time to be approved, so it asks for approval",
    );
    expect(golden).toContain("Drop `--break-glass` to schedule it, or drop `--window` to act now");
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/break-glass-with-schedule-refused.json");
  });
});
