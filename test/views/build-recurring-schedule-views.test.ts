import { describe, expect, it } from "vitest";
import { describeCron } from "../../src/recurring/describe-cron.js";
import { nextSlots } from "../../src/recurring/parse-schedule-timing.js";
import { md } from "../../src/render/message-model.js";
import {
  buildScheduleCard,
  buildScheduleDenialView,
  buildScheduleListView,
  buildScheduleMissedView,
  buildScheduleNeverRunsText,
  buildScheduleRequestedView,
  buildScheduleSkippedView,
  type ScheduleSummary,
} from "../../src/views/build-recurring-schedule-views.js";
import { makeRequest, requirement, T0 } from "../approvals/make-request.js";
import { render } from "./view-test-helpers.js";

const TIMING = { cron: "0 19 * * 1-5", timeZone: "Europe/Paris" };
const summary: ScheduleSummary = {
  id: "sch_4kq2m9x1ab",
  status: "pending",
  cron: TIMING.cron,
  cronWords: describeCron(TIMING.cron)!,
  timeZone: TIMING.timeZone,
  commandLine: "/ecs stop tag:env=dev",
  ownerId: "UREQUESTER",
  maxTargets: 2,
  nextRuns: nextSlots(TIMING, T0, 3),
};
const request = makeRequest({
  action: "ops:schedule:create",
  commandText: '/ops schedule add "0 19 * * 1-5" tz=Europe/Paris /ecs stop tag:env=dev',
  targets: [
    { id: "srv-1", name: "dev-01", status: "ACTIVE", flavor: "s6.medium.2", tags: { env: "dev" } },
    { id: "srv-2", name: "dev-02", status: "SHUTOFF", flavor: "s6.medium.2", tags: { env: "dev" } },
  ],
  parameters: { scheduleId: summary.id, cron: TIMING.cron, timeZone: TIMING.timeZone, maxTargets: 2 },
  requirement: requirement({ approvers: { users: [], groups: ["ops-approvers"] } }),
});

describe("recurring schedule views", () => {
  it("the card of a schedule waiting for approval: cron in words, zone, next 3 runs, the cap, the buttons", async () => {
    const { kit, golden } = render(
      buildScheduleCard({ request, schedule: summary, groupIds: { "ops-approvers": "S0OPS" } }),
    );
    const text = JSON.stringify(kit.blocks);
    expect(text).toContain("at 19:00, Monday to Friday");
    expect(text).toContain("Europe/Paris");
    // The next 3 runs, and the expiry with its date (it may not be today).
    expect(text.match(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|/g)).toHaveLength(4);
    expect(text).toMatch(/Expires <!date\^\d+\^\{date_short_pretty\} \{time\}\|/);
    expect(text).toContain("At most 2 servers per run");
    await expect(golden).toMatchFileSnapshot("golden/recurring-schedule-card-pending.json");
  });

  it("the card once active names the schedule and how to pause it", async () => {
    const active = {
      ...request,
      status: "succeeded" as const,
      approvals: [{ userId: "UAPPROVER1", at: T0 + 1 }],
    };
    const { golden } = render(
      buildScheduleCard({ request: active, schedule: { ...summary, status: "active" } }),
    );
    expect(golden).toContain("/ops schedule pause sch_4kq2m9x1ab");
    await expect(golden).toMatchFileSnapshot("golden/recurring-schedule-card-active.json");
  });

  it("an expression without a common form is shown raw", () => {
    const raw = { ...summary, cron: "0 19 L * *" };
    delete (raw as Partial<ScheduleSummary>).cronWords;
    const { golden } = render(buildScheduleCard({ request, schedule: raw }));
    expect(golden).toContain("`0 19 L * *` (Europe/Paris)");
  });

  it("list, skipped and missed messages", async () => {
    const list = render(
      buildScheduleListView([
        {
          ...summary,
          status: "active",
          lastRun: { slotAt: T0, result: "skipped", why: "Stops are frozen." },
        },
        { ...summary, id: "sch_zzzzzzzzzz", status: "paused", commandLine: "/ecs reboot <!channel>" },
      ]),
    );
    // The command line is untrusted text: shown, never a live mention.
    expect(list.golden).not.toContain("<!channel>");
    expect(list.golden).toContain("&lt;!channel&gt;");
    await expect(list.golden).toMatchFileSnapshot("golden/recurring-schedule-list.json");
    expect(render(buildScheduleListView([])).golden).toContain("No recurring schedules");
    const skipped = render(
      buildScheduleSkippedView({
        schedule: summary,
        slotAt: T0,
        reasons: ["It selects 3 servers now, more than the 2 approved for each run."],
      }),
    );
    await expect(skipped.golden).toMatchFileSnapshot("golden/recurring-schedule-skipped.json");
    const missed = render(
      buildScheduleMissedView({
        schedule: summary,
        missed: [T0, T0 + 86_400_000],
        truncated: false,
        runsLatest: false,
        latest: T0 + 2 * 86_400_000,
        graceMs: 600_000,
      }),
    );
    expect(missed.golden).toContain("missed 2 runs");
    await expect(missed.golden).toMatchFileSnapshot("golden/recurring-schedule-missed.json");
  });
});

