/**
 * The words of cancelling a scheduled change (golden files): the refusal that says who may cancel, the
 * requester's direct message when someone else cancelled, the requester's notice for a change allowed
 * outright, and the stored reason of a change whose maintenance window passed (the window in a code span,
 * as every other mention of a window).
 */
import { describe, expect, it } from "vitest";
import type { BlockKitMessage } from "../../src/render/render-block-kit.js";
import { renderMrkdwn } from "../../src/render/render-mrkdwn.js";
import {
  buildCancelRefusedView,
  buildScheduleCancelledDm,
  buildScheduledNoticeView,
  scheduleMissedReason,
} from "../../src/views/build-schedule-views.js";
import { withInlineCode } from "../../src/views/format-values.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { render } from "../views/view-test-helpers.js";

/**
 * Only our own control sequences: the mentions, date tokens and link these views write on purpose; nothing
 * from a server name or a command line (no broadcast, no other mention or link), every mrkdwn verbatim.
 */
function expectHarmless(kit: BlockKitMessage): void {
  for (const text of collectMrkdwn(kit)) {
    const ours = text
      .replace(/<@U_(ALICE|BOB|ERIN)>/g, "")
      .replace(/<!date\^\d+\^[^|>]*\|[^>]*>/g, "")
      .replace(/<https:\/\/example\.slack\.com\/[^|>]*\|See the request>/g, "");
    expect(ours).not.toMatch(/<!|<@|<#|<https?:/);
  }
  expect(JSON.stringify(kit.blocks)).not.toContain('"verbatim":false');
}

const RUN_AT = Date.parse("2026-12-08T21:00:00Z");
const schedule = { runAt: RUN_AT, startBy: RUN_AT + 15 * 60_000 };
const windowed = { runAt: RUN_AT, startBy: RUN_AT + 4 * 3_600_000, window: "maint" };

const request = {
  requester: { userId: "U_ALICE", teamId: "T1" },
  action: "ecs:cloudServers:stop",
  targets: [{ id: "srv-3", name: "web-03", status: "ACTIVE", flavor: "s6.small.1" }],
};

describe("cancelling a scheduled change", () => {
  it("refused: who may, as the policy has it now (groups as code, users as mentions)", async () => {
    const { kit, golden } = render(
      buildCancelRefusedView(request, { users: ["U_ERIN"], groups: ["ops-approvers"] }),
    );
    expect(golden).toContain(
      "Only the requester (<@U_ALICE>) or an approver can cancel this scheduled change: someone the policy as it is now accepts as an approver of *stop* web-03 (`@ops-approvers`, <@U_ERIN>). You are neither, so it stays scheduled.",
    );
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/cancel-refused.json");
  });

  it("refused where the policy names nobody: only the requester", async () => {
    const { kit, golden } = render(buildCancelRefusedView(request, { users: [], groups: [] }));
    expect(golden).toContain(
      "Only the requester (<@U_ALICE>) can cancel this scheduled change: the policy as it is now names nobody who could approve *stop* web-03.",
    );
    expect(golden).not.toContain("or an approver");
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/cancel-refused-nobody.json");
  });

  it("hostile server names stay text", () => {
    const { kit, golden } = render(
      buildCancelRefusedView(
        {
          ...request,
          targets: [{ id: "srv-x", name: "<!channel> *x*", status: "ACTIVE", flavor: "s6.small.1" }],
        },
        { users: [], groups: ["ops-approvers"] },
      ),
    );
    expect(golden).not.toContain("<!channel>");
    expectHarmless(kit);
  });

  it("the requester's direct message: who cancelled what, when it was to run, the card", async () => {
    const { kit, golden } = render(
      buildScheduleCancelledDm(
        { commandText: "/ecs stop web-03 --at 2026-12-08T22:00+01:00", schedule },
        "U_BOB",
        "https://example.slack.com/archives/C_OPS/p1765227600000100",
      ),
    );
    expect(golden).toContain(
      "<@U_BOB> cancelled your scheduled change `/ecs stop web-03 --at 2026-12-08T22:00+01:00` (it was to run <!date^1796763600^",
    );
    expect(golden).toContain("It will not run; nothing was done.");
    expect(golden).toContain("<https://example.slack.com/archives/C_OPS/p1765227600000100|See the request>");
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/cancelled-dm.json");
    // Without a link (Slack did not give one), and a command line that tries to format: said as typed.
    const plain = render(
      buildScheduleCancelledDm({ commandText: "/ecs stop `x` <!here>", schedule }, "U_BOB", undefined),
    );
    expect(plain.golden).not.toContain("See the request");
    expect(plain.golden).not.toContain("<!here>");
    expectHarmless(plain.kit);
  });

  it("the requester's notice for a change allowed outright says an approver may cancel it too", () => {
    const { golden } = render(buildScheduledNoticeView(schedule, undefined));
    expect(golden).toContain(
      "I posted it in the channel; until then you, or an approver, can cancel it from its card.",
    );
  });
});

describe("the stored reason of a change that did not start in time", () => {
  it("its window in a code span, like the other mentions of a window", () => {
    const reason = scheduleMissedReason(windowed);
    expect(reason).toBe("the maintenance window `maint` closed before the change could start");
    // Read where the stored reasons are read (backticks mark inline code): the name is code, the rest text.
    expect(renderMrkdwn(withInlineCode(reason))).toBe(
      "the maintenance window `maint` closed before the change could start",
    );
  });

  it("a window name cannot end its code span", () => {
    const reason = scheduleMissedReason({ ...windowed, window: "a`b\nc" });
    expect(reason).toBe("the maintenance window `a'b'c` closed before the change could start");
  });

  it("an --at change names no window", () => {
    expect(scheduleMissedReason(schedule)).toBe(
      "its start time passed while no replica of the bot could start it",
    );
  });
});
