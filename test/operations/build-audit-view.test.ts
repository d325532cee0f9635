/** `/ops audit`: each entry said in words beside its type, the bot's parts and decisions in words; a golden. */
import { expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/audit-entry.js";
import { buildAuditView, decodeAuditPage } from "../../src/operations/build-audit-view.js";
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

it("says each entry in words (the decision and what refused a command in its title), the bot's part, its type last", async () => {
  const kit = renderBlockKit(
    buildAuditView({
      query: {
        subject: { kind: "server", label: "web-03", ids: [base.serverIds[0]!] },
        limit: 20,
        offset: 0,
      },
      entries: ENTRIES,
    }),
  );
  expectValidBlockKit(kit);
  const text = collectMrkdwn(kit).join("\n");
  // What happened in words; the type only at the end, to search the log with.
  expect(text).toContain("UTC · Run finished*");
  expect(text).toContain("Logged as: `execution.finished`");
  expect(text).toContain("UTC · Policy decided: needs approval*");
  // The bot's executor is "the bot": its component names are not the operator's words.
  expect(text).toContain("by the bot: reboot 1 server");
  expect(text).not.toContain("(executor)");
  // The requester's --reason is "reason"; a refusal's is said as one.
  expect(text).toContain("— reason: INC-4711");
  expect(text).toContain("Request refused by the preflight*");
  expect(text).toContain("refused because: web-03 is locked");
  expect(text).toContain(
    "Approve refused: the request was no longer waiting for approval (it was cancelled)",
  );
  expect(text).not.toContain("not_pending");
  expect(text).not.toContain("<!here>");
  expect(text).not.toContain("<!channel>");
  await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/audit-view.json");
});

it("a later page says which entries it shows, from where, and offers older and newest entries", async () => {
  const query = {
    subject: { kind: "server" as const, label: "web-03", ids: [base.serverIds[0]!] },
    limit: 2,
    beforeSeq: 6,
    offset: 2,
  };
  // One more than asked for: older entries exist.
  const kit = renderBlockKit(buildAuditView({ query, entries: ENTRIES.slice(1, 4) }));
  expectValidBlockKit(kit);
  const text = collectMrkdwn(kit).join("\n");
  expect(text).toContain("entries 3–4 older than #6, newest first");
  expect(text).toContain("`/ops audit web-03 2 --before 3` (or the button below)");
  const buttons = kit.blocks.flatMap((b) =>
    b.type === "actions" ? (b.elements as { action_id: string; value: string }[]) : [],
  );
  expect(buttons.map((b) => b.action_id)).toEqual(["ops.audit.page.older", "ops.audit.page.newest"]);
  expect(decodeAuditPage(buttons[0]!.value)).toEqual({ ...query, beforeSeq: 3, offset: 4 });
  expect(decodeAuditPage(buttons[1]!.value)).toEqual({ subject: query.subject, limit: 2, offset: 0 });
  await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/audit-view-page.json");
});

it("a page typed with --before counts its entries; the last page says nothing is older", async () => {
  const kit = renderBlockKit(
    buildAuditView({
      query: { subject: { kind: "user", userId: "U_ALICE" }, limit: 20, beforeSeq: 3 },
      entries: ENTRIES.slice(3),
    }),
  );
  expectValidBlockKit(kit);
  const text = collectMrkdwn(kit).join("\n");
  expect(text).toContain("*Audit log* for <@U_ALICE> — 2 entries older than #3, newest first");
  expect(text).toContain("No older entries for <@U_ALICE>.");
  expect(kit.blocks.flatMap((b) => (b.type === "actions" ? b.elements : []))).toHaveLength(1);
  const empty = collectMrkdwn(
    renderBlockKit(buildAuditView({ query: { limit: 20, beforeSeq: 1 }, entries: [] })),
  ).join("\n");
  expect(empty).toContain("*Audit log* — no entries older than #1");
  await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/audit-view-page-typed.json");
});

it("a button's value that is not an audit page query is refused", () => {
  expect(decodeAuditPage("")).toBeUndefined();
  expect(decodeAuditPage("{")).toBeUndefined();
  expect(decodeAuditPage(JSON.stringify({ limit: 101 }))).toBeUndefined();
  expect(decodeAuditPage(JSON.stringify({ limit: 5, beforeSeq: 0 }))).toBeUndefined();
  expect(decodeAuditPage(JSON.stringify({ limit: 5, extra: 1 }))).toBeUndefined();
  expect(
    decodeAuditPage(JSON.stringify({ limit: 5, subject: { kind: "user", userId: "<!here>" } })),
  ).toBeUndefined();
  expect(decodeAuditPage(JSON.stringify({ limit: 5, beforeSeq: 9 }))).toEqual({ limit: 5, beforeSeq: 9 });
});
