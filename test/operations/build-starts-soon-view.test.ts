import { describe, expect, it } from "vitest";
import { buildStartsSoonReply } from "../../src/operations/build-starts-soon-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { makeRequest } from "./fixtures.js";

const RUN_AT = Date.UTC(2026, 11, 8, 22, 0);

describe("buildStartsSoonReply", () => {
  it("what starts when, who approved it, the requester mentioned with how to stop it", async () => {
    const request = makeRequest({
      action: "ecs:cloudServers:reboot",
      approvals: [
        { userId: "U_BOB", at: RUN_AT - 3_600_000 },
        { userId: "U_CAROL", at: RUN_AT - 3_000_000 },
      ],
    });
    const kit = renderBlockKit(
      buildStartsSoonReply(request, { runAt: RUN_AT, window: "maint *tue*" }, RUN_AT - 9 * 60_000 - 20_000),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("*Starts in 9 minutes*");
    expect(text).toContain("approved by <@U_BOB>, <@U_CAROL>");
    expect(text).toContain(`<@${request.requester.userId}>: to stop it, cancel it on its card before then`);
    // The window's name is untrusted: a code span, never markup.
    expect(text).toContain("`maint *tue*`");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/starts-soon.json");
  });

  it("a change the policy allowed says so; one minute is one minute, never 0", () => {
    const request = makeRequest({
      approvals: [{ userId: "system:policy", at: RUN_AT - 3_600_000 }],
      requirement: {
        ...makeRequest().requirement,
        approvers: { users: ["system:policy"], groups: [] },
        minApprovals: 1,
      },
    });
    const text = JSON.stringify(
      renderBlockKit(buildStartsSoonReply(request, { runAt: RUN_AT }, RUN_AT - 5_000)),
    );
    expect(text).toContain("*Starts in 1 minute*");
    expect(text).toContain("allowed by the policy without approval");
    expect(text).not.toContain("maintenance window");
  });
});
