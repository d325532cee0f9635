/**
 * The requester's notice of a request posted for approval, over signed HTTP: when it expires (a Slack date token,
 * read in each reader's time zone, the same time as on the card) and, only when the policy's break-glass would
 * let this requester run it now, one line on `--break-glass` naming where a use is announced.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
let shipped: string;
beforeAll(async () => {
  h = await startOperationsHarness();
  shipped = await readFile("flows/policy.yml", "utf8");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await resetApprovalWorld(h);
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol, IDS.dave]);
});

async function withBreakGlass(): Promise<void> {
  await h.policy.replace(`${shipped.replace(/^# break_glass:[\s\S]*?(?=^\S)/m, "")}
break_glass:
  groups: [sre]
  alert_channel: ${IDS.prod}
  remind_every: 1h
`);
}

function notice(user: string): Promise<string> {
  return h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user })
      .map((e) => textOf(e))
      .filter((t) => t.includes("Your request needs"))
      .at(-1),
  );
}

/** The `<!date^…>` token of the card's expiry line. */
function expiryOn(card: string): string | undefined {
  return /Expires (<!date\^\d+\^[^>]*>)/.exec(card)?.[1];
}

it("says when the request expires, as the card does; no break-glass line where the policy has none", async () => {
  await h.policy.replace(shipped);
  await h.command("reboot web-01 --hard");
  const said = await notice(IDS.alice);
  const card = await h.waitCard("/ecs reboot web-01 --hard", (t) => t.includes("Approval needed"));
  const expiry = expiryOn(textOf(card));
  expect(expiry).toBeDefined();
  expect(said).toContain(`It expires ${expiry} unless approved by then.`);
  expect(said).not.toContain("--break-glass");
});

it("a member of the break-glass groups reads one line on `--break-glass`; someone else does not", async () => {
  await withBreakGlass();
  await h.command("reboot web-01 --hard");
  const alice = await notice(IDS.alice);
  expect(alice).toContain('`--break-glass "&lt;why&gt;"` runs it now without approval');
  expect(alice).toContain(`<#${IDS.prod}>`);
  await h.command("reboot web-02 --hard", { user: IDS.dave });
  const dave = await notice(IDS.dave);
  expect(dave).toContain("It expires <!date^");
  expect(dave).not.toContain("--break-glass");
});
