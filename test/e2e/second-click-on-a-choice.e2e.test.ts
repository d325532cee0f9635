/**
 * A choice offered to the requester (the power actions of `/ecs show`) continues its command once. A second
 * click on it, by the requester, is told the choice was made (not that the result "expired", which invites
 * running the command again); by anyone else, that the choice is not theirs. Nothing runs twice either way.
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
  h.fake.reset();
});

/** `/ecs show web-03` by Alice, and a click on its Stop action by `user`. */
async function showThenStop() {
  await h.command("show web-03");
  const show = await h.fake.waitFor(() =>
    h.fake.ephemerals({ user: IDS.alice }).find((e) => textOf(e).includes("Stop this server?")),
  );
  await h.bot.idle();
  const value = /"value":"([A-Za-z0-9_-]+:stop)"/.exec(JSON.stringify(show.blocks))?.[1];
  expect(value).toBeDefined();
  const click = (user: string) =>
    sendBlockAction(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildBlockAction({
        user,
        channel: IDS.ops,
        message: show,
        isEphemeral: true,
        actions: [{ actionId: "q.act.stop", value: value ?? "" }],
      }),
    );
  await click(IDS.alice);
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Chosen: Stop")));
  await h.ops.idle();
  await h.waitCard("/ecs stop", (t) => t.includes("Done"));
  return click;
}

it("the requester clicks Stop again: told the choice was made; still one stop", async () => {
  const click = await showThenStop();
  const before = h.fake.responses().length;
  await click(IDS.alice);
  await h.fake.waitFor(() => (h.fake.responses().length > before ? true : undefined));
  await h.bot.idle();
  await h.ops.idle();
  const said = h.ephemeralTexts(IDS.alice).at(-1) ?? "";
  expect(said).toContain("This choice was already made, so nothing more was done.");
  expect(said).not.toContain("expired");
  expect(h.mutations("batchStopServers")).toHaveLength(1);
});

it("someone else clicks the used Stop: told it is not theirs; still one stop", async () => {
  const click = await showThenStop();
  const before = h.fake.responses().length;
  await click(IDS.bob);
  await h.fake.waitFor(() => (h.fake.responses().length > before ? true : undefined));
  await h.bot.idle();
  await h.ops.idle();
  expect(h.ephemeralTexts(IDS.bob).at(-1)).toContain("Only the person who ran the command can choose here.");
  expect(h.mutations("batchStopServers")).toHaveLength(1);
});
