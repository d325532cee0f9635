/**
 * Operations end to end, requests the policy allows or refuses at once: signed Slack requests into the bot
 * over loopback, the fake Slack, the simulated cloud and the shipped policy and flows.
 */

import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { DEFAULT_USER_GROUPS_MAX_AGE_MS } from "../../src/slack/create-user-group-cache.js";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

/** The response (ephemeral reply) to the n-th command of `user`, newest first. */
async function reply(user: string, needle: string): Promise<string> {
  return h.fake.waitFor(() =>
    h.fake
      .responses()
      .map((r) =>
        r.effect.kind === "ephemeral" && r.effect.ephemeral.user === user ? textOf(r.effect.ephemeral) : "",
      )
      .find((t) => t.includes(needle)),
  );
}

it("/ecs stop web-01 (allowed): announced, executed at once, thread shows the run and its result", async () => {
  // The shipped policy adds an approval for env=prod; as a dev server, a soft stop is allowed outright.
  h.sim.control.setServer(h.serverId("web-01"), { tags: { env: "dev", team: "platform", role: "web" } });
  const res = await h.command("stop web-01");
  expect(res.status).toBe(200);

  const card = await h.waitCard("/ecs stop web-01", (t) => t.includes("Done"));
  const text = textOf(card);
  expect(text).toContain("Allowed by the policy: no approval needed");
  expect(text).toContain("env=dev");
  // Only Details: no approval buttons on a request the policy allowed.
  expect(actionIdsOf(card)).toEqual(["ops.request.details"]);
  // The card is first posted "Running" (as its run's start shows it: that start edits nothing), then "Done":
  // an allowed request that runs at once is shown neither "Preparing" nor "Allowed" in between. (A run that
  // starts in the minute after the post is edited to say so: "Running" again.)
  const versions = card.history.map((v) => v.text ?? "");
  expect(versions[0]).toMatch(/^Running: /);
  expect(versions.at(-1)).toMatch(/^Done: /);
  expect(versions.filter((v) => !v.startsWith("Running: "))).toHaveLength(1);

  const replies = await h.fake.waitFor(() => {
    const r = h.replies(card);
    return r.length >= 2 ? r : undefined;
  });
  const status = replies[0]!;
  // Shown running while it runs, unless the whole run (fast jobs here) ended within the status message's
  // settle time: then its first version is already the result.
  expect(textOf(status.history[0])).toMatch(/running|finished/);
  expect(textOf(status)).toContain("finished");
  expect(textOf(replies[1])).toMatch(/1 stopped/);

  expect(h.sim.control.server("web-01")!.status).toBe("SHUTOFF");
  expect(h.mutations("batchStopServers")).toHaveLength(1);

  // One record per execution: the allowed request went through the same approval record and claim.
  const entries = await h.audit.query({ serverId: h.serverId("web-01"), limit: 100 });
  const types = entries.map((e) => e.type).reverse();
  expect(types[0]).toBe("policy.decided");
  expect(types).toContain("request.created");
  expect(types.filter((t) => t === "execution.started")).toHaveLength(1);
  expect(entries.find((e) => e.type === "execution.finished")?.outcome).toBe("succeeded");
  expect(entries.find((e) => e.type === "policy.decided")).toMatchObject({
    decision: "allow",
    ruleIds: ["soft-power"],
  });
});

it("an allowed request that cannot be decided again before it runs is not run, and its card says it was allowed", async () => {
  h.sim.control.setServer(h.serverId("web-02"), { tags: { env: "dev", team: "platform", role: "web" } });
  // The request's own decision reads the groups; the re-decision just before the run finds that read too
  // old (USER_GROUPS_MAX_AGE has passed) and cannot read them again.
  const unsubscribe = h.fake.subscribe(() => {
    const texts = h.fake.messages(IDS.ops).map((m) => m.text ?? "");
    if (texts.some((t) => t.includes("/ecs stop web-02") || t.includes("*stop* web-02"))) {
      h.clock.advance(DEFAULT_USER_GROUPS_MAX_AGE_MS);
      h.fake.faultNext("usergroups.list", { kind: "error", error: "internal_error" }, 1);
      unsubscribe();
    }
  });
  await h.command("stop web-02");
  const card = await h.waitCard("/ecs stop web-02", (t) => t.includes("Allowed:"));
  await h.ops.idle();
  expect(textOf(card)).toContain("Allowed");
  expect(textOf(card)).not.toContain("Running");
  // First posted as its run would have shown it, the card is edited when the run does not start.
  expect(card.history.map((v) => v.text ?? "")).toEqual([
    expect.stringMatching(/^Running: /),
    expect.stringMatching(/^Allowed: /),
  ]);
  expect(h.mutations("batchStopServers")).toHaveLength(0);
  expect(h.sim.control.server("web-02")!.status).toBe("ACTIVE");
});

