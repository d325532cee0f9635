/** `/ops audit`: each entry said in words beside its type, the bot's parts and decisions in words; a golden. */
import { expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/audit-entry.js";
import { buildAuditView } from "../../src/operations/build-audit-view.js";
import { md } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

const AT = Date.UTC(2026, 11, 6, 14, 10);
const HASH = "2d72a1b0c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e";
const base = { serverIds: ["d704b694-9efd-4a74-920f-e8cf2caf37eb"], ruleIds: [] as string[] };
const ENTRIES: AuditRecord[] = [
  {
    ...base,
    id: "00000000-0000-4000-8000-000000000005",
    seq: 5,
    type: "click.refused",
    at: AT + 180_000,
    actorId: "U_BOB",
    requestId: "apr_AAAAAAAAAAAAAAAAAAAAAA",
    message: "not_pending",
    detail: { code: "not_pending", event: "approve", status: "cancelled" },
  },
  {
    ...base,
    id: "00000000-0000-4000-8000-000000000004",
    seq: 4,
    type: "request.refused",
    at: AT + 150_000,
    actorId: "U_ALICE",
    action: "ecs:cloudServers:stop",
    message: "/ecs stop web-03",
    detail: { reference: "7b7c9e85", refusedBy: "preflight", reason: "web-03 is locked" },
  },
  {
    ...base,
    id: "00000000-0000-4000-8000-000000000003",
    seq: 3,
    type: "execution.finished",
    at: AT + 120_000,
    actorId: "system:executor",
    executionId: "run_1",
    outcome: "succeeded",
    message: "reboot 1 server: 1 restarted",
  },
  {
    ...base,
    id: "00000000-0000-4000-8000-000000000002",
    seq: 2,
    type: "request.created",
    at: AT + 1_000,
    actorId: "U_ALICE",
    requestId: "apr_AAAAAAAAAAAAAAAAAAAAAA",
    action: "ecs:cloudServers:reboot",
    bindingHash: HASH,
    message: "/ecs reboot web-03 --hard <!channel>",
    detail: { why: "INC-4711 <!here> memory leak" },
  },
  {
    ...base,
    id: "00000000-0000-4000-8000-000000000001",
    seq: 1,
    type: "policy.decided",
    at: AT,
    actorId: "U_ALICE",
    action: "ecs:cloudServers:reboot",
    decision: "needs_approval",
    ruleIds: ["hard-power-needs-approval"],
  },
];

it("says each entry in words, with its type, the bot's part and the decision in words", async () => {
  const kit = renderBlockKit(buildAuditView({ subject: md`\`web-03\``, entries: ENTRIES, limit: 20 }));
  expectValidBlockKit(kit);
  const text = collectMrkdwn(kit).join("\n");
  expect(text).toContain("Run finished `execution.finished`");
  expect(text).toContain("by the bot (executor)");
  expect(text).toContain("Decision: needs approval");
  expect(text).toContain("why: INC-4711");
  expect(text).toContain("Not requested `request.refused`");
  expect(text).toContain("reason: web-03 is locked");
  expect(text).toContain(
    "Approve refused: the request was no longer waiting for approval (it was cancelled)",
  );
  expect(text).not.toContain("not_pending");
  expect(text).not.toContain("<!here>");
  expect(text).not.toContain("<!channel>");
  await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/audit-view.json");
});
