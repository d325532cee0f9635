/**
 * Slack failing the bot's own calls, over signed HTTP with the fake Slack (every Web API call answered 503) and
 * the shipped policy: the requester reads which call failed (their user groups, which the policy decides on)
 * and that nothing was done, never "run the command in another channel"; the log says it at warn with the
 * Slack method and code. Nothing is audited: the policy could not decide, as when the store is down.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_USER_GROUPS_MAX_AGE_MS } from "../../src/slack/create-user-group-cache.js";
import { IDS, type OperationsHarness, startOperationsHarness } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});

it("every Slack call answered 503: the delete is answered with what failed, logged at warn, nothing done", async () => {
  // The groups kept from the start are too old: the decision must read them now.
  h.clock.advance(DEFAULT_USER_GROUPS_MAX_AGE_MS);
  h.fake.faultNext("*", { kind: "http", status: 503 }, 1_000);
  await h.command("delete web-03");
  const answer = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("user groups")),
  );
  h.fake.clearFaults();
  expect(answer).toContain(
    "I could not read your Slack user groups (Slack answered 503), which the policy needs to decide this request: nothing was done. Try again in a moment.",
  );
  expect(answer).not.toContain("another channel");
  expect(answer).not.toContain("refused my message");
  const line = h.logs.find((l) => l.msg === "Slack call failed");
  expect(line).toMatchObject({ level: 40, method: "usergroups.list", code: "http_503" });
  await h.ops.idle();
  expect(h.mutations()).toHaveLength(0);
  expect(await h.audit.query({ serverId: h.serverId("web-03"), limit: 10 })).toEqual([]);
});
