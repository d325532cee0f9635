/**
 * Approval cards end to end: requests that need approval, clicks by approvers, the requester and outsiders,
 * the reason modal, concurrency and redelivery, drift, and a resize of a running server.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { readRequestId } from "../helpers/read-request-id.js";
import { redeliver, sendBlockAction, sendViewSubmission } from "../helpers/slack-requests.js";
import { waitForEphemeral } from "../helpers/wait-for-ephemeral.js";
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

const APPROVE = "ops.approval.approve";
const REJECT = "ops.approval.reject";
const CANCEL = "ops.approval.cancel";
const DETAILS = "ops.request.details";

/** The request ID a card's buttons carry (their only value). */

/** Waits until `user` got an ephemeral whose text includes `needle`. */
const ephemeral = (user: string, needle: string) => waitForEphemeral(h, user, needle);

it("/ecs delete web-03 web-04: two approvals, refusals for the requester and an outsider, executed once, audited", async () => {
  const web03 = h.serverId("web-03");
  const web04 = h.serverId("web-04");
  await h.command("delete web-03 web-04");
  const card = await h.waitCard("/ecs delete web-03 web-04", (t) => t.includes("Approval needed"));
  const text = textOf(card);
  for (const expected of [
    "web-03",
    "web-04",
    "0 of 2",
    "Expires",
    "data disks kept",
    `<!subteam^${IDS.opsApprovers}>`,
  ]) {
    expect(text).toContain(expected);
  }
  // IDs and rule descriptions are behind Details, answered to the clicking user only.
  expect(text).not.toContain(web03);
  expect(actionIdsOf(card)).toEqual([APPROVE, REJECT, CANCEL, DETAILS]);
  const id = readRequestId(card);
  await h.click(card, DETAILS, IDS.dave);
  const details = await ephemeral(IDS.dave, "Details");
  for (const expected of [web03, web04, "delete-needs-two-approvals", "flows/policy.yml:"]) {
    expect(details).toContain(expected);
  }
  await ephemeral(IDS.alice, "needs 2 approvals");

  await h.click(card, APPROVE, IDS.bob);
  const afterBob = await h.waitCard("/ecs delete web-03 web-04", (t) => t.includes("1 of 2"));
  expect(textOf(afterBob)).toContain(`<@${IDS.bob}>`);

  await h.click(card, APPROVE, IDS.alice);
  expect(await ephemeral(IDS.alice, "own request")).toContain("cannot approve your own request");
  await h.click(card, APPROVE, IDS.dave);
  expect(await ephemeral(IDS.dave, "not an approver")).toBeTruthy();
  await h.click(card, APPROVE, IDS.bob);
  expect(await ephemeral(IDS.bob, "already approved")).toBeTruthy();
  expect(textOf(h.latest(id))).toContain("1 of 2");

  await h.click(card, APPROVE, IDS.carol);
  const done = await h.waitCard("/ecs delete web-03 web-04", (t) => t.includes("Done"));
  expect(textOf(done)).toContain("2 deleted");
  expect(actionIdsOf(done)).toEqual([DETAILS]);
  expect(h.sim.control.server(web03)).toBeUndefined();
  expect(h.sim.control.server(web04)).toBeUndefined();
  expect(h.mutations("deleteServers")).toHaveLength(1);
  const summary = await h.fake.waitFor(() => h.replies(card).find((m) => textOf(m).includes("2 deleted")));
  expect(textOf(summary)).toMatch(/jobs: `[^`]+`/);

  // The whole story, from the audit log and through /ops audit (the server is gone: found by its name).
  const story = (await h.audit.query({ requestId: id, limit: 100 })).reverse().map((e) => e.type);
  expect(story.slice(0, 7)).toEqual([
    "policy.decided",
    "request.created",
    "approval.recorded",
    "click.refused",
    "click.refused",
    "approval.recorded",
    "request.approved",
  ]);
  expect(story).toContain("execution.job");
  expect(story.filter((t) => t === "execution.started")).toHaveLength(1);
  expect(story.at(-1)).toBe("execution.finished");

  await h.command("audit web-03 50", { command: "/ops", user: IDS.erin });
  const audit = await h.fake.waitFor(() =>
    h.fake
      .responses()
      .map((r) =>
        r.effect.kind === "ephemeral" && r.effect.ephemeral.user === IDS.erin
          ? textOf(r.effect.ephemeral)
          : "",
      )
      .find((t) => t.includes("Audit log")),
  );
  // Each entry's kind in operator words (its code is only the last of its fields, the first the renderer cuts).
  for (const title of [
    "Policy decided: needs approval",
    "Request created",
    "Approval counted",
    "Request approved",
    "Cloud job started",
    "Run finished",
  ]) {
    expect(audit).toContain(title);
  }
  // Refused clicks in words, not as their codes.
  expect(audit).toContain("Approve refused: requesters may not approve their own request");
  expect(audit).toContain("Approve refused: not one of its approvers");
  expect(audit).not.toContain("self_approval");
});

it("20 concurrent mixed Approve/Reject clicks and redeliveries: exactly one decision, at most one delete", async () => {
  await h.command("delete api-02");
  const card = await h.waitCard("/ecs delete api-02", (t) => t.includes("Approval needed"));
  const id = readRequestId(card);
  const view = { id: "VCONCURRENT1", callback_id: "ops.approval.reject", private_metadata: id };
  const sends: Promise<Awaited<ReturnType<typeof sendBlockAction>>>[] = [];
  for (let i = 0; i < 20; i++) {
    const user = i % 2 === 0 ? IDS.bob : IDS.carol;
    if (i % 4 === 3) {
      const payload = h.fake.buildViewSubmission({
        user,
        view,
        values: { reason: { reason: { type: "plain_text_input", value: `no ${i}` } } },
      });
      sends.push(sendViewSubmission(h.eventsUrl, h.fake.signingSecret, payload));
    } else {
      const actionId = i % 4 === 2 ? REJECT : APPROVE;
      const payload = h.fake.buildBlockAction({
        user,
        channel: IDS.ops,
        message: card,
        actions: [{ actionId }],
      });
      sends.push(sendBlockAction(h.eventsUrl, h.fake.signingSecret, payload));
    }
  }
  const results = await Promise.all(sends);
  expect(results.every((r) => r.status === 200)).toBe(true);
  // Slack redelivering the same interactions, concurrently.
  await Promise.all(results.slice(0, 6).map((r) => redeliver(h.eventsUrl, h.fake.signingSecret, r)));

  const final = await h.waitCard("/ecs delete api-02", (t) => /Done|Rejected|Failed/.test(t));
  await h.ops.idle();
  const story = await h.audit.query({ requestId: id, limit: 200 });
  const decisions = story.filter((e) => e.type === "request.approved" || e.type === "request.rejected");
  expect(decisions).toHaveLength(1);
  const deletes = h.mutations("deleteServers");
  expect(deletes.length).toBeLessThanOrEqual(1);
  if (decisions[0]!.type === "request.approved") {
    expect(deletes).toHaveLength(1);
    expect(story.filter((e) => e.type === "execution.started")).toHaveLength(1);
    expect(textOf(final)).toContain("1 deleted");
  } else {
    expect(deletes).toHaveLength(0);
    expect(textOf(final)).toMatch(/Rejected by <@U_(BOB|CAROL)>: no \d+/);
  }
});

it("reject with a reason: the modal insists on a reason, then the card says who rejected and why", async () => {
  await h.command("resize web-03 s6.large.2");
  const card = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("0 of 1");
  const id = readRequestId(card);
  await h.click(card, REJECT, IDS.bob);
  const empty = await h.submitReason(IDS.bob, id, "   ");
  expect(JSON.parse(empty.body)).toMatchObject({
    response_action: "errors",
    errors: { reason: expect.any(String) },
  });
  expect(textOf(h.latest(id))).toContain("Approval needed");

  const ok = await h.submitReason(IDS.bob, id, "not during the sale, please");
  expect(ok.status).toBe(200);
  const rejected = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Rejected"));
  expect(textOf(rejected)).toContain(`Rejected by <@${IDS.bob}>: not during the sale, please`);
  expect(actionIdsOf(rejected)).toEqual([DETAILS]);

  // Decided: later clicks do nothing but say so.
  await h.click(card, APPROVE, IDS.carol);
  expect(await ephemeral(IDS.carol, "rejected by")).toContain("not during the sale");
  expect(h.mutations()).toHaveLength(0);
});

it("cancel: refused for someone else, done for the requester", async () => {
  await h.command("resize web-04 s6.large.2");
  const card = await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Approval needed"));
  await h.click(card, CANCEL, IDS.bob);
  expect(await ephemeral(IDS.bob, "Only the requester")).toBeTruthy();
  await h.click(card, CANCEL, IDS.alice);
  const cancelled = await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Cancelled"));
  expect(textOf(cancelled)).toContain(`Cancelled by <@${IDS.alice}>`);
  expect(actionIdsOf(cancelled)).toEqual([DETAILS]);
});

it("/ops approvals lists what the user can act on, with working buttons", async () => {
  await h.command("resize cache-02 s6.large.2");
  const card = await h.waitCard("/ecs resize cache-02 s6.large.2", (t) => t.includes("Approval needed"));
  const id = readRequestId(card);

  const listFor = async (user: string, needle: string) => {
    await h.command("approvals", { command: "/ops", user });
    return h.fake.waitFor(() =>
      h.fake
        .responses()
        .filter(
          (r) =>
            r.effect.kind === "ephemeral" &&
            r.effect.ephemeral.user === user &&
            textOf(r.effect.ephemeral).includes(needle),
        )
        .map((r) => (r.effect.kind === "ephemeral" ? r.effect.ephemeral : undefined))
        .at(-1),
    );
  };
  const bobs = await listFor(IDS.bob, "/ecs resize cache-02");
  expect(textOf(bobs)).toContain(id);
  const bobButtons = actionIdsOf(bobs);
  expect(bobButtons.some((a) => a.startsWith(APPROVE))).toBe(true);
  expect(bobButtons.some((a) => a.startsWith(CANCEL))).toBe(false);

  const alices = await listFor(IDS.alice, "/ecs resize cache-02");
  expect(actionIdsOf(alices).some((a) => a.startsWith(CANCEL))).toBe(true);
  expect(actionIdsOf(alices).some((a) => a.startsWith(APPROVE))).toBe(false);

  const daves = await listFor(IDS.dave, "No pending approvals");
  expect(textOf(daves)).not.toContain(id);

  // Approving from the list works like the card.
  const approveId = bobButtons.find((a) => a.startsWith(APPROVE))!;
  await sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({
      user: IDS.bob,
      channel: IDS.ops,
      message: bobs,
      isEphemeral: true,
      actions: [{ actionId: approveId }],
    }),
  );
  await h.waitCard("/ecs resize cache-02 s6.large.2", (t) => t.includes("Done"));
  expect(h.sim.control.server("cache-02")!.flavorId).toBe("s6.large.2");
});

it("--reason: approvers read why on the card and in /ops approvals, escaped; the audit keeps it; the command line does not", async () => {
  const why = "INC-4711 <!channel> *now*: leaks memory";
  await h.command(`resize worker-01 s6.large.2 --reason "${why}"`);
  const card = await h.waitCard("/ecs resize worker-01 s6.large.2", (t) => t.includes("Approval needed"));
  // Slack sends the mention as \`<!channel>\`: it reaches the card as text that pings nobody.
  expect(textOf(card)).toContain("*Why:* INC-4711 @\u2060channel ∗now∗: leaks memory");
  expect(textOf(card)).not.toContain("--reason");
  const id = readRequestId(card);
  await h.command("approvals", { command: "/ops", user: IDS.bob });
  const list = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.bob).find((t) => t.includes(id) && t.includes("*Why:*")),
  );
  expect(list).toContain("*Why:* INC-4711 @\u2060channel ∗now∗: leaks memory");
  const [created] = await h.audit.query({ type: "request.created", requestId: id, limit: 1 });
  expect(created?.detail?.why).toMatch(/^INC-4711 .*channel.* \*now\*: leaks memory$/);
  expect(created?.message).toBe("/ecs resize worker-01 s6.large.2");
  await h.click(card, CANCEL, IDS.alice);
  await h.waitCard("/ecs resize worker-01 s6.large.2", (t) => t.includes("Cancelled"));
});

it("drift: the flavor changed after the request, so the approved resize aborts with the difference and no call", async () => {
  await h.command("resize api-02 s6.large.2");
  const card = await h.waitCard("/ecs resize api-02 s6.large.2", (t) => t.includes("Approval needed"));
  h.sim.control.setServer(h.serverId("api-02"), { flavorId: "c7.2xlarge.4" });
  h.sim.control.clearRequests();
  await h.click(card, APPROVE, IDS.bob);
  // Aborted before anything was sent: said as such, never "Failed" (the approval record keeps `failed`).
  const failed = await h.waitCard("/ecs resize api-02 s6.large.2", (t) =>
    t.includes("Not run — servers changed since approval"),
  );
  expect(textOf(failed)).toContain("Nothing was sent. Ask again to get fresh approval.");
  expect(textOf(failed)).not.toContain("Failed");
  const summary = await h.fake.waitFor(() => h.replies(card).find((m) => textOf(m).includes("not run:")));
  expect(textOf(summary)).toContain("c7.xlarge.2");
  expect(textOf(summary)).toContain("c7.2xlarge.4");
  expect(h.mutations()).toHaveLength(0);
  expect(h.sim.control.server("api-02")!.flavorId).toBe("c7.2xlarge.4");
});

it("resize of a running server: stop → resize → start, progress in the thread, final flavor correct", async () => {
  await h.command("resize web-04 s6.large.2");
  const card = await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("stopped, resized and started again");
  await h.click(card, APPROVE, IDS.carol);
  const done = await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Done"));
  expect(textOf(done)).toContain("1 resized");

  const server = h.sim.control.server("web-04")!;
  expect(server.flavorId).toBe("s6.large.2");
  expect(server.status).toBe("ACTIVE");
  expect(h.mutations().map((m) => m.mutation!.type)).toEqual([
    "batchStopServers",
    "resizeServer",
    "batchStartServers",
  ]);

  // The status message's last edit may land after the card's: the summary and the card do not wait for it.
  await h.ops.idle();
  const replies = h.replies(card);
  expect(textOf(replies[0])).toContain(`<@${IDS.carol}> approved (1 of 1)`);
  const status = replies.find((m) => m.history.length > 1)!;
  expect(textOf(status.history[0])).toContain("running since");
  expect(textOf(status)).toContain("finished after");
  for (const step of [
    "Wait until they are stopped",
    "Wait until the new flavor is in place",
    "Wait until they are running",
  ])
    expect(textOf(status)).toContain(step);
  // Operator words only: no step IDs, no flow-file descriptions.
  expect(textOf(status)).not.toContain("wait_stopped");
  expect(textOf(status)).not.toContain("The intent is saved");
  expect(textOf(replies.at(-1))).toContain("s6.large.2");
});
