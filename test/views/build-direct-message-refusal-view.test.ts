import { describe, expect, it } from "vitest";
import { buildDirectMessageRefusalView } from "../../src/views/build-direct-message-refusal-view.js";
import { buildScheduledNoticeView } from "../../src/views/build-schedule-views.js";
import { expectHarmless, render } from "./view-test-helpers.js";

const stage = (name: string, group: string) => ({
  name,
  approvers: { users: [], groups: [group] },
  minApprovals: 1,
  allowSelfApproval: false,
  expiresInMs: 30 * 60_000,
  reasonRequired: false,
});

describe("a change asked in a direct conversation", () => {
  it("needing approval, in the bot's Messages tab: who it needs, why they cannot see it, where to ask; nothing requested", async () => {
    const { kit, golden } = render(
      buildDirectMessageRefusalView({
        commandLine: "/ecs delete web-03",
        where: "im",
        needs: {
          approval: { approvers: { users: ["U_FRANK"], groups: ["ops-approvers"] }, minApprovals: 2 },
        },
      }),
    );
    expect(golden).toContain("needs 2 approvals from `@ops-approvers`, <@U_FRANK>");
    expect(golden).toContain("cannot see our direct messages");
    expect(golden).toContain(
      "Ask in a channel your approvers are in — nothing was requested, nothing changed.",
    );
    await expect(golden).toMatchFileSnapshot("golden/direct-message-refused-approval.json");
    expect(kit.blocks).toHaveLength(1);
  });

  it("staged approval, in a group DM; a hostile command line stays code", async () => {
    const { kit, golden } = render(
      buildDirectMessageRefusalView({
        commandLine: "/ecs delete web-03 <!channel> `x`",
        where: "mpim",
        needs: {
          approval: {
            approvers: { users: [], groups: ["team-leads", "security"] },
            minApprovals: 2,
            stages: [stage("team lead", "team-leads"), stage("security", "security")],
          },
        },
      }),
    );
    expect(golden).toContain("needs approval in 2 stages (team lead, then security)");
    expect(golden).toContain("cannot see this group conversation");
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/direct-message-refused-staged.json");
  });

  it("breaking the glass: reviewed in the alert channel, whose link to its thread would not open", async () => {
    const { golden } = render(
      buildDirectMessageRefusalView({
        commandLine: "/ecs delete web-03",
        where: "im",
        needs: { alertChannel: "C_PROD" },
      }),
    );
    expect(golden).toContain("reviewed in <#C_PROD>");
    expect(golden).toContain(
      "Break the glass in a channel instead — nothing was requested, nothing changed.",
    );
    await expect(golden).toMatchFileSnapshot("golden/direct-message-refused-break-glass.json");
  });
});

describe("a change allowed outright, scheduled from a direct conversation", () => {
  const RUN_AT = Date.UTC(2026, 11, 8, 21, 30);
  const schedule = { runAt: RUN_AT, startBy: RUN_AT + 15 * 60_000 };

  it("says its card is here (not in a channel), and that only the requester can see it to cancel it", async () => {
    const { golden } = render(buildScheduledNoticeView(schedule, undefined, "im"));
    expect(golden).toContain(
      "I posted it here, in our direct messages; until then you can cancel it from its card.",
    );
    expect(golden).not.toContain("in the channel");
    await expect(golden).toMatchFileSnapshot("golden/scheduled-notice-in-dm.json");
    const group = render(buildScheduledNoticeView(schedule, undefined, "mpim")).golden;
    expect(group).toContain("I posted it here, in this group conversation;");
  });
});
