import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import {
  approveConfirm,
  buildRequestCard,
  type RequestCardInput,
} from "../../src/operations/build-request-card.js";
import { buildRequestDetailsView } from "../../src/operations/build-request-details-view.js";
import { serversHeldReason } from "../../src/operations/build-servers-held-view.js";
import { type BlockKitMessage, renderBlockKit } from "../../src/render/render-block-kit.js";
import { renderMrkdwn } from "../../src/render/render-mrkdwn.js";
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
/** A random request ID with a run of underscores, which escaping as words would defuse (`ˍ`). */
const HOLDER_ID = "apr_AbC__x_0123456789abcdefgh";
const heldReason = serversHeldReason([
  { requestId: HOLDER_ID, verb: "reboot", servers: [{ id: ONE.id, name: "web-03" }] },
]);
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
  [
    "pending-why",
    { request: oneServer({ why: "INC-4711: leaks memory <@U0EVIL> *now*" }), details: makeDetails() },
  ],
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
      details: makeDetails({
        result: {
          status: "aborted",
          summary:
            "not run: the servers changed since approval, so nothing was sent; ask again to get fresh approval",
        },
      }),
    },
  ],
  [
    // Refused before anything was sent, another change holding the servers: its request ID copied exactly.
    "aborted-held",
    {
      request: oneServer({ status: "failed", approvals }),
      details: makeDetails({ result: { status: "aborted", summary: heldReason } }),
    },
  ],
  [
    // A run in waves aborted by a person between waves, nothing failed: who and where, not "Failed".
    "waves-aborted",
    {
      request: oneServer({ status: "succeeded", approvals }),
      details: makeDetails({
        result: {
          status: "succeeded",
          summary: "9 restarted, 1 skipped, 4 not started",
          durationMs: 153_000,
          stop: { kind: "abort", by: "U_ALICE", afterWave: 2, of: 3 },
        },
      }),
    },
  ],
  [
    // Stopped by the check before a wave: where, and why (untrusted text, escaped).
    "waves-stopped-check",
    {
      request: oneServer({ status: "succeeded", approvals }),
      details: makeDetails({
        result: {
          status: "succeeded",
          summary: "1 restarted, 1 not started",
          durationMs: 5_700_000,
          stop: {
            kind: "check",
            beforeWave: 2,
            of: 2,
            why: "the maintenance window <!channel> closed at 2026-12-06 22:19 UTC.",
          },
        },
      }),
    },
  ],
  [
    "outcome-unknown",
    {
      request: oneServer({ status: "outcome_unknown", approvals }),
      details: makeDetails({
        result: { status: "outcome_unknown", summary: "outcome unknown for 1 server", durationMs: 900_000 },
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
    // Closed by its requester's break-glass run of the same change: the change went ahead, it was not withdrawn.
    "superseded",
    {
      request: oneServer({
        status: "cancelled",
        cancellation: {
          userId: "U_ALICE",
          at: T0 + 1,
          supersededBy: {
            requestId: "apr_BreakGlass0123456789abcd",
            link: "https://example.slack.com/archives/C_OPS/p1700000000000200",
          },
        },
      }),
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
    "scheduled-pending",
    {
      request: oneServer({
        schedule: { runAt: T0 + 3_600_000, startBy: T0 + 7_200_000, window: "maint" },
        expiresAt: T0 + 1_800_000,
      }),
      details: makeDetails(),
    },
  ],
  [
    // The window opens two days ahead, the policy gives three days to approve: the deadline is the start.
    "scheduled-pending-days-ahead",
    {
      request: oneServer({
        schedule: { runAt: T0 + 2 * 86_400_000, startBy: T0 + 2 * 86_400_000 + 3_600_000, window: "maint" },
        expiresAt: T0 + 2 * 86_400_000,
      }),
      details: makeDetails(),
    },
  ],
  [
    "scheduled-approved",
    {
      request: oneServer({
        status: "approved",
        approvals,
        schedule: { runAt: T0 + 3_600_000, startBy: T0 + 7_200_000, window: "maint" },
      }),
      details: makeDetails(),
    },
  ],
  [
    "scheduled-lapsed",
    {
      request: oneServer({
        status: "expired",
        schedule: { runAt: T0 + 600_000, startBy: T0 + 1_500_000 },
        expiresAt: T0 + 600_000,
        expiredAt: T0 + 600_000,
      }),
      details: makeDetails(),
    },
  ],
  [
    "scheduled-window-closed",
    {
      request: oneServer({
        status: "revoked",
        approvals,
        schedule: { runAt: T0 + 3_600_000, startBy: T0 + 7_200_000, window: "maint" },
        revocation: {
          at: T0 + 7_300_000,
          reasons: ["the maintenance window maint closed before the change could start"],
          lapsed: true,
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
      ":raising_hand: *Approval needed:* <@U_ALICE> asks to *delete* web-03",
      "*`web-03`* · ACTIVE — s6.medium.2 · env=staging",
      "`/ecs delete web-03`",
      "*Options:* data disks kept · EIPs kept",
      ":white_check_mark: Checks passed",
      "*Approvals: 0 of 2* from <!subteam^S_OPS_APPROVERS> (not <@U_ALICE>) · approved by: nobody yet",
      `Expires <!date^${Math.floor(makeRequest().expiresAt / 1000)}^{date_short_pretty} {time}|2025-01-01 12:30 UTC>`,
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

  it("the approval deadline names its day, in each reader's time zone: a start two days ahead is not read as today", () => {
    const runAt = T0 + 2 * 86_400_000 + 9 * 3_600_000;
    const { text } = render({
      request: oneServer({
        schedule: { runAt, startBy: runAt + 3_600_000, window: "maint" },
        expiresAt: runAt,
      }),
      details: makeDetails(),
    });
    expect(text).toContain(
      `Approve before <!date^${runAt / 1000}^{date_short_pretty} {time}|2025-01-03 21:00 UTC> (its start time), or it lapses`,
    );
    // The policy's own time limit for approving names its day too.
    const expiry = render({ request: oneServer(), details: makeDetails() }).text;
    expect(expiry).toMatch(
      /Expires <!date\^\d+\^\{date_short_pretty\} \{time\}\|2025-01-01 12:30 UTC> \(30m after it was asked\)/,
    );
  });

  it("Approve asks for a confirmation naming the action, the servers and the options; destructive ones in red", () => {
    const del = render({ request: oneServer(), details: makeDetails() }).buttons[0]!;
    expect(del.confirm?.text.text).toBe(
      "Delete web-03 (11111111…)? This cannot be undone.\n*Options:* data disks kept · EIPs kept",
    );
    expect(del.confirm?.style).toBe("danger");
    const stop = render({
      request: makeRequest({ action: "ecs:cloudServers:stop", parameters: { hard: true } }),
      details: makeDetails(),
    }).buttons[0]!;
    expect(stop.confirm?.text.text).toBe(
      "Stop 2 servers: web-03 (11111111…), web-04 (11111111…)?\n*Options:* forced (hard): unsaved data can be lost",
    );
    expect(stop.confirm?.style).toBeUndefined();
  });

  it("the confirmation says every option that changes what runs: volumes, EIPs, key pair, flavor, waves, window", () => {
    const confirmOf = (overrides: Partial<ApprovalRequest>) =>
      approveConfirm({ ...makeRequest(), ...overrides }).text;
    const text = (overrides: Partial<ApprovalRequest>) => renderMrkdwn(confirmOf(overrides));
    expect(text({ parameters: { deleteVolume: true, deleteEip: true } })).toContain(
      "*Options:* data disks deleted too · EIPs released too",
    );
    expect(text({ action: "ecs:cloudServers:resize", parameters: { flavorRef: "s6.xlarge.2" } })).toContain(
      "*Options:* new flavor s6.xlarge.2",
    );
    expect(text({ action: "ecs:cloudServers:rebuild", parameters: { keyName: "ops-key" } })).toContain(
      "key pair `ops-key` (no password)",
    );
    const waves = { waves: [["a"], ["b"]], pauseMs: 60_000, maxFailures: 1, maxFailuresText: "1" };
    expect(text({ action: "ecs:cloudServers:reboot", parameters: { hard: false, waves } })).toContain(
      "\n*Waves:* 2 waves (1, 1 servers) · 1m pause between waves · stops at 1 failed or unknown server",
    );
    // The operation's name is no English verb: the question says what it does.
    expect(text({ action: "ecs:cloudServers:changeOS", parameters: { imageRef: "img-1" } })).toMatch(
      /^Change the OS of 2 servers: web-03/,
    );
    const windowed = text({ schedule: { runAt: T0 + 3_600_000, startBy: T0 + 7_200_000, window: "maint" } });
    expect(windowed).toContain(`*Runs:* <!date^${Math.floor((T0 + 3_600_000) / 1000)}^`);
    expect(windowed).toContain("when the maintenance window `maint` opens");
  });

  it("the confirmation keeps its options within Slack's 300 characters: fewer, shorter names go first", () => {
    const long = "x".repeat(60);
    const targets = Array.from({ length: 5 }, (_, i) => ({
      id: `11111111-0000-0000-0000-00000000000${String(i)}`,
      name: `${long}-${String(i)}`,
      status: "ACTIVE",
      flavor: "s6.medium.2",
    }));
    const request = makeRequest({
      action: "ecs:cloudServers:stop",
      targets,
      parameters: {
        hard: true,
        waves: { waves: [["a"], ["b"], ["c"]], pauseMs: 300_000, maxFailures: 1, maxFailuresText: "20%" },
      },
      schedule: { runAt: T0 + 3_600_000, startBy: T0 + 7_200_000, window: "maintenance-weekly" },
    });
    const text = renderMrkdwn(approveConfirm(request).text);
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text).toMatch(/^Stop 5 servers: x+… \(11111111…\) and 4 more\?/);
    expect(text).toContain("*Options:* forced (hard): unsaved data can be lost");
    expect(text).toContain("*Waves:* 3 waves");
    expect(text).toContain("`maintenance-weekly`");
  });

  it("many long tags are counted, not cut: the confirmation never silently drops one (env=prod last)", () => {
    const tag = (c: string) => ({ key: c.repeat(36), value: c.repeat(43) });
    const request = makeRequest({
      action: "ecs:servers:addTags",
      parameters: {
        addTags: [tag("a"), tag("c"), tag("e"), tag("g"), tag("i"), { key: "env", value: "prod" }],
      },
    });
    const text = renderMrkdwn(approveConfirm(request).text);
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text).toContain(
      "*Options:* 6 tags to add, each listed on the card: read them there before you approve",
    );
  });

  it("the confirmation escapes untrusted names and options", () => {
    const request = makeRequest({
      action: "ecs:cloudServers:rebuild",
      parameters: { keyName: "<!channel>" },
      targets: [
        { id: "11111111-0000-0000-0000-000000000009", name: "<!here> *x*", status: "ACTIVE", flavor: "s" },
      ],
    });
    const text = renderMrkdwn(approveConfirm(request).text);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<!here>");
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

  it("a request ID in the result (plain text) is code, copied exactly: its underscores are not defused", () => {
    const { kit } = render({
      request: oneServer({ status: "failed", approvals }),
      details: makeDetails({ result: { status: "aborted", summary: heldReason } }),
    });
    const mrkdwn = collectMrkdwn(kit).join("\n");
    expect(mrkdwn).toContain(`(request \`${HOLDER_ID}\`); nothing was sent`);
    expect(mrkdwn).toContain(":no_entry: *Not run — servers busy with another change:*");
    expect(mrkdwn).toContain("*Result:* `web-03` is being changed");
    expect(mrkdwn).not.toMatch(/[ˍˋ]/);
    // Recorded only on the approval (the details' write failed): the same.
    const { kit: fromRecord } = render({
      request: oneServer({
        status: "failed",
        approvals,
        execution: { executionId: "run_x", startedAt: T0 + 3, outcome: "failed", error: heldReason },
      }),
      details: makeDetails(),
    });
    expect(collectMrkdwn(fromRecord).join("\n")).toContain(`(request \`${HOLDER_ID}\`)`);
  });

  it("a run refused before sending, recorded in older words ('aborted: …'), reads as the new: Not run — why", () => {
    const { kit } = render({
      request: oneServer({ status: "failed", approvals }),
      details: makeDetails({
        result: {
          status: "aborted",
          summary: "aborted: the servers changed since approval, nothing was changed",
        },
      }),
    });
    const mrkdwn = collectMrkdwn(kit).join("\n");
    expect(kit.text).toBe("Not run — servers changed since approval: *delete* web-03");
    expect(mrkdwn).toContain("*Result:* Nothing was sent. Ask again to get fresh approval.");
    expect(mrkdwn).not.toMatch(/aborted|nothing changed/i);
  });

  it("a finished run's server it did not read at the end is shown as it was when asked, and how to read it", () => {
    const { kit } = render({
      request: oneServer({ status: "succeeded", approvals }),
      details: makeDetails({ result: { status: "succeeded", summary: "1 deleted", durationMs: 24_000 } }),
    });
    const mrkdwn = collectMrkdwn(kit).join("\n");
    expect(mrkdwn).toContain("• *`web-03`* — when asked: ACTIVE · s6.medium.2");
    expect(mrkdwn).not.toContain(":large_green_circle:");
    expect(mrkdwn).toContain("Its state after the run was not read: check with `/ecs show web-03`");
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