describe("a new schedule decided at its next run", () => {
  const DAY = 86_400_000;
  const FREEZE = "Production is frozen for the year-end.";

  it("next runs denied, a later one let through: the requester is told which are skipped, why, and the first that runs", async () => {
    const { golden } = render(
      buildScheduleRequestedView({
        id: summary.id,
        allowed: false,
        minApprovals: 1,
        approvers: md`@ops-approvers`,
        deniedRuns: { firstAt: T0, count: 2, reasons: [FREEZE], firstAllowedAt: T0 + 14 * DAY },
      }),
    );
    expect(golden).toContain("needs 1 approval");
    expect(golden).toContain("Its next 2 runs");
    expect(golden).toContain(FREEZE);
    expect(golden).toContain("They will be skipped");
    expect(golden).toContain(`<!date^${(T0 + 14 * DAY) / 1000}^`);
    await expect(golden).toMatchFileSnapshot("golden/recurring-schedule-requested-denied-runs.json");
    const one = render(
      buildScheduleRequestedView({
        id: summary.id,
        allowed: true,
        deniedRuns: { firstAt: T0, count: 1, reasons: [FREEZE], firstAllowedAt: T0 + 7 * DAY },
      }),
    ).golden;
    expect(one).toContain("allowed by the policy and active");
    expect(one).toContain("Its next run,");
    expect(one).toContain("It will be skipped");
    // Without denied runs: the notice alone.
    const plain = render(buildScheduleRequestedView({ id: summary.id, allowed: true })).golden;
    expect(plain).not.toContain("skipped");
  });

  it("every run looked at denied: the denial names the next run and how far it looked", async () => {
    const { kit, golden } = render(
      buildScheduleDenialView({
        commandLine: '/ops schedule add "0 23 * * 2" tz=Europe/Berlin /ecs stop web-01',
        reasons: [FREEZE],
        rules: [{ id: "year-end-freeze", description: "During the freeze", source: "flows/policy.yml:12" }],
        slots: { firstAt: T0, lastCheckedAt: T0 + 364 * DAY, checked: 53 },
      }),
    );
    expect(golden).toContain("Not allowed");
    expect(golden).toContain("Decided for its next run");
    expect(golden).toContain("(53 runs)");
    expect(kit.blocks[1]).toMatchObject({ type: "context" });
    await expect(golden).toMatchFileSnapshot("golden/recurring-schedule-denied-at-slots.json");
    const plain = render(
      buildScheduleDenialView({ commandLine: "/ops schedule add", reasons: [FREEZE], rules: [] }),
    ).golden;
    expect(plain).not.toContain("Decided for its next run");
  });

  it("a cron that names no time to come", () => {
    const text = JSON.stringify(buildScheduleNeverRunsText({ cron: "0 0 30 2 *", timeZone: "UTC" }));
    expect(text).toContain("would never run");
  });
});