it("a batch where some sub-jobs fail reports per-server failures with reasons", async () => {
  const names = ["batch-01", "batch-02", "batch-03", "batch-04", "batch-05"];
  const ids = names.map(
    (name) => h.sim.control.addServer({ name, status: "ACTIVE", tags: { env: "dev" } }).id,
  );
  h.sim.control.failNextJob({ serverIds: [ids[1]!, ids[3]!], reason: "the guest OS did not shut down" });

  await h.command(`stop ${names.join(" ")}`);
  const card = await h.waitCard(`/ecs stop ${names.join(" ")}`, (t) => t.includes("Failed"));
  expect(textOf(card)).toContain("3 stopped, 2 failed");

  const summary = await h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("3 stopped, 2 failed")),
  );
  const text = textOf(summary);
  expect(text).toContain("the guest OS did not shut down");
  expect(text).toContain("batch-02");
  expect(text).toContain("batch-04");
  expect(h.sim.control.server("batch-01")!.status).toBe("SHUTOFF");
  expect(h.sim.control.server("batch-02")!.status).toBe("ACTIVE");
});

it("tells the requester to invite the bot when it cannot post in the channel, and creates nothing", async () => {
  await h.command("stop web-03", { channel: IDS.random });
  const text = await reply(IDS.alice, "/invite");
  expect(text).toContain("not a member");
  expect(h.fake.messages(IDS.random).filter((m) => m.user === IDS.bot)).toHaveLength(0);
  expect(h.mutations()).toHaveLength(0);
});

it("a denial says why, with the rule, and how to split a request over the target cap", async () => {
  const names = [
    "web-01",
    "web-02",
    "web-03",
    "web-04",
    "db-01",
    "db-02",
    "cache-01",
    "api-01",
    "worker-01",
    "cache-02",
    "api-02",
  ];
  await h.command(`delete ${names.join(" ")}`);
  const text = await reply(IDS.alice, "Not allowed");
  expect(text).toContain("at most 10 per request");
  expect(text).toContain("delete-needs-two-approvals");
  expect(text).toContain("Split it");
  expect(text).toContain("/ecs delete web-01 web-02");
  expect(h.mutations()).toHaveLength(0);
  const decided = await h.audit.query({ type: "policy.decided", limit: 1 });
  expect(decided[0]).toMatchObject({ decision: "deny", actorId: IDS.alice });
});

it("/ops policy explain ecs delete web-03 shows the decision and rules, and changes nothing", async () => {
  const before = h.fake.messages(IDS.ops).length;
  await h.command("policy explain ecs delete web-03", { command: "/ops" });
  const text = await reply(IDS.alice, "Needs 2 approvals");
  expect(text).toContain("delete-needs-two-approvals");
  expect(text).toContain(h.serverId("web-03"));
  expect(text).toContain("env=staging");
  expect(text).toContain("nothing was requested or changed");
  expect(text).toContain("2 people could approve it now");

  // A prod server picks up the extra approval through its tag: 3 approvals, but ops-approvers has only two
  // members besides Alice, so the request would be refused at once, and the explanation says so.
  await h.command("policy explain /ecs delete web-01", { command: "/ops" });
  const prod = await reply(IDS.alice, "only 2 people could approve it");
  expect(prod).toContain("Denied");
  expect(prod).toContain("it needs 3 approvals");
  expect(prod).toContain("prod-needs-one-more");

  expect(h.fake.messages(IDS.ops)).toHaveLength(before);
  expect(h.mutations()).toHaveLength(0);
});

it("resize --dry-run shows the preflight and what a real resize needs, and changes nothing", async () => {
  await h.command("resize api-02 s6.large.2 --dry-run");
  const text = await reply(IDS.alice, "Dry run");
  expect(text).toContain("would need 1 approval");
  expect(text).toContain("passed");
  expect(h.mutations()).toHaveLength(0);
  expect(h.sim.control.server("api-02")!.flavorId).toBe("c7.xlarge.2");
  // A production server needs one more, counted in words.
  h.sim.control.setServer(h.serverId("web-01"), { tags: { env: "prod", role: "web" } });
  await h.command("resize web-01 c7.xlarge.2 --dry-run");
  expect(await reply(IDS.alice, "resize web-01")).toContain("would need 2 approvals");
});

it("/ops jobs lists recent runs", async () => {
  await h.command("jobs", { command: "/ops", user: IDS.dave });
  const text = await reply(IDS.dave, "Recent");
  expect(text).toMatch(/stop 1 server: 1 stopped/);
  expect(text).toContain("Running now* (0)");
});

it("/ecs help stop tells what the live policy decides without servers, and which rules decide otherwise for some", async () => {
  await h.command("help stop");
  const help = await reply(IDS.alice, "Current policy");
  expect(help).toContain("Current policy, on servers no rule singles out: allowed without approval.");
  expect(help).toContain("(`prod-needs-one-more`)");
});
