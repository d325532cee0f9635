/**
 * What the thread and the card say when a scheduled change, or the next wave of a run, does not start although
 * its time has come: its window moved or closed, its approval came too late, the policy is stricter (goldens).
 */
import { describe, expect, it } from "vitest";
import { buildRequestCard } from "../../src/operations/build-request-card.js";
import {
  buildStartCheckReply,
  buildWaveStoppedReply,
  type StartCheck,
  startCheckReason,
} from "../../src/operations/build-start-check-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { makeDetails, makeRequest, T0 } from "./fixtures.js";

const runAt = T0 + 3_600_000;
const moved: StartCheck = { kind: "window_moved", window: "maint" };
const late: StartCheck = { kind: "approved_late", runAt, approvedAt: runAt + 40 * 60_000 };
const closed: StartCheck = { kind: "window_closed", window: "maint", closedAt: runAt + 3_600_000 };
const reboot = makeRequest({ action: "ecs:cloudServers:reboot", commandText: "/ecs reboot web-03 web-04" });

describe("a scheduled change that does not start", () => {
  it.each([
    ["start-check-window-moved", moved],
    ["start-check-approved-late", late],
  ] as const)("%s: the thread says why and mentions the requester", async (name, check) => {
    const kit = renderBlockKit(buildStartCheckReply(reboot, check));
    expectValidBlockKit(kit);
    expect(JSON.stringify(kit)).toContain("Nothing was done. <@U_ALICE>, schedule it again");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot(`golden/${name}.json`);
  });

  it("the reason kept with the request is plain text with its code marked, and the card shows it as code", () => {
    expect(startCheckReason(moved)).toBe(
      "the maintenance window `maint` is not open now: the window moved or was removed (see `/ops calendar`)",
    );
    expect(startCheckReason(late)).toBe(
      "its approval was complete only at 2025-01-01 13:40 UTC, after its start time 2025-01-01 13:00 UTC",
    );
    const card = renderBlockKit(
      buildRequestCard({
        request: makeRequest({
          status: "revoked",
          approvals: [{ userId: "U_BOB", at: T0 + 1 }],
          schedule: { runAt, startBy: runAt + 3_600_000, window: "maint" },
          revocation: { at: runAt + 60_000, reasons: [startCheckReason(moved)], lapsed: true },
        }),
        details: makeDetails(),
      }),
    );
    const text = JSON.stringify(card);
    expect(text).toContain("Not run — could not start in time");
    expect(text).toContain(
      "The maintenance window `maint` is not open now: the window moved or was removed (see `/ops calendar`)",
    );
  });
});

describe("a run in waves stopped before a wave", () => {
  it("its window closed: says which waves ran and which are not run", async () => {
    const kit = renderBlockKit(buildWaveStoppedReply(reboot, 1, 3, closed));
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("Wave 2 of 3 not started: the maintenance window `maint` closed at <!date^");
    expect(text).toContain("Wave 1 ran; waves 2 and 3 were not run, and their servers were not touched.");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/wave-stopped-window-closed.json");
  });

  it("the policy is stricter now: says how, as before a run; untrusted text stays inert", async () => {
    const kit = renderBlockKit(
      buildWaveStoppedReply(reboot, 2, 3, {
        kind: "policy",
        change: {
          changes: [{ serverId: "s4", name: "<!channel>", kind: "renamed", actual: "<@U123>" }],
          tightenings: [{ kind: "denied", rules: [], reasons: ["Changes are frozen."] }],
        },
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    // The servers changed (renamed): said as what changed, not as a stricter policy.
    expect(text).toContain("*Wave 3 of 3 not started, the servers changed.* Checked again before this wave:");
    expect(text).not.toContain("the policy");
    expect(text).toContain("this reboot is not allowed any more: Changes are frozen.");
    expect(text).toContain("Waves 1 and 2 ran; wave 3 was not run, and its servers were not touched.");
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<@U123>");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/wave-stopped-policy.json");
  });

  it("a freeze stopped it: names the freeze and when it ends, in the header and the reason", () => {
    const kit = renderBlockKit(
      buildWaveStoppedReply(reboot, 1, 3, {
        kind: "policy",
        change: {
          changes: [],
          tightenings: [
            {
              kind: "denied",
              rules: [{ id: "freeze-denies-power", description: "No power changes.", source: "p.yml:9" }],
              reasons: ["Changes are frozen."],
              calendars: [
                {
                  ruleId: "freeze-denies-power",
                  calendar: "test-freeze",
                  kind: "freeze",
                  description: "A test freeze.",
                  relation: "during",
                  until: T0 + 3_600_000,
                },
              ],
            },
          ],
        },
      }),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("*Wave 2 of 3 not started, the freeze `test-freeze` is in force.*");
    expect(text).toContain(
      `this reboot is not allowed during the freeze \`test-freeze\` (in force until <!date^${String((T0 + 3_600_000) / 1000)}^`,
    );
    expect(text).not.toContain("the policy is stricter");
  });

  it("before the first wave of a resumed run: no wave ran", () => {
    const text = JSON.stringify(renderBlockKit(buildWaveStoppedReply(reboot, 0, 2, moved)));
    expect(text).toContain("Wave 1 of 2 not started: the maintenance window `maint` is not open now");
    expect(text).toContain("No wave ran; waves 1 and 2 were not run, and their servers were not touched.");
  });
});
