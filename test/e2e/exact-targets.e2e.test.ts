/**
 * "Act only on exactly named servers", end to end: signed Slack requests into the bot over loopback, the fake
 * Slack, the simulated cloud, the shipped policy. A command that changes servers never acts on a prefix or a
 * different case; it offers the exact names as buttons that run the same command through the normal path.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { sendBlockAction } from "../helpers/slack-requests.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

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
  h.sim.control.addServer({ name: "web-10", status: "ACTIVE", tags: { env: "dev" } });
  for (const user of [IDS.alice, IDS.dave]) seen.set(user, h.fake.ephemerals({ user }).length);
});

/** The first ephemeral `user` received since the test started whose text includes `needle`. */
function ephemeral(needle: string, user: string = IDS.alice) {
  return h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user })
      .slice(seen.get(user) ?? 0)
      .find((e) => textOf(e).includes(needle)),
  );
}
const seen = new Map<string, number>();

function buttonsOf(message: {
  blocks?: unknown[];
}): { action_id: string; value: string; text: { text: string } }[] {
  return (message.blocks ?? [])
    .flatMap(
      (b) =>
        ((b as { elements?: unknown[] }).elements ?? []) as {
          action_id: string;
          value: string;
          text: { text: string };
        }[],
    )
    .filter((e) => typeof e.action_id === "string");
}

function clickEphemeral(
  message: { ts: string; blocks?: unknown[] },
  actionId: string,
  user: string = IDS.alice,
) {
  return sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({ user, channel: IDS.ops, message, isEphemeral: true, actions: [{ actionId }] }),
  );
}

it("/ecs stop web-1 never stops web-10: it says no server is named web-1 and offers web-10", async () => {
  const res = await h.command("stop web-1");
  expect(res.status).toBe(200);
  const answer = await ephemeral("No server is named");
  expect(textOf(answer)).toContain("No server is named `web-1`");
  const buttons = buttonsOf(answer);
  expect(buttons.map((b) => b.text.text)).toContain("web-10");
  await h.ops.idle();
  expect(h.mutations()).toEqual([]);
  expect(h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot)).toEqual([]);
  expect(h.sim.control.server("web-10")?.status).toBe("ACTIVE");
});

it("the offered name runs the same command with that exact name, through policy and execution, once", async () => {
  await h.command("stop web-1");
  const answer = await ephemeral("No server is named");
  const offered = buttonsOf(answer).find((b) => b.text.text === "web-10");
  expect(offered).toBeDefined();
  await clickEphemeral(answer, offered!.action_id);
  const card = await h.waitCard("/ecs stop web-10", (t) => t.includes("Done"));
  expect(textOf(card)).toContain("web-10");
  const stops = h.mutations("batchStopServers");
  expect(stops).toHaveLength(1);
  expect(stops[0]?.mutation?.serverIds).toEqual([h.serverId("web-10")]);
  expect(h.sim.control.server("web-10")?.status).toBe("SHUTOFF");

  // The same button again continues nothing: the choice was used up.
  const responses = h.fake.responses().length;
  await clickEphemeral(answer, offered!.action_id);
  await h.fake.waitFor(() => h.fake.responses().length > responses || undefined);
  await h.ops.idle();
  expect(h.mutations("batchStopServers")).toHaveLength(1);
});

it("another user cannot use the requester's offered names", async () => {
  await h.command("stop web-1");
  const answer = await ephemeral("No server is named");
  const offered = buttonsOf(answer).find((b) => b.text.text === "web-10")!;
  await clickEphemeral(answer, offered.action_id, IDS.dave);
  await h.fake.waitFor(() => h.fake.ephemerals({ user: IDS.dave }).at(-1));
  await h.ops.idle();
  expect(h.mutations()).toEqual([]);
});

it("a different case is not the same name for a mutation: WEB-10 offers web-10 and does nothing", async () => {
  await h.command("delete WEB-10");
  const answer = await ephemeral("No server is named");
  expect(textOf(answer)).toContain("`WEB-10`");
  expect(buttonsOf(answer)[0]?.text.text).toBe("web-10");
  await h.ops.idle();
  expect(h.mutations()).toEqual([]);
  // Choosing it goes through the normal path: a delete needs two approvals, so a card waits for them.
  await clickEphemeral(answer, buttonsOf(answer)[0]!.action_id);
  const card = await h.waitCard("/ecs delete web-10", (t) => t.includes("Approve"));
  expect(textOf(card)).toContain("0 of 2");
  expect(h.mutations()).toEqual([]);
});

it("reads still accept a unique prefix and say which server they matched", async () => {
  await h.command("show web-1");
  const answer = await ephemeral("web-10");
  expect(textOf(answer)).toContain("Matched by prefix: `web-10` (you typed `web-1`)");
  // A name in another case is not a prefix match: said as what it is.
  await h.command("show WEB-10");
  const cased = await ephemeral("WEB-10");
  expect(textOf(cased)).toContain("Matched ignoring case: `web-10` (you typed `WEB-10`)");
});

it("/ops policy explain resolves targets as the explained command does", async () => {
  await h.command("policy explain ecs stop web-1", { command: "/ops" });
  const explained = await ephemeral("/ecs stop web-1");
  expect(textOf(explained)).toContain("Not resolved, so not considered: web-1.");
  expect(textOf(explained)).not.toContain(h.serverId("web-10"));
  await h.command("policy explain ecs stop web-10", { command: "/ops" });
  const exact = await ephemeral("/ecs stop web-10");
  expect(textOf(exact)).not.toContain("Not resolved");
  expect(textOf(exact)).toContain("soft-power");
  // A read explained resolves by prefix, as the read itself would.
  await h.command("policy explain ecs show web-1", { command: "/ops" });
  const read = await ephemeral("/ecs show web-1");
  expect(textOf(read)).not.toContain("Not resolved");
});
