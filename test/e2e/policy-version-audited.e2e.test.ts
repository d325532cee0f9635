/**
 * Each policy decision is audited with the version of the policy it was made under (`detail.policySha256`:
 * SHA-256 of the policy's text, as `sha256sum` prints for the file): the decision at the request and the one
 * made again before running, which differ when the policy was edited in between. End to end: signed Slack
 * requests over HTTP, the simulated cloud, the shipped policy, then an edited one.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { APPROVAL_ACTIONS } from "../../src/operations/approval-action-ids.js";
import { IDS, type OperationsHarness, startOperationsHarness } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ sweepIntervalMs: 60 * 60_000 });
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
});
afterAll(async () => {
  await h?.close();
});

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

it("the decision at the request and the one before running name the policy text each was made under", async () => {
  const shipped = readFileSync("flows/policy.yml", "utf8");
  await h.command("reboot web-03 --hard");
  const card = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Approval needed"));
  // The policy is edited (a comment is enough to make another version) before the approval completes.
  const edited = `${shipped}\n# edited after the request\n`;
  await h.policy.replace(edited);
  await h.click(card, APPROVAL_ACTIONS.approve, IDS.bob);
  await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Done"));
  const decided = await h.audit.query({ type: "policy.decided", limit: 5 });
  const redecided = await h.audit.query({ type: "policy.redecided", limit: 5 });
  expect(decided[0]?.detail?.policySha256).toBe(sha256(shipped));
  expect(redecided[0]?.detail?.policySha256).toBe(sha256(edited));
});
