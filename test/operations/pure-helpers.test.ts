import { describe, expect, it } from "vitest";
import { parseServerTags } from "../../src/cloud/parse-server-tags.js";
import type { MutationIntent } from "../../src/commands/types.js";
import { approvalActionId, parseApprovalActionId } from "../../src/operations/approval-action-ids.js";
import { buildApprovalListView } from "../../src/operations/build-approval-list-view.js";
import { buildDenialView } from "../../src/operations/build-denial-view.js";
import { validateRejectReason } from "../../src/operations/build-reject-modal.js";
import { isListedApprover } from "../../src/operations/is-listed-approver.js";
import { noticeToSpans } from "../../src/operations/notice-to-spans.js";
import { toOperationRequest } from "../../src/operations/to-operation-request.js";
import { policyFlagsOf, tagChangeOf } from "../../src/policy/policy-facts-of.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { flowParametersOf } from "../../src/workflow/flow-parameters-of.js";
import { makeRequest } from "./fixtures.js";

describe("approval action IDs", () => {
  it("round-trip, with suffixes for lists, and reject anything else", () => {
    expect(approvalActionId("approve")).toBe("ops.approval.approve");
    expect(approvalActionId("cancel", 3)).toBe("ops.approval.cancel.3");
    expect(parseApprovalActionId("ops.approval.reject.12")).toBe("reject");
    expect(parseApprovalActionId("ops.approval.approve")).toBe("approve");
    expect(parseApprovalActionId("ops.approval.delete")).toBeUndefined();
    expect(parseApprovalActionId("ops.approvalx.approve")).toBeUndefined();
  });
});

describe("parseServerTags", () => {
  it("reads key=value and bare tags; the first = splits; first key wins", () => {
    expect(parseServerTags(["env=prod", "team=a=b", "standalone", "env=dev", "=x"])).toEqual({
      env: "prod",
      team: "a=b",
      standalone: "",
    });
  });
});

describe("toOperationRequest", () => {
  it("maps mutations to operation, action, bound parameters and policy flags", () => {
    expect(
      toOperationRequest({ type: "ecs.stop", targets: [{ kind: "name", name: "a" }], hard: true }),
    ).toEqual({
      operation: "stop",
      action: "ecs:cloudServers:stop",
      parameters: { hard: true },
      flags: { hard: true },
      dryRun: false,
    });
    expect(
      toOperationRequest({
        type: "ecs.resize",
        server: { kind: "name", name: "a" },
        flavor: "s6.large.2",
        dryRun: true,
      }),
    ).toMatchObject({
      operation: "resize",
      parameters: { flavorRef: "s6.large.2" },
      flags: { dryRun: true },
      dryRun: true,
    });
    expect(
      toOperationRequest({
        type: "ecs.delete",
        targets: [{ kind: "name", name: "a" }],
        deleteVolume: true,
        deleteEip: false,
      }),
    ).toMatchObject({
      parameters: { deleteVolume: true, deleteEip: false },
      flags: { deleteVolume: true, deleteEip: false },
    });
  });

  it("asks the policy, at request time, what the re-decision reads back from the bound parameters", () => {
    const t = [{ kind: "name" as const, name: "a" }];
    const intents: MutationIntent[] = [
      { type: "ecs.start", targets: t },
      { type: "ecs.stop", targets: t, hard: false },
      { type: "ecs.reboot", targets: t, hard: true },
      { type: "ecs.resize", server: t[0]!, flavor: "s6.large.2", dryRun: false },
      { type: "ecs.delete", targets: t, deleteVolume: true, deleteEip: true },
      { type: "ecs.tag.add", targets: t, tags: [{ key: "env", value: "prod" }] },
      { type: "ecs.tag.remove", targets: t, tags: [{ key: "env" }, { key: "team", value: "a" }] },
      { type: "ecs.lock", targets: t },
    ];
    for (const intent of intents) {
      const asked = toOperationRequest(intent);
      // As the approval stores them: JSON.
      const bound = JSON.parse(JSON.stringify(asked.parameters)) as Record<string, unknown>;
      expect(policyFlagsOf(asked.action, bound), intent.type).toEqual(asked.flags);
      expect(tagChangeOf(asked.action, bound), intent.type).toEqual(asked.tagChange);
    }
    expect(toOperationRequest(intents[6]!).tagChange).toEqual({
      add: [],
      remove: [{ key: "env" }, { key: "team", value: "a" }],
    });
  });

  it("reads approval parameters back, keeping only known, well-typed keys", () => {
    expect(flowParametersOf({ hard: true, flavorRef: 3, deleteEip: "yes", other: 1 })).toEqual({
      hard: true,
    });
  });
});

