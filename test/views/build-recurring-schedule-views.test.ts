import { describe, expect, it } from "vitest";
import { describeCron } from "../../src/recurring/describe-cron.js";
import { nextSlots } from "../../src/recurring/parse-schedule-timing.js";
import { md } from "../../src/render/message-model.js";
import {
  buildScheduleDenialView,
  buildScheduleListView,
  buildScheduleNeverRunsText,
  buildScheduleRequestedView,
  type ScheduleSummary,
} from "../../src/views/build-recurring-schedule-views.js";
import { buildScheduleCard } from "../../src/views/build-schedule-card.js";
import {
  buildScheduledRunNote,
  buildScheduleMissedView,
  buildScheduleSkippedView,
  describeScheduledServer,
  type ScheduledServerNote,
} from "../../src/views/build-scheduled-run-views.js";
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
    expect(golden).toContain("on the cron `0 19 L * *`, Europe/Paris time");
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

describe("servers named exactly, against the servers approved", () => {
  const OLD = "a9f8e7d6-1111-4222-8333-444455556666";
  const NEW = "b1c2d3e4-1111-4222-8333-444455556666";
  const base = { target: "web-03", isName: true, others: [] };
  const say = (note: ScheduledServerNote) =>
    render(
      buildScheduleSkippedView({ schedule: summary, slotAt: T0, reasons: [describeScheduledServer(note)] }),
    ).golden;
  const text = (note: ScheduledServerNote) =>
    render(
      buildScheduledRunNote({
        scheduleId: summary.id,
        slotAt: T0,
        maxTargets: 1,
        count: 1,
        notes: [describeScheduledServer(note)],
      }),
    ).golden;

  it("the list says one schedule and one server in the singular", async () => {
    const list = render(buildScheduleListView([{ ...summary, status: "active", maxTargets: 1 }]));
    expect(list.golden).toContain('"text": "1 recurring schedule"');
    expect(list.golden).toContain("at most 1 server per run");
    expect(list.golden).not.toContain("at most 1 servers");
    await expect(list.golden).toMatchFileSnapshot("golden/recurring-schedule-list-one.json");
  });

  it("renamed, and a new server took its name: the new one is skipped, the approved one runs", async () => {
    const golden = text({
      ...base,
      kind: "moved",
      approved: { id: OLD, name: "web-03" },
      nowNamed: "web-03-retired",
      others: [{ id: NEW, name: "web-03" }],
    });
    expect(golden).toContain("1 of at most 1 server, allowed");
    expect(golden).toContain(
      "Skipped `web-03` (`b1c2d3e4…`): it is not the server this schedule was approved for (that was `a9f8e7d6…`, now named `web-03-retired`, which this run includes, as approved). Ask for a new schedule to change the new `web-03`.",
    );
    await expect(golden).toMatchFileSnapshot("golden/recurring-schedule-run-note-renamed-replaced.json");
  });

  it("every other case says what was approved, what is skipped and what to do", async () => {
    const renamedOnly = say({
      ...base,
      kind: "moved",
      approved: { id: OLD, name: "web-03" },
      nowNamed: "web-03-retired",
    });
    expect(renamedOnly).toContain("The server approved as ");
    expect(renamedOnly).toContain("this run includes it, as approved.");
    const gone = say({ ...base, kind: "gone", approved: { id: OLD, name: "web-03" } });
    expect(gone).toContain("no longer exists.");
    const goneReplaced = say({
      ...base,
      kind: "gone",
      approved: { id: OLD, name: "web-03" },
      others: [{ id: NEW, name: "web-03" }],
    });
    expect(goneReplaced).toContain("which no longer exists). Ask for a new schedule to change the new ");
    const ipMoved = say({
      target: "10.0.0.5",
      isName: false,
      kind: "moved",
      approved: { id: OLD, name: "db-1" },
      others: [{ id: NEW, name: "db-9" }],
    });
    expect(ipMoved).toContain(", which ");
    expect(ipMoved).toContain(" now selects: it is not the server");
    expect(ipMoved).toContain("Ask for a new schedule to change it.");
    const unknown = say({ ...base, kind: "unknown" });
    expect(unknown).toContain("nothing says which server its approvers saw");
    // A server name is untrusted: shown as a code span, never as markup.
    const hostile = render(
      buildScheduleSkippedView({
        schedule: summary,
        slotAt: T0,
        reasons: [
          describeScheduledServer({ ...base, kind: "gone", approved: { id: OLD, name: "<!channel> *x*" } }),
        ],
      }),
    ).golden;
    expect(hostile).not.toContain("<!channel>");
    const skipped = render(
      buildScheduleSkippedView({
        schedule: summary,
        slotAt: T0,
        reasons: [
          describeScheduledServer({ ...base, kind: "gone", approved: { id: OLD, name: "web-03" } }),
          describeScheduledServer({ ...base, target: "web-04", kind: "unknown" }),
          describeScheduledServer({
            target: "10.0.0.5",
            isName: false,
            kind: "gone",
            approved: { id: OLD },
            others: [
              { id: NEW, name: "db-9" },
              { id: NEW, name: "db-10" },
              { id: NEW, name: "db-11" },
              { id: NEW, name: "db-12" },
            ],
          }),
        ],
      }),
    ).golden;
    await expect(skipped).toMatchFileSnapshot("golden/recurring-schedule-skipped-servers.json");
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
