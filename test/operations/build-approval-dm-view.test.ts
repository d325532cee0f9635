/**
 * The approvers' direct messages (`notify_approvers: dm`): however long and hostile the server names, the
 * approvals so far and the expiry stay in view (a block of their own, each name bounded as the card bounds it);
 * a staged request that expired names the stage and its count, in the thread's words (goldens).
 */
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import {
  buildApprovalDmClosedView,
  buildApprovalDmView,
} from "../../src/operations/build-approval-dm-view.js";
import { buildDecisionReply } from "../../src/operations/build-decision-reply.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { makeRequest, T0 } from "./fixtures.js";

const STAGES: NonNullable<ApprovalRequest["requirement"]["stages"]> = [
  {
    name: "team lead",
    approvers: { users: [], groups: ["ops-approvers"] },
    minApprovals: 1,
    allowSelfApproval: false,
    expiresInMs: 30 * 60_000,
    reasonRequired: false,
  },
  {
    name: "security",
    approvers: { users: [], groups: ["sre"] },
    minApprovals: 1,
    allowSelfApproval: false,
    expiresInMs: 10 * 60_000,
    reasonRequired: false,
  },
];
const LEAD = { userId: "U_BOB", at: T0 + 60_000, stage: "team lead" };

function sectionsOf(kit: ReturnType<typeof renderBlockKit>): string[] {
  return (kit.blocks as { type: string; text?: { text: string } }[])
    .filter((b) => b.type === "section")
    .map((b) => b.text?.text ?? "");
}

describe("an approver's direct message", () => {
  it("twelve 64-character names of `&`: each is bounded, and the progress and expiry keep their own block", async () => {
    const targets = Array.from({ length: 12 }, (_, i) => ({
      id: `11111111-0000-0000-0000-0000000000${String(i).padStart(2, "0")}`,
      name: "&".repeat(64),
      status: "ACTIVE",
      flavor: "s6.medium.2",
    }));
    const kit = renderBlockKit(
      buildApprovalDmView({ request: makeRequest({ targets }), permalink: "https://slack.example/p1" }),
    );
    expectValidBlockKit(kit);
    const sections = sectionsOf(kit);
    const servers = sections.find((t) => t.startsWith("*Servers (12):*"));
    expect(servers).toBeDefined();
    expect(servers).toContain("+2 more");
    // Cut (with its ellipsis) rather than pushing everything after it out of the section.
    expect(servers).toContain("…");
    expect(servers!.length).toBeLessThan(3_000);
    const progress = sections.find((t) => t.startsWith("approvals 0 of 2"));
    expect(progress).toMatch(/expires <!date\^/);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/approval-dm-long-names.json");
  });

  it("a staged request that expired names the stage and its count, as its thread does", async () => {
    const request = makeRequest({
      status: "expired",
      commandText: "/ecs reboot web-03 --hard",
      action: "ecs:cloudServers:reboot",
      requester: { userId: "U_DAVE", teamId: "T0001" },
      requirement: {
        approvers: { users: [], groups: ["ops-approvers", "sre"] },
        minApprovals: 2,
        allowSelfApproval: false,
        expiresInMs: 30 * 60_000,
        reasonRequired: false,
        stages: STAGES,
      },
      approvals: [LEAD],
      expiresAt: LEAD.at + 10 * 60_000,
    });
    const dm = buildApprovalDmClosedView({ request, permalink: undefined });
    const kit = renderBlockKit(dm!);
    expectValidBlockKit(kit);
    const text = sectionsOf(kit).join("\n");
    const words = "at stage *security* (2 of 2): it waited 10m with 0 of 1 approvals (team lead complete)";
    expect(text).toContain(`was expired ${words}. Nothing was done.`);
    expect(text).not.toContain("without enough approvals");
    // The thread's reply says it with the same words.
    const thread = renderBlockKit(buildDecisionReply(request, [{ type: "expired", at: request.expiresAt }])!);
    expect(sectionsOf(thread).join("\n")).toContain(`Expired ${words}.`);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/approval-dm-expired-staged.json");
  });
});
