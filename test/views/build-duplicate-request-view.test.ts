import { describe, expect, it } from "vitest";
import { buildDuplicateRequestView } from "../../src/views/build-duplicate-request-view.js";
import { render } from "./view-test-helpers.js";

const AT = Date.UTC(2030, 0, 1, 3, 12);
const LINK = "https://acme.slack.com/archives/C_OPS/p1893467520000100";

describe("a change asked again while the same request waits for approval", () => {
  it("links the waiting request, says when it was asked and what it still needs; nothing new requested", async () => {
    const { kit, golden } = render(
      buildDuplicateRequestView({
        askedAt: AT,
        channelId: "C_OPS",
        permalink: LINK,
        waiting: { approvals: 1 },
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
        waiting: { approvals: 2, stage: "security <!channel>" },
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
        posting: true,
        waiting: { approvals: 1 },
      }),
    );
    expect(golden).toContain(
      "its card is being posted in <#C_OPS>, where it will wait for approval (it needs 1 approval). Nothing new was requested.",
    );
    await expect(golden).toMatchFileSnapshot("golden/duplicate-request-posting.json");
  });
});
