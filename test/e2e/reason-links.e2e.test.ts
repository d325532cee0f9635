/**
 * A `--reason` with a link as Slack sends it (`<https://…|CHG-1>`): the card, the approver's direct message,
 * `/ops approvals` and `/ops audit` show where the link leads, as a link that works, and the reason's other words
 * stay escaped text (no mention, no broadcast, no markup). End to end: signed Slack requests over HTTP, the
 * simulated cloud.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ sweepIntervalMs: 60 * 60_000 });
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol, IDS.dave]);
});
afterAll(async () => {
  await h?.close();
});

const LINK = "<https://example.com/CHG-1|https://example.com/CHG-1>";

async function ephemeral(command: string, text: string, user: string): Promise<string> {
  const before = h.fake.ephemerals({ user }).length;
  await h.command(text, { command, user });
  return textOf(await h.fake.waitFor(() => h.fake.ephemerals({ user }).slice(before).at(-1)));
}

it("a labelled link keeps its target on the card, in /ops approvals and in /ops audit", async () => {
  await h.command(`reboot web-04 --hard --reason "see <https://example.com/CHG-1|CHG-1> <!channel> *now*"`);
  const card = await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Approval needed"));
  const why = textOf(card)
    .split("\n")
    .find((l) => l.startsWith("*Why:*"));
  expect(why).toBe(`*Why:* see CHG-1 (${LINK}) @\u2060channel ∗now∗`);

  const list = await ephemeral("/ops", "approvals", IDS.bob);
  expect(list).toContain(`*Why:* see CHG-1 (${LINK})`);

  const audit = await ephemeral("/ops", "audit web-04", IDS.erin);
  expect(audit).toContain(`reason: see CHG-1 (${LINK}) @\u2060channel ∗now∗`);
  expect(audit).not.toContain("<!channel>");
});

it("a link Slack made of a typed URL is shown once, as a link", async () => {
  await h.command(`reboot web-03 --hard --reason "<https://example.com/CHG-2>"`);
  const card = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("*Why:* <https://example.com/CHG-2|https://example.com/CHG-2>\n");
});
