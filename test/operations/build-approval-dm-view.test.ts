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
  buildApprovalDmViewFor,
} from "../../src/operations/build-approval-dm-view.js";
import { buildDecisionReply } from "../../src/operations/build-decision-reply.js";
import { buildRequestCard } from "../../src/operations/build-request-card.js";
import { serversHeldReason } from "../../src/operations/build-servers-held-view.js";
import type { RequestDetails } from "../../src/operations/request-details.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { makeLeadAndSecurityStages } from "../helpers/make-lead-and-security-stages.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { makeDetails, makeRequest, T0 } from "./fixtures.js";

const STAGES = makeLeadAndSecurityStages();
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
    // The icon is the emoji, not its shortcode defused as text.
    expect(text).toMatch(/^:stopwatch: No longer waiting for you/);
    const words = "at stage *security* (2 of 2): it waited 10m with 0 of 1 approvals (team lead complete)";
    expect(text).toContain(`'s request \`/ecs reboot web-03 --hard\` expired ${words}. Nothing was done.`);
    expect(text).not.toContain("was expired");
    expect(text).not.toContain("without enough approvals");
    // The thread's reply says it with the same words.
    const thread = renderBlockKit(buildDecisionReply(request, [{ type: "expired", at: request.expiresAt }])!);
    expect(sectionsOf(thread).join("\n")).toContain(`Expired ${words}.`);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/approval-dm-expired-staged.json");
  });

  it("superseded by its requester's break-glass run: said as superseded, with a link to the break-glass request", async () => {
    const glassLink = "https://slack.example/archives/C_OPS/p1700000000000200";
    const superseded = (link?: string) =>
      makeRequest({
        status: "cancelled",
        cancellation: {
          userId: "U_ALICE",
          at: T0 + 60_000,
          supersededBy: { requestId: "apr_BreakGlass0123456789abcd", ...(link !== undefined && { link }) },
        },
      });
    const request = superseded(glassLink);
    const kit = renderBlockKit(
      buildApprovalDmClosedView({ request, permalink: "https://slack.example/p1" })!,
    );
    expectValidBlockKit(kit);
    const [text] = sectionsOf(kit);
    expect(text).toBe(
      ":fast_forward: No longer waiting for you: <@U_ALICE>'s request `/ecs delete web-03 web-04` was superseded:" +
        ` <@U_ALICE> ran this change with break-glass (<${glassLink}|the break-glass request>).` +
        " Your approval is no longer needed; nothing will run from this request.",
    );
    expect(text).not.toContain("cancelled");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/approval-dm-superseded.json");
    // Every approver's message reads the same; without a link, the words alone.
    expect(buildApprovalDmViewFor({ request, permalink: undefined, userId: "U_BOB" })).toEqual(
      buildApprovalDmClosedView({ request, permalink: undefined }),
    );
    const unlinked = sectionsOf(
      renderBlockKit(buildApprovalDmClosedView({ request: superseded(), permalink: undefined })!),
    );
    expect(unlinked[0]).toContain(
      "<@U_ALICE> ran this change with break-glass. Your approval is no longer needed",
    );
  });

  describe("a run that ended: said as its card says it, never 'failed' for a run that changed nothing", () => {
    /** A request ID with a run of underscores, as random IDs have: copied from the message, it must be exact. */
    const HOLDER_ID = "apr_AbC__x_0123456789abcdefgh";
    const APPROVALS = [
      { userId: "U_BOB", at: T0 + 60_000 },
      { userId: "U_CAROL", at: T0 + 120_000 },
    ];
    const ended = (error: string) =>
      makeRequest({
        status: "failed",
        approvals: APPROVALS,
        execution: {
          executionId: "run_x",
          startedAt: T0 + 180_000,
          finishedAt: T0 + 180_000,
          outcome: "failed",
          error,
        },
      });
    const textOf = (message: Parameters<typeof renderBlockKit>[0]) => {
      const kit = renderBlockKit(message);
      expectValidBlockKit(kit);
      return { kit, text: sectionsOf(kit).join("\n") };
    };

    it("refused before anything was sent (another change held the servers): not run, nothing changed, why", async () => {
      const reason = serversHeldReason([
        {
          requestId: HOLDER_ID,
          verb: "reboot",
          requesterId: "U_DAVE",
          servers: [{ id: "11111111-0000-0000-0000-000000000003", name: "web-03" }],
        },
      ]);
      const request = ended(reason);
      const details: Pick<RequestDetails, "result"> = { result: { status: "aborted", summary: reason } };
      const { kit, text } = textOf(
        buildApprovalDmClosedView({ request, permalink: "https://slack.example/p1", details })!,
      );
      expect(text).toBe(
        `:no_entry: No longer waiting for you: <@U_ALICE>'s request \`/ecs delete web-03 web-04\` was approved by <@U_BOB>, <@U_CAROL>, but not run: \`web-03\` is being changed by a reboot the bot is still running (request \`${HOLDER_ID}\`); nothing was sent, ask again once it has finished. The thread has the details.`,
      );
      expect(text).not.toMatch(/failed|ˍ/);
      // The card says the same of it.
      const card = textOf(buildRequestCard({ request, details: { ...makeDetails(), ...details } })).text;
      expect(card).toContain("*Not run — servers busy with another change:*");
      expect(card).toContain(`(request \`${HOLDER_ID}\`)`);
      await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/approval-dm-aborted.json");
      // Each approver's message once the request ended is the same one.
      expect(buildApprovalDmViewFor({ request, permalink: undefined, userId: "U_BOB", details })).toEqual(
        buildApprovalDmClosedView({ request, permalink: undefined, details }),
      );
    });

    it("stopped between waves: the stop, as the card's headline says it", () => {
      const request = ended("aborted by a person after wave 1 of 3: 1 rebooted");
      const details: Pick<RequestDetails, "result"> = {
        result: {
          status: "aborted",
          summary: "1 rebooted",
          stop: { kind: "abort", by: "U_DAVE", afterWave: 1, of: 3 },
        },
      };
      const { text } = textOf(buildApprovalDmClosedView({ request, permalink: undefined, details })!);
      expect(text).toContain(
        ":octagonal_sign: No longer waiting for you: <@U_ALICE>'s request `/ecs delete web-03 web-04` was approved by <@U_BOB>, <@U_CAROL>. Aborted by <@U_DAVE> after wave 1 of 3; the later waves were not run.",
      );
      expect(text).not.toContain("failed");
    });

    it("aborted by its requester: named once, as the requester", () => {
      const request = ended("aborted by a person after wave 1 of 3: 1 rebooted");
      const details: Pick<RequestDetails, "result"> = {
        result: {
          status: "aborted",
          summary: "1 rebooted",
          stop: { kind: "abort", by: "U_ALICE", afterWave: 1, of: 3 },
        },
      };
      const { text } = textOf(buildApprovalDmClosedView({ request, permalink: undefined, details })!);
      expect(text).toContain("<@U_ALICE>'s request");
      expect(text).toContain("Aborted by the requester after wave 1 of 3;");
      expect(text.match(/U_ALICE/g)).toHaveLength(1);
    });

    it("a run that failed still says so; without its details, the approval record alone says failed", () => {
      const request = ended("1 deleted, 1 failed");
      const failed: Pick<RequestDetails, "result"> = {
        result: { status: "failed", summary: "1 deleted, 1 failed" },
      };
      for (const details of [failed, undefined])
        expect(textOf(buildApprovalDmClosedView({ request, permalink: undefined, details })!).text).toContain(
          "was approved by <@U_BOB>, <@U_CAROL> and run: it failed. The thread has the details.",
        );
    });
  });

  describe("as approvals are given (per person)", () => {
    const PERMALINK = "https://slack.example/p1";
    const stagedRequest = (approvals: ApprovalRequest["approvals"]) =>
      makeRequest({
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
        approvals,
        expiresAt: LEAD.at + 10 * 60_000,
      });
    const textOf = (message: Parameters<typeof renderBlockKit>[0]) => {
      const kit = renderBlockKit(message);
      expectValidBlockKit(kit);
      return { kit, text: sectionsOf(kit).join("\n") };
    };

    it("the approver who clicked: they approved, and where the approvals stand", async () => {
      const request = makeRequest({ approvals: [{ userId: "U_BOB", at: T0 + 60_000 }] });
      const { kit, text } = textOf(
        buildApprovalDmViewFor({ request, permalink: PERMALINK, userId: "U_BOB" }),
      );
      expect(text).toMatch(/^:ballot_box_with_check: You approved <@U_ALICE>'s request/);
      expect(text).toContain("approvals 1 of 2 (<@U_BOB>) · expires <!date^");
      expect(text).not.toContain("asks for your approval");
      await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/approval-dm-approved-by-you.json");
    });

    it("another approver of the same request: still asked, with the new count", () => {
      const request = makeRequest({ approvals: [{ userId: "U_BOB", at: T0 + 60_000 }] });
      const { text } = textOf(buildApprovalDmViewFor({ request, permalink: PERMALINK, userId: "U_CAROL" }));
      expect(text).toContain("asks for your approval");
      expect(text).toContain("approvals 1 of 2 (<@U_BOB>)");
      // The same message a new approver would be sent now.
      expect(buildApprovalDmViewFor({ request, permalink: PERMALINK, userId: "U_CAROL" })).toEqual(
        buildApprovalDmView({ request, permalink: PERMALINK }),
      );
    });

    it("a completed stage: its approvers are no longer asked, the one who clicked is told it is complete", async () => {
      const request = stagedRequest([LEAD]);
      const carol = textOf(
        buildApprovalDmViewFor({ request, permalink: PERMALINK, userId: "U_CAROL", stage: "team lead" }),
      );
      expect(carol.text).toContain(
        ":fast_forward: No longer waiting for you: stage *team lead* of <@U_DAVE>'s request `/ecs reboot web-03 --hard` is complete (approved by <@U_BOB>).",
      );
      expect(carol.text).toContain("The stages after it: *security*.");
      await expect(toGoldenJson(carol.kit)).toMatchFileSnapshot("golden/approval-dm-stage-complete.json");
      const bob = textOf(
        buildApprovalDmViewFor({ request, permalink: PERMALINK, userId: "U_BOB", stage: "team lead" }),
      );
      expect(bob.text).toMatch(
        /^:ballot_box_with_check: You approved stage \*team lead\* of <@U_DAVE>'s request/,
      );
      await expect(toGoldenJson(bob.kit)).toMatchFileSnapshot(
        "golden/approval-dm-stage-approved-by-you.json",
      );
      // The stage it waits on now is still asked.
      const erin = textOf(
        buildApprovalDmViewFor({ request, permalink: PERMALINK, userId: "U_ERIN", stage: "security" }),
      );
      expect(erin.text).toContain("stage *security* (2 of 2): 0 of 1 (nobody yet)");
    });

    it("an approval that stopped counting: no longer asked; a request that ended: closed", async () => {
      const request = makeRequest({
        lapsedApprovals: [
          { userId: "U_BOB", at: T0 + 60_000, lapsedAt: T0 + 120_000, reason: "not_an_approver" },
        ],
      });
      const { kit, text } = textOf(
        buildApprovalDmViewFor({ request, permalink: undefined, userId: "U_BOB" }),
      );
      expect(text).toMatch(
        /^:warning: Your approval of <@U_ALICE>'s `\/ecs delete web-03 web-04` no longer counts: you are no longer among its approvers/,
      );
      await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/approval-dm-approval-lapsed.json");
      const ended = makeRequest({
        status: "cancelled",
        cancellation: { userId: "U_ALICE", at: T0 + 60_000 },
      });
      expect(buildApprovalDmViewFor({ request: ended, permalink: undefined, userId: "U_BOB" })).toEqual(
        buildApprovalDmClosedView({ request: ended, permalink: undefined }),
      );
    });
  });
});
