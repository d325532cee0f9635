import { describe, expect, it } from "vitest";
import { buildJobsView } from "../../src/operations/build-jobs-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

const NOW = Date.UTC(2025, 0, 2, 12, 0);
const LINK = "https://acme.slack.com/archives/C_OPS/p1735819200000100";

describe("buildJobsView", () => {
  it("running and recent operations, each linked to its thread, names as they can be typed back", async () => {
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
});
