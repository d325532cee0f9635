import { describe, expect, it } from "vitest";
import { groupMention } from "../../src/render/message-model.js";
import { buildApprovalAskedView } from "../../src/views/build-approval-asked-view.js";
import { blocksText } from "../helpers/read-slack-blocks.js";
import { render } from "./view-test-helpers.js";

const EXPIRES = Date.UTC(2026, 11, 7, 10, 17);

describe("the requester's notice of a request posted for approval", () => {
  it("says who approves and when it expires, in each reader's time zone", async () => {
    const { kit, golden } = render(
      buildApprovalAskedView({
        minApprovals: 1,
        approvers: [groupMention("S_OPS_APPROVERS", "ops-approvers")],
        expiresAt: EXPIRES,
      }),
    );
    const text = blocksText(kit.blocks);
    expect(text).toContain(
      "Your request needs 1 approval from <!subteam^S_OPS_APPROVERS>; I posted it in the channel.",
    );
    expect(text).toContain(`It expires <!date^${EXPIRES / 1000}^{date_short_pretty} {time}|`);
    expect(text).not.toContain("--break-glass");
    await expect(golden).toMatchFileSnapshot("golden/approval-asked.json");
  });

  it("when break-glass would let the requester: one line on `--break-glass`, and where a use is announced", async () => {
    const { kit, golden } = render(
      buildApprovalAskedView({
        minApprovals: 2,
        approvers: [groupMention("S_OPS_APPROVERS", "ops-approvers")],
        stages: ["ops", "security <!here>"],
        expiresAt: EXPIRES,
        breakGlassAllowed: { alertChannel: "C_PROD" },
      }),
    );
    const text = blocksText(kit.blocks);
    // A stage's name is text: never a mention.
    expect(text).toContain("security &lt;!here&gt;");
    expect(text).toContain("Its first stage expires");
    expect(text).toContain('`--break-glass "&lt;why&gt;"` runs it now without approval');
    expect(text).toContain("<#C_PROD>");
    expect(text.split("\n").length).toBe(2);
    await expect(golden).toMatchFileSnapshot("golden/approval-asked-break-glass.json");
  });
});
