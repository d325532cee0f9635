import { describe, expect, it } from "vitest";
import { buildUnknownOutcomeNoticeView } from "../../src/views/build-unknown-outcome-notice-view.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { render } from "./view-test-helpers.js";

const text = (m: ReturnType<typeof render>) => collectMrkdwn(m.kit).join("\n");
const until = Date.parse("2026-12-07T10:15:00Z");

describe("servers still unchanged after a call whose outcome is unknown", () => {
  it("one server: what it shows, that nothing is resent, what to check; the requester mentioned", async () => {
    const shown = render(
      buildUnknownOutcomeNoticeView({
        what: "the delete",
        servers: [{ name: "web-10 <!here>", status: "ACTIVE" }],
        answer: "the cloud answered 500 Common.0001 (request r-1)",
        watchedMs: 120_000,
        until,
        requesterId: "U_ALICE",
      }),
    );
    // The name's control sequence is shown as typed (the only live ones: the mention, the local time).
    expect(text(shown)).not.toContain("<!here>");
    expect(text(shown)).toContain(
      "Outcome unknown: *web-10 &lt;!here&gt;* is still ACTIVE with no task in progress 2 minutes after the delete was sent (the cloud answered 500 Common.0001 (request r-1)); the cloud may not have taken it. Nothing will be sent again.",
    );
    await expect(shown.golden).toMatchFileSnapshot("golden/unknown-outcome-unchanged.json");
  });

  it("several servers: counted, the first named with their state", () => {
    const servers = Array.from({ length: 7 }, (_, i) => ({ name: `web-${i + 1}`, status: "SHUTOFF" }));
    const shown = text(
      render(buildUnknownOutcomeNoticeView({ what: "the start", servers, watchedMs: 150_000, until })),
    );
    expect(shown).toContain(
      "7 servers still show no change and no task in progress (web-1 SHUTOFF, web-2 SHUTOFF, web-3 SHUTOFF, web-4 SHUTOFF, web-5 SHUTOFF and 2 more) 3 minutes after the start was sent; the cloud",
    );
  });
});
