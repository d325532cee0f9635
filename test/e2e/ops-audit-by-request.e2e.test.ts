/**
 * `/ops audit apr_…`: one request's whole story (its decision, creation, approvals, outcome) and nothing else,
 * end to end (signed Slack requests over HTTP, the simulated cloud); and the grammar around it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseIntent } from "../../src/intents/index.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ sweepIntervalMs: 60 * 60_000 });
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol, IDS.dave]);
});
afterAll(async () => {
  await h?.close();
});

async function auditView(args: string, user = IDS.erin): Promise<string> {
  const before = h.fake.ephemerals({ user }).length;
  await h.command(args, { command: "/ops", user });
  const e = await h.fake.waitFor(() => h.fake.ephemerals({ user }).slice(before).at(-1));
  return textOf(e);
}
const idOf = (card: { blocks?: unknown[] }) =>
  /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks))?.[0] ?? "";

it("shows that request's entries only", async () => {
  await h.command(`reboot web-04 --hard --reason "CHG-230"`);
  const card = await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Approval needed"));
  const id = idOf(card);
  await h.command(`reboot web-03 --hard --reason "CHG-231 another"`);
  await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Approval needed"));
  await h.click(card, "ops.approval.cancel", IDS.alice);
  await h.ops.idle();

  const text = await auditView(`audit ${id}`);
  expect(text).toContain(`Audit log* for \`${id}\``);
  expect(text).toContain("`request.created`");
  expect(text).toContain("`request.cancelled`");
  expect(text).toContain("CHG-230");
  expect(text).not.toContain("CHG-231");
  const requests = new Set(text.match(/apr_[A-Za-z0-9_-]{22,}/g));
  expect([...requests]).toEqual([id]);
});

it("an unknown request ID shows no entries; the grammar takes one subject", () => {
  const ok = parseIntent("/ops", "audit apr_3k0IumKsfxN2SQBoVreoVg 50");
  expect(ok).toMatchObject({
    ok: true,
    intent: {
      type: "ops.audit",
      subject: { kind: "request", requestId: "apr_3k0IumKsfxN2SQBoVreoVg" },
      limit: 50,
    },
  });
  const two = parseIntent("/ops", "audit apr_3k0IumKsfxN2SQBoVreoVg web-03");
  expect(two).toMatchObject({ ok: false, error: { code: "unexpected_argument" } });
  if (!two.ok) expect(two.error.message).toContain("one request ID");
  // Too short to be a request ID: still a server name.
  expect(parseIntent("/ops", "audit apr_short")).toMatchObject({
    ok: true,
    intent: { subject: { kind: "server" } },
  });
});
