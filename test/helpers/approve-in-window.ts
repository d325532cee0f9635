import { expect } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { IDS, type OperationsHarness } from "../e2e/helpers/operations-harness.js";

/**
 * Asks `/ecs reboot <server> --hard --window maint` (as Alice) and has Bob approve it: resolves with its card
 * once it says it is scheduled for the window's opening and the work that followed is done.
 */
export async function approveInWindow(h: OperationsHarness, server: string): Promise<FakeSlackMessage> {
  const command = `/ecs reboot ${server} --hard --window maint`;
  await h.command(`reboot ${server} --hard --window maint`);
  const card = await h.waitCard(command, (t) => t.includes("0 of 1"));
  expect((await h.click(card, "ops.approval.approve", IDS.bob)).status).toBe(200);
  await h.waitCard(command, (t) => t.includes("Scheduled:"));
  await h.ops.idle();
  return card;
}
