import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { buildRequestCard, type RequestCardInput } from "../../src/operations/build-request-card.js";
import { buildRequestDetailsView } from "../../src/operations/build-request-details-view.js";
import { type BlockKitMessage, renderBlockKit } from "../../src/render/render-block-kit.js";
import {
  collectMrkdwn,
  collectPlainText,
  expectValidBlockKit,
  toGoldenJson,
} from "../render/block-kit-test-helpers.js";
import { makeDetails, makePreflight, makeRequest, T0 } from "./fixtures.js";

const GROUP_IDS = { "ops-approvers": "S_OPS_APPROVERS" };
const ONE = makeRequest().targets[0]!;
const approvals = [
  { userId: "U_BOB", at: T0 + 1 },
  { userId: "U_CAROL", at: T0 + 2 },
];
const oneServer = (overrides: Partial<ApprovalRequest> = {}) =>
  makeRequest({
    commandText: "/ecs delete web-03",
    targets: [{ ...ONE, tags: { env: "staging", team: "platform" } }],
    ...overrides,
  });

function render(input: RequestCardInput): { kit: BlockKitMessage; text: string; buttons: Button[] } {
  const kit = renderBlockKit(buildRequestCard({ groupIds: GROUP_IDS, ...input }));
  expectValidBlockKit(kit);
  const buttons = kit.blocks.flatMap((b) => (b.type === "actions" ? (b.elements as Button[]) : []));
  return { kit, text: `${kit.text}\n${JSON.stringify(kit.blocks)}`, buttons };
}
interface Button {
  action_id: string;
  value?: string;
  style?: string;
  confirm?: { title: { text: string }; text: { text: string }; style?: string };
}

/** Every text a reader sees in the blocks, and its size. */
function visibleText(kit: BlockKitMessage): string {
  return [...collectMrkdwn(kit), ...collectPlainText(kit)].join("\n");
}

/** Flow-file language, raw option names and clumsy plurals never reach an operator. */
function expectOperatorWords(kit: BlockKitMessage): void {
  const text = visibleText(kit);
  for (const banned of [
    "The intent is saved",
    "--hard",
    "--delete-volume",
    "approval(s)",
    "server(s)",
    "Dry run",
  ]) {
    expect(text).not.toContain(banned);
  }
}

const STATES: [string, RequestCardInput][] = [
  ["pending", { request: oneServer(), details: makeDetails() }],
  ["pending-one-approved", { request: oneServer({ approvals: [approvals[0]!] }), details: makeDetails() }],
  ["approved", { request: oneServer({ status: "approved", approvals }), details: makeDetails() }],
  [
    "executing",
    {
      request: oneServer({
        status: "executing",
        approvals,
        execution: { executionId: "run_1", startedAt: T0 + 3 },
      }),
      details: makeDetails(),
    },
  ],
  [
    "succeeded",
    {
      request: oneServer({
        status: "succeeded",
        approvals,
        execution: { executionId: "run_1", startedAt: T0 + 3, finishedAt: T0 + 24_000, outcome: "succeeded" },
      }),
      details: makeDetails({ result: { status: "succeeded", summary: "1 deleted", durationMs: 24_000 } }),
    },
  ],
  [
    "failed",
    {
      request: oneServer({ status: "failed", approvals }),
      details: makeDetails({ result: { status: "failed", summary: "1 failed", durationMs: 9000 } }),
    },
  ],
  [
    "aborted",
    {
      request: oneServer({ status: "failed", approvals }),
      details: makeDetails({ result: { status: "aborted", summary: "aborted, nothing changed" } }),
    },
  ],
  [
    "outcome-unknown",
    {
      request: oneServer({ status: "outcome_unknown", approvals }),
      details: makeDetails({
        result: { status: "outcome_unknown", summary: "1 unknown", durationMs: 900_000 },
      }),
    },
  ],
  [
    "rejected",
    {
      request: oneServer({
        status: "rejected",
        rejection: { userId: "U_BOB", reason: "not during the sale", at: T0 + 1 },
      }),
      details: makeDetails(),
    },
  ],
  [
    "cancelled",
    {
      request: oneServer({ status: "cancelled", cancellation: { userId: "U_ALICE", at: T0 + 1 } }),
      details: makeDetails(),
    },
  ],
  [
    "expired",
    { request: oneServer({ status: "expired", expiredAt: T0 + 31 * 60_000 }), details: makeDetails() },
  ],
  [
    "revoked",
    {
      request: oneServer({
        status: "revoked",
        approvals,
        revocation: {
          at: T0 + 3,
          reasons: [
            "web-03: now tagged env=prod; no longer tagged env=staging",
            "this delete now needs 3 approvals, it had 2",
          ],
        },
      }),
      details: makeDetails(),
    },
  ],
  [
    "allowed-running",
    {
      request: makeRequest({
        action: "ecs:cloudServers:stop",
        commandText: "/ecs stop web-03",
        targets: [{ ...ONE, tags: { env: "dev" } }],
        parameters: { hard: false },
        status: "executing",
        requirement: {
          ...makeRequest().requirement,
          approvers: { users: ["system:policy"], groups: [] },
          minApprovals: 1,
        },
        approvals: [{ userId: "system:policy", at: T0 }],
        execution: { executionId: "run_2", startedAt: T0 + 1 },
      }),
      details: makeDetails({
        kind: "allowed",
        rules: [
          { id: "soft-power", description: "Soft power needs no approval.", source: "flows/policy.yml:70" },
        ],
      }),
    },
  ],
];