describe("isListedApprover", () => {
  const requirement = { approvers: { users: ["U_ERIN"], groups: ["ops-approvers"] } };
  const requester = { userId: "U_ALICE", teamId: "T1" };
  it("by group read now, by user ID, and only from the requester's team", () => {
    expect(
      isListedApprover(requirement, { userId: "U_BOB", teamId: "T1", groups: ["ops-approvers"] }, requester),
    ).toBe(true);
    expect(isListedApprover(requirement, { userId: "U_BOB", teamId: "T1", groups: [] }, requester)).toBe(
      false,
    );
    expect(isListedApprover(requirement, { userId: "U_ERIN", teamId: "T1", groups: [] }, requester)).toBe(
      true,
    );
    expect(isListedApprover(requirement, { userId: "U_ERIN", teamId: "T2", groups: [] }, requester)).toBe(
      false,
    );
  });
});

describe("noticeToSpans", () => {
  it("renders mention parts as mentions and every text part as untrusted, even text that looks like a mention", () => {
    expect(
      noticeToSpans(["Only the requester (", { user: "U_ALICE" }, ") can cancel <!here> <@U_BOB>."]),
    ).toEqual([
      { t: "untrusted", v: "Only the requester (" },
      { t: "user", id: "U_ALICE" },
      { t: "untrusted", v: ") can cancel <!here> <@U_BOB>." },
    ]);
  });
});

describe("validateRejectReason", () => {
  it("requires a non-blank reason", () => {
    expect(validateRejectReason(undefined)).toHaveProperty("reason");
    expect(validateRejectReason("  \n ")).toHaveProperty("reason");
    expect(validateRejectReason("x".repeat(1001))).toHaveProperty("reason");
    expect(validateRejectReason("too risky")).toBeUndefined();
    // Nothing a reader could see: zero-width, word joiners, bell, bidi override.
    for (const invisible of ["\u200B", "\u2060\u2060\u2060", "\u0007\u0007", "\u202E", " \u200B\n"])
      expect(validateRejectReason(invisible)).toHaveProperty("reason");
    expect(validateRejectReason("\u200Bwrong flavor")).toBeUndefined();
  });
});

describe("buildDenialView", () => {
  it("lists reasons and rules, and how to split", () => {
    const rendered = JSON.stringify(
      renderBlockKit(
        buildDenialView({
          commandLine: "/ecs delete a b c",
          reasons: ["3 targets; at most 2 per request: split it into 2 requests"],
          rules: [{ id: "cap", description: "Cap.", source: "policy.yml:3" }],
          split: { cap: 2, commands: ["/ecs delete a b", "/ecs delete c"] },
        }),
      ),
    );
    expect(rendered).toContain("at most 2 per request");
    expect(rendered).toContain("`cap`");
    expect(rendered).toContain("/ecs delete a b");
    expect(rendered).toContain("/ecs delete c");
  });
});

describe("buildApprovalListView", () => {
  it("gives each request its own buttons, unique within the message", () => {
    const a = makeRequest();
    const b = makeRequest({ id: "apr_BBBBBBBBBBBBBBBBBBBBBB" });
    const rendered = renderBlockKit(
      buildApprovalListView([
        { request: a, canApprove: true, canCancel: false },
        { request: b, canApprove: false, canCancel: true },
      ]),
    );
    const buttons = rendered.blocks.flatMap((x) =>
      x.type === "actions" ? (x.elements as { action_id: string; value: string }[]) : [],
    );
    expect(buttons.map((x) => [x.action_id, x.value])).toEqual([
      ["ops.approval.approve", a.id],
      ["ops.approval.reject", a.id],
      ["ops.approval.cancel.1", b.id],
    ]);
  });
});
