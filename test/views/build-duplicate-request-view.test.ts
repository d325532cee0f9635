import { describe, expect, it } from "vitest";
import type { RequestSchedule } from "../../src/approvals/approval-request.js";
import { buildDuplicateRequestView } from "../../src/views/build-duplicate-request-view.js";
import { render } from "./view-test-helpers.js";

const AT = Date.UTC(2030, 0, 1, 3, 12);
const LINK = "https://acme.slack.com/archives/C_OPS/p1893467520000100";
const HOUR = 3_600_000;
/** The window `maint <!here>` opens at 22:00 and closes at 02:00 (its name is text, never a mention). */
const IN_WINDOW: RequestSchedule = {
  runAt: Date.UTC(2030, 0, 1, 22),
  startBy: Date.UTC(2030, 0, 1, 22) + 4 * HOUR,
  window: "maint <!here>",
};

describe("a change asked again while the same request waits for approval", () => {
  it("links the waiting request, says when it was asked and what it still needs; nothing new requested", async () => {
    const { kit, golden } = render(
      buildDuplicateRequestView({
        askedAt: AT,
        channelId: "C_OPS",
        permalink: LINK,
        state: { kind: "waiting", waiting: { approvals: 1 } },
      }),
    );
    expect(golden).toContain(
      `You already asked this at <!date^${AT / 1000}^{time}|03:12 UTC>: <${LINK}|your request>; it is waiting for approval (it still needs 1 approval). Nothing new was requested.`,
    );
    expect(kit.blocks).toHaveLength(1);
    await expect(golden).toMatchFileSnapshot("golden/duplicate-request.json");
  });

  it("staged, and no link to its card: its channel, and the stage it waits on", async () => {
    const { kit, golden } = render(
      buildDuplicateRequestView({
        askedAt: AT,
        channelId: "C_OPS",
        state: { kind: "waiting", waiting: { approvals: 2, stage: "security <!channel>" } },
      }),
    );
    expect(golden).toContain(
      "(its card is in <#C_OPS>); it is waiting for approval (it still needs 2 approvals at stage security",
    );
    // The stage's name is text, never a mention (the date and the channel are the view's own).
    expect(golden).not.toContain("<!channel>");
    expect(golden).toContain("at stage security &lt;!channel&gt;)");
    expect(kit.blocks).toHaveLength(1);
    await expect(golden).toMatchFileSnapshot("golden/duplicate-request-staged-no-link.json");
  });

  it("its card is still being posted (the two asked at the same moment)", async () => {
    const { golden } = render(
      buildDuplicateRequestView({
        askedAt: AT,
        channelId: "C_OPS",
        state: { kind: "posting", waiting: { approvals: 1 } },
      }),
    );
    expect(golden).toContain(
      "its card is being posted in <#C_OPS>, where it will wait for approval (it needs 1 approval). Nothing new was requested.",
    );
    await expect(golden).toMatchFileSnapshot("golden/duplicate-request-posting.json");
  });
});

describe("a change asked again while the same request is approved and has not started", () => {
  it("scheduled in a window: approved, when it runs (the schedule's one wording), cancel it first for another time", async () => {
    const { kit, golden } = render(
      buildDuplicateRequestView({
        askedAt: AT,
        channelId: "C_OPS",
        permalink: LINK,
        state: { kind: "approved", schedule: IN_WINDOW },
      }),
    );
    expect(golden).toContain(
      `You already asked this at <!date^${AT / 1000}^{time}|03:12 UTC>: <${LINK}|your request>; it is approved. Runs <!date^${IN_WINDOW.runAt / 1000}^`,
    );
    expect(golden).toContain("when the maintenance window `maint &lt;!here&gt;` opens");
    expect(golden).toContain(
      "To run it at another time, cancel it first (from its card), then ask again. Nothing new was requested.",
    );
    expect(golden).not.toContain("<!here>");
    expect(kit.blocks).toHaveLength(1);
    await expect(golden).toMatchFileSnapshot("golden/duplicate-request-approved-window.json");
  });

  it("at a time, asked by someone else, allowed by the policy: names who asked it and who can cancel it", async () => {
    const { golden } = render(
      buildDuplicateRequestView({
        askedAt: AT,
        askedBy: "U_ALICE",
        channelId: "C_OPS",
        permalink: LINK,
        state: {
          kind: "approved",
          schedule: { runAt: AT + HOUR, startBy: AT + HOUR + 15 * 60_000 },
          byPolicy: true,
        },
      }),
    );
    expect(golden).toContain(
      `<@U_ALICE> already asked this at <!date^${AT / 1000}^{time}|03:12 UTC>: <${LINK}|their request>; the policy allows it without approval. Runs <!date^${(AT + HOUR) / 1000}^`,
    );
    expect(golden).toContain(
      "To run it at another time, <@U_ALICE> or an approver must cancel it first (from its card). Nothing new was requested.",
    );
    await expect(golden).toMatchFileSnapshot("golden/duplicate-request-approved-at-by-other.json");
  });

  it("approved to run now, its run not claimed yet: it is starting", async () => {
    const { golden } = render(
      buildDuplicateRequestView({ askedAt: AT, channelId: "C_OPS", state: { kind: "approved" } }),
    );
    expect(golden).toContain(
      "(its card is in <#C_OPS>); it is approved and its run is starting. Nothing new was requested.",
    );
    await expect(golden).toMatchFileSnapshot("golden/duplicate-request-approved-starting.json");
  });

  it("someone else's, still being posted, allowed outright: no approval to wait for", async () => {
    const { golden } = render(
      buildDuplicateRequestView({
        askedAt: AT,
        askedBy: "U_ALICE",
        channelId: "C_OPS",
        state: { kind: "posting" },
      }),
    );
    expect(golden).toContain(
      "<@U_ALICE> already asked this at <!date^1893467520^{time}|03:12 UTC>; its card is being posted in <#C_OPS>. Nothing new was requested.",
    );
    await expect(golden).toMatchFileSnapshot("golden/duplicate-request-posting-by-other.json");
  });
});