describe("buildRequestCard: every state, golden", () => {
  it.each(STATES)("%s", async (name, input) => {
    const { kit } = render(input);
    expectOperatorWords(kit);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot(`golden/card-${name}.json`);
  });
});

describe("buildRequestCard", () => {
  it("a 1-server delete card fits the budget: at most 12 blocks and 2,500 characters of text", () => {
    for (const [, input] of STATES) {
      const { kit } = render(input);
      expect(kit.blocks.length).toBeLessThanOrEqual(12);
      expect(visibleText(kit).length).toBeLessThanOrEqual(2_500);
    }
  });

  it("ten targets still fit on one screen: one line each, no IDs", () => {
    const targets = Array.from({ length: 10 }, (_, i) => ({
      id: `11111111-0000-0000-0000-0000000000${String(i).padStart(2, "0")}`,
      name: `web-${String(i).padStart(2, "0")}`,
      status: "ACTIVE",
      flavor: "s6.medium.2",
      tags: { env: "staging" },
    }));
    const { kit } = render({ request: makeRequest({ targets }), details: makeDetails() });
    expect(kit.blocks.length).toBeLessThanOrEqual(12);
    expect(visibleText(kit).length).toBeLessThanOrEqual(2_500);
    const text = visibleText(kit);
    for (const t of targets) expect(text).toContain(`*\`${t.name}\`* · ACTIVE — s6.medium.2 · env=staging`);
    expect(text).not.toContain(targets[0]!.id);
  });

  it("the pending card: who asks what, targets, options, checks, approvers mentioned, local expiry, buttons", () => {
    const { text, buttons } = render({ request: oneServer(), details: makeDetails() });
    for (const expected of [
      ":lock: *Approval needed:* <@U_ALICE> asks to *delete* web-03",
      "*`web-03`* · ACTIVE — s6.medium.2 · env=staging",
      "`/ecs delete web-03`",
      "*Options:* data disks kept · EIPs kept",
      ":white_check_mark: Checks passed",
      "*Approvals: 0 of 2* from <!subteam^S_OPS_APPROVERS> (not <@U_ALICE>) · approved by: nobody yet",
      `Expires <!date^${Math.floor(makeRequest().expiresAt / 1000)}^{time}|12:30 UTC>`,
      "Rejecting needs a reason",
    ]) {
      expect(text).toContain(expected);
    }
    expect(buttons.map((b) => b.action_id)).toEqual([
      "ops.approval.approve",
      "ops.approval.reject",
      "ops.approval.cancel",
      "ops.request.details",
    ]);
    // The buttons carry the opaque request ID and nothing else.
    expect(new Set(buttons.map((b) => b.value))).toEqual(new Set(["apr_AAAAAAAAAAAAAAAAAAAAAA"]));
  });

  it("Approve asks for a confirmation naming the action and the servers; destructive ones in red", () => {
    const del = render({ request: oneServer(), details: makeDetails() }).buttons[0]!;
    expect(del.confirm?.text.text).toBe("Delete web-03 (11111111…)? This cannot be undone.");
    expect(del.confirm?.style).toBe("danger");
    const stop = render({
      request: makeRequest({ action: "ecs:cloudServers:stop", parameters: { hard: true } }),
      details: makeDetails(),
    }).buttons[0]!;
    expect(stop.confirm?.text.text).toBe("Stop 2 servers: web-03 (11111111…), web-04 (11111111…)?");
    expect(stop.confirm?.style).toBeUndefined();
  });

  it("each warning in one line", () => {
    const preflight = makePreflight();
    preflight.problems = [
      {
        severity: "warning",
        code: "already_in_state",
        serverId: "x",
        message: "web-04: already SHUTOFF; it will be left out",
      },
      {
        severity: "warning",
        code: "will_restart",
        serverId: "y",
        message: "web-03: is running; it will be stopped, resized and started again",
      },
    ];
    const { text } = render({ request: makeRequest(), details: makeDetails({ preflight }) });
    expect(text).toContain("Checks passed, with 2 warnings:");
    expect(text).toContain(":warning: web-04: already SHUTOFF; it will be left out");
    expect(text).toContain(":warning: web-03: is running; it will be stopped, resized and started again");
  });

  it("escapes untrusted names and commands", () => {
    const request = makeRequest({
      commandText: "/ecs delete <!channel>",
      targets: [
        {
          id: "11111111-0000-0000-0000-000000000009",
          name: "<!here> *x*",
          status: "ACTIVE",
          flavor: "s6.medium.2",
        },
      ],
    });
    const { text } = render({ request, details: undefined });
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<!here>");
  });
});

describe("buildRequestDetailsView", () => {
  it("has what the card leaves out: IDs, tags, rules with their source, the full preflight", async () => {
    const kit = renderBlockKit(
      buildRequestDetailsView(oneServer({ approvals: [approvals[0]!] }), makeDetails(), GROUP_IDS),
    );
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    for (const expected of [
      ONE.id,
      "tags: env=staging, team=platform",
      "delete-needs-two-approvals",
      "Deleting servers is irreversible",
      "flows/policy.yml:96",
      "<@U_BOB>",
      "<!subteam^S_OPS_APPROVERS>",
    ]) {
      expect(text).toContain(expected);
    }
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/request-details.json");
  });
});
