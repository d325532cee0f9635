import { describe, expect, it } from "vitest";
import { buildJobsView } from "../../src/operations/build-jobs-view.js";
import { serversHeldReason } from "../../src/operations/build-servers-held-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

const NOW = Date.UTC(2025, 0, 2, 12, 0);
const LINK = "https://acme.slack.com/archives/C_OPS/p1735819200000100";

describe("buildJobsView", () => {
  it("running and recent runs, each linked to its thread, names as they can be typed back", async () => {
    const kit = renderBlockKit(
      buildJobsView({
        running: [
          {
            runId: "run-1",
            requestId: "apr_1",
            operation: "stop",
            targetNames: ["web-01", "*bold* _x_"],
            requesterId: "U_ALICE",
            currentStep: "wait until they are stopped",
            startedAt: NOW - 90_000,
            resumes: 0,
            link: LINK,
          },
        ],
        recent: [
          {
            requestId: "apr_2",
            operation: "reboot",
            targetNames: ["a`b<c>"],
            requesterId: "U_BOB",
            outcome: "succeeded",
            finishedAt: NOW - 600_000,
            summary: "rebooted 1 of 1",
            durationMs: 42_000,
            link: LINK,
          },
          // No permalink (the card was deleted): listed without a link.
          {
            requestId: "apr_3",
            operation: "start",
            targetNames: ["db-01"],
            outcome: "failed",
            finishedAt: NOW - 700_000,
          },
        ],
        now: NOW,
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text.match(/\|Open the thread>/g)).toHaveLength(2);
    expect(text).toContain("`*bold* _x_`");
    expect(text).not.toMatch(/[∗ˍˋ∼]/);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/jobs-with-links.json");
  });

  it("a recent run refused before it sent anything: aborted as its card says, the holder's request ID in its summary is code, exact", async () => {
    const summary = serversHeldReason([
      {
        requestId: "apr_AbC__x_0123456789abcdefgh",
        verb: "reboot",
        servers: [{ id: "i-1", name: "web-01" }],
      },
    ]);
    const kit = renderBlockKit(
      buildJobsView({
        running: [],
        recent: [
          {
            requestId: "apr_4",
            operation: "reboot",
            targetNames: ["web-01"],
            outcome: "aborted",
            finishedAt: NOW - 60_000,
            summary,
          },
        ],
        now: NOW,
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("(request `apr_AbC__x_0123456789abcdefgh`)");
    expect(text).not.toMatch(/[ˍˋ]/);
    // The card's icon for a run that sent nothing (`:no_entry: *Aborted, nothing changed:*`), never failed's.
    expect(text).toContain(":no_entry: reboot 1 server: ");
    expect(text).not.toContain(":x:");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/jobs-recent-aborted.json");
  });

  it("a request in waves is one entry: the wave it is at, the servers done, the pause or who paused it", async () => {
    const base = {
      requestId: "apr_w",
      operation: "reboot",
      targetNames: Array.from({ length: 14 }, (_, i) => `web-${String(i + 1).padStart(2, "0")}`),
      requesterId: "U_ALICE",
      startedAt: NOW - 300_000,
      resumes: 0,
    };
    const kit = renderBlockKit(
      buildJobsView({
        running: [
          {
            ...base,
            runId: "run_a",
            currentStep: "wait until they are back up",
            waves: { number: 2, of: 3, done: 5, state: "wave" },
          },
          {
            ...base,
            runId: "run_b",
            waves: { number: 3, of: 3, done: 10, state: "pause", nextWaveAt: NOW + 100_000 },
          },
          {
            ...base,
            runId: "run_c",
            waves: { number: 3, of: 3, done: 10, state: "paused", pausedBy: "U_BOB" },
          },
          { ...base, runId: "run_d", waves: { number: 2, of: 3, done: 5, state: "gate" } },
          { ...base, runId: "run_e", waves: { number: 2, of: 3, done: 5, state: "aborting" } },
        ],
        recent: [],
        now: NOW,
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("reboot 14 servers");
    expect(text).toContain("wave 2 of 3: wait until they are back up · 5 of 14 servers done");
    expect(text).toContain("next wave (3 of 3) in 1m 40s · 10 of 14 servers done");
    expect(text).toContain("paused by <@U_BOB> before wave 3 of 3 · 10 of 14 servers done");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/jobs-waves.json");
  });

  it("runs on servers with long names keep who asked and the thread link whole: the names give way", async () => {
    const long = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => `payments-frontend-production-eu-${String(i + 1).padStart(2, "0")}`,
      );
    const kit = renderBlockKit(
      buildJobsView({
        running: [
          {
            runId: "run-long",
            requestId: "apr_long",
            operation: "reboot",
            targetNames: long(6),
            requesterId: "U_ALICE",
            currentStep: "wait until they are back up",
            startedAt: NOW - 125_000,
            resumes: 1,
            link: LINK,
          },
          {
            runId: "run-waves",
            requestId: "apr_waves",
            operation: "reboot",
            targetNames: long(14),
            requesterId: "U_BOB",
            startedAt: NOW - 300_000,
            resumes: 0,
            link: LINK,
            waves: { number: 3, of: 3, done: 10, state: "paused", pausedBy: "U_CAROL" },
          },
        ],
        recent: [
          {
            requestId: "apr_done",
            operation: "stop",
            targetNames: long(4),
            requesterId: "U_DAVE",
            outcome: "outcome_unknown",
            finishedAt: NOW - 600_000,
            summary: "1 stopped, 3 unknown",
            durationMs: 900_000,
            link: LINK,
          },
        ],
        now: NOW,
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    // Every run keeps its link and requester; nothing is cut with an ellipsis.
    expect(text.match(/\|Open the thread>/g)).toHaveLength(3);
    for (const user of ["U_ALICE", "U_BOB", "U_DAVE"]) expect(text).toContain(`by <@${user}>`);
    expect(text).not.toContain("…");
    // The names shrink to what fits, saying how many more there are; to none when even one is too many (the
    // title counts the servers).
    expect(text).toContain(
      "`payments-frontend-production-eu-01` +5 more · now: wait until they are back up · for 2m 5s · resumed · by <@U_ALICE>",
    );
    expect(text).toContain(
      `reboot 14 servers* — paused by <@U_CAROL> before wave 3 of 3 · 10 of 14 servers done · for 5m · by <@U_BOB> · <${LINK}|Open the thread>`,
    );
    // A finished run's time is in its fields (a date's markup is long): its names have the subtitle's room.
    expect(text).toContain("`payments-frontend-production-eu-02` +2 more · by <@U_DAVE>");
    expect(text).toContain(
      "Finished: <!date^1735818600^{date_short_pretty} {time}|2025-01-02 11:50 UTC> after 15m",
    );
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/jobs-long-names.json");
  });

  it("when one name and the state are too long still, who asked and the link come first and the end is cut", () => {
    const kit = renderBlockKit(
      buildJobsView({
        running: [
          {
            runId: "run-1",
            requestId: "apr_1",
            operation: "resize",
            targetNames: ["x".repeat(64), "y".repeat(64)],
            requesterId: "U_ALICE",
            currentStep: `wait until they are resized ${"to a flavor with a long name ".repeat(3)}`,
            startedAt: NOW - 60_000,
            resumes: 0,
            link: LINK,
          },
        ],
        recent: [],
        now: NOW,
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain(
      `— by <@U_ALICE> · <${LINK}|Open the thread> · \`${"x".repeat(64)}\` +1 more · now: wait`,
    );
    // The end gives way: cut with an ellipsis before the indented line of fields.
    expect(text).toMatch(/ · now: wait until they are [^"\\]*…\\n/);
  });
});

describe("buildJobsView: scheduled changes", () => {
  const base = {
    requesterId: "U_ALICE",
    approverIds: ["U_BOB"],
    allowedByPolicy: false,
    action: "ecs:cloudServers:reboot",
    parameters: { hard: true },
  };

  it("lists approved changes waiting for their time, soonest first: when, what, who asked, who approved", async () => {
    const kit = renderBlockKit(
      buildJobsView({
        running: [],
        scheduled: {
          jobs: [
            {
              ...base,
              requestId: "apr_due",
              operation: "reboot",
              targetNames: ["web-02"],
              runAt: NOW - 5_000,
              link: LINK,
            },
            {
              ...base,
              requestId: "apr_tonight",
              operation: "reboot",
              targetNames: ["web-03"],
              approverIds: ["U_BOB", "U_CAROL"],
              runAt: NOW + 6 * 3_600_000,
              link: LINK,
            },
            {
              ...base,
              requestId: "apr_window",
              operation: "stop",
              targetNames: ["db-01", "db-02"],
              requesterId: "U_DAVE",
              approverIds: [],
              allowedByPolicy: true,
              action: "ecs:cloudServers:stop",
              parameters: {},
              runAt: NOW + 24 * 3_600_000,
              window: "maint",
            },
          ],
          total: 14,
        },
        recent: [],
        now: NOW,
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("*Scheduled* (14)");
    // When, as a Slack date token with its UTC fallback, then what.
    const tonight = Math.floor((NOW + 6 * 3_600_000) / 1000);
    expect(text).toContain(
      `:calendar: <!date^${String(tonight)}^{date_short_pretty} {time}|2025-01-02 18:00 UTC>: reboot 1 server*`,
    );
    expect(text).toContain(`\`web-03\` · by <@U_ALICE> · <${LINK}|Open the thread>`);
    expect(text).toContain("Approved by: <@U_BOB>, <@U_CAROL>");
    expect(text).toContain("Options: forced (hard): unsaved data can be lost");
    expect(text).toContain("in the window `maint`: stop 2 servers*");
    expect(text).toContain("Approved by: the policy (no approval needed)");
    // Its time has come: the run is being claimed.
    expect(text).toContain("UTC> (starting): reboot 1 server*");
    // Soonest first, the rest counted.
    expect(text.indexOf("apr_due")).toBeLessThan(text.indexOf("apr_tonight"));
    expect(text.indexOf("apr_tonight")).toBeLessThan(text.indexOf("apr_window"));
    expect(text).toContain("…and 11 more (scheduled later than these)");
    // Read-only: nobody cancels from here.
    expect(text).not.toContain('"type":"button"');
    expect((kit as { text?: string }).text).toBe("0 running, 14 scheduled, 0 recent runs");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/jobs-scheduled.json");
  });

  it("each as the gate would take it now: the moved window's new time, or that it will not run and why", async () => {
    const HOUR = 3_600_000;
    const windowed = {
      ...base,
      operation: "reboot",
      targetNames: ["web-03"],
      runAt: NOW + 6 * HOUR,
      window: "maint",
      link: LINK,
    };
    const kit = renderBlockKit(
      buildJobsView({
        running: [],
        scheduled: {
          jobs: [
            { ...windowed, requestId: "apr_as_asked", outlook: { kind: "runs", at: NOW + 6 * HOUR } },
            { ...windowed, requestId: "apr_moved", outlook: { kind: "runs", at: NOW + 6 * HOUR + 600_000 } },
            {
              ...windowed,
              requestId: "apr_gone",
              outlook: { kind: "never", check: { kind: "window_moved", window: "maint" } },
            },
            {
              ...windowed,
              requestId: "apr_frozen",
              outlook: {
                kind: "stricter",
                at: NOW + 6 * HOUR,
                freeze: { name: "change-freeze", until: NOW + 8 * HOUR },
              },
            },
            {
              ...windowed,
              requestId: "apr_stricter",
              window: undefined,
              outlook: { kind: "stricter", at: NOW + 7 * HOUR, cause: "an approver's groups changed" },
            },
            // Break-glass: the policy recorded the approval; said as the audit says it.
            {
              ...windowed,
              requestId: "apr_glass",
              approverIds: [],
              allowedByPolicy: true,
              breakGlass: true,
              outlook: { kind: "runs", at: NOW + 6 * HOUR },
            },
          ],
          total: 6,
        },
        recent: [],
        now: NOW,
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    const token = (at: number) => `<!date^${String(Math.floor(at / 1000))}^{date_short_pretty} {time}|`;
    // Moved within the approved span: the new time, and the old one it moved from.
    expect(text).toContain(
      `:calendar: ${token(NOW + 6 * HOUR + 600_000)}2025-01-02 18:10 UTC> in the window \`maint\`: reboot 1 server*`,
    );
    expect(text).toContain(`Window moved: it was to open ${token(NOW + 6 * HOUR)}2025-01-02 18:00 UTC>`);
    expect(text).toContain(":no_entry_sign: Will not run: reboot 1 server*");
    expect(text).toContain(
      "Why: the maintenance window `maint` moved or was removed: it does not open in the approved span (see `/ops calendar`)",
    );
    expect(text).toContain(
      `Asked for: ${token(NOW + 6 * HOUR)}2025-01-02 18:00 UTC> in the window \`maint\``,
    );
    expect(text).toContain(":no_entry_sign: Will not run as things are: reboot 1 server*");
    expect(text).toContain(
      `Why: frozen by \`change-freeze\` until ${token(NOW + 8 * HOUR)}2025-01-02 20:00 UTC>`,
    );
    expect(text).toContain(
      `Why: at ${token(NOW + 7 * HOUR)}2025-01-02 19:00 UTC>, an approver's groups changed  ·  `,
    );
    expect(text).toContain("Approved by: break-glass (no approver)");
    expect(text).not.toContain("the policy (no approval needed)");
    expect(text.match(/:calendar:/g)).toHaveLength(3);
    expect(text).toContain("Judged on the calendars and the policy as they are now");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/jobs-scheduled-outlook.json");
  });

  it("nothing scheduled: the section says so, between running and recent", async () => {
    const kit = renderBlockKit(
      buildJobsView({ running: [], scheduled: { jobs: [], total: 0 }, recent: [], now: NOW }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text.indexOf("*Running now* (0)")).toBeLessThan(text.indexOf("*Scheduled* (0)"));
    expect(text.indexOf("*Scheduled* (0)")).toBeLessThan(text.indexOf("*Recent runs* (0)"));
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/jobs-nothing-scheduled.json");
  });
});
