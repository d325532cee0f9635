/**
 * A token or a key pasted into `--reason` is refused before anything reads it: the requester is told which
 * kind was found (not the value), nothing becomes a request, and the value is in neither the audit log nor the
 * logs. End to end: signed Slack requests over HTTP, the simulated cloud.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ sweepIntervalMs: 60 * 60_000 });
});
afterAll(async () => {
  await h?.close();
});

it.each([
  ["xoxb-1111111111-2222222222-AbCdEfGhIjKlMnOpQrStUvWx", "a Slack token"],
  ["sk=Q2hhbmdlTWVQbGVhc2UxMjM0NTY3ODkwYWJjZGVm", "a secret key"],
  ["QTWAOYTTINDUT2QVKYUC MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", "an access key pair (AK/SK)"],
])("%s in --reason is refused as %s, and kept nowhere", async (secret, kind) => {
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command(`reboot web-04 --hard --reason "rotated ${secret} today"`);
  const reply = await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).slice(before).at(-1));
  await h.ops.idle();
  expect(reply).toContain(`looks like ${kind}`);
  expect(reply).not.toContain(secret);
  const all: unknown[] = [];
  for await (const e of h.audit.entries()) all.push(e);
  expect(JSON.stringify(all)).not.toContain(secret.slice(-16));
  expect(JSON.stringify(h.logs)).not.toContain(secret.slice(-16));
  expect(h.latest("/ecs reboot web-04 --hard")).toBeUndefined();
});

it("a reason with a ticket, a URL and a commit hash is taken", async () => {
  await h.command(
    `reboot web-04 --hard --reason "INC-12345 revert 3f2a9c0e1b7d4a6f8e5c2b1a0d9f8e7c6b5a4d3e see https://jira.example.com/browse/OPS-1"`,
  );
  await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Approval needed"));
});

it("a token in a rejection reason is refused in the modal: the request stays open, the token is kept nowhere", async () => {
  const secret = "xoxb-1111111111-2222222222-AbCdEfGhIjKlMnOpQrStUvWx";
  await h.command("resize web-03 s6.large.2");
  const card = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Approval needed"));
  const id = /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks))?.[0] ?? "";
  await h.click(card, "ops.approval.reject", IDS.bob);
  const refused = await h.submitReason(IDS.bob, id, `no, use ${secret} instead <!channel>`);
  const body = JSON.parse(refused.body) as { response_action?: string; errors?: { reason?: string } };
  expect(body.response_action).toBe("errors");
  expect(body.errors?.reason).toContain("looks like a Slack token");
  expect(refused.body).not.toContain(secret.slice(-16));
  await h.ops.idle();
  await h.bot.idle();
  const all: unknown[] = [];
  for await (const e of h.audit.entries()) all.push(e);
  expect(JSON.stringify(all)).not.toContain(secret.slice(-16));
  expect(JSON.stringify(h.logs)).not.toContain(secret.slice(-16));
  expect(JSON.stringify(h.fake.messages(IDS.ops))).not.toContain(secret.slice(-16));
  expect(JSON.stringify(h.fake.ephemerals({ user: IDS.bob }))).not.toContain(secret.slice(-16));
  expect(h.latest(id)?.blocks && JSON.stringify(h.latest(id)?.blocks)).toContain("Approval needed");

  // Put another way, it is taken.
  const ok = await h.submitReason(IDS.bob, id, "no, use the rotated bot token instead");
  expect(ok.status).toBe(200);
  await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Rejected"));
});
