/**
 * What a new operator gets for a miss, end to end (signed Slack requests into the bot over loopback, the fake
 * Slack, the simulated cloud): an unknown HSS scan task, a short server ID as cards print it, a near-miss
 * flavor, a mistyped tag selector. Each is a plain answer that changes nothing and costs only the requests
 * the command itself needs (never a fleet listing).
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { sendBlockAction } from "../helpers/slack-requests.js";
import {
  fleetListingCount,
  IDS,
  type OperationsHarness,
  requestPaths,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
  // The fleet index (names and IDs for suggestions) is listed in the background from the start.
  for (let i = 0; i < 200 && fleetListings() === 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(fleetListings()).toBeGreaterThan(0);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

async function reply(text: string, command = "/ecs") {
  const before = h.fake.ephemerals({ user: IDS.alice }).length;
  await h.command(text, { user: IDS.alice, command });
  return h.fake.waitFor(() => h.fake.ephemerals({ user: IDS.alice }).slice(before).at(-1));
}

const paths = () => requestPaths(h.sim);
const fleetListings = () => fleetListingCount(h.sim);

function buttonsOf(message: { blocks?: unknown[] }): { action_id: string; text: { text: string } }[] {
  return (message.blocks ?? [])
    .flatMap(
      (b) =>
        ((b as { elements?: unknown[] }).elements ?? []) as { action_id: string; text: { text: string } }[],
    )
    .filter((e) => typeof e.action_id === "string");
}

it("/hss scan <unknown task>: says no such task and where the recent ones are, with one HSS request", async () => {
  const t = textOf(await reply("scan 4e1b0a7c status=failed", "/hss"));
  expect(t).toContain("No HSS scan task `4e1b0a7c`");
  expect(t).toContain("`/hss scan` lists the recent ones");
  expect(t).not.toContain("HSS.0011");
  expect(t).not.toContain("rejected");
  expect(paths()).toEqual([
    expect.stringMatching(/^GET \/v5\/\w+\/vulnerability\/scan-task\/4e1b0a7c\/hosts$/),
  ]);
});

it("/ecs show <short ID>: asks for the whole ID and names the server whose ID starts so, one name query", async () => {
  const id = h.serverId("web-01");
  const short = id.slice(0, 8);
  const t = textOf(await reply(`show ${short}`));
  expect(t).toContain(`No server is named \`${short}\``);
  expect(t).toContain(
    `\`${short}\` looks like the start of a server ID; give the whole ID (\`/ecs list\` shows them)`,
  );
  expect(t).toContain(`It starts the ID of \`web-01\` (\`${id}\`)`);
  // A read does not resolve a prefix of an ID: nothing about web-01 is shown as if asked for.
  expect(t).not.toContain("ACTIVE");
  expect(h.sim.control.requests()).toHaveLength(1);
  expect(fleetListings()).toBe(0);
});

it("/ecs stop <short ID>: nothing stops; the server is offered by its whole ID, and choosing it runs on that ID even after another server took its name", async () => {
  const id = h.serverId("web-03");
  const short = id.slice(0, 13);
  const answer = await reply(`stop ${short}`);
  expect(textOf(answer)).toContain("looks like the start of a server ID");
  expect(textOf(answer)).toContain(`It starts the ID of \`web-03\` (\`${id}\`)`);
  const buttons = buttonsOf(answer);
  expect(buttons.map((b) => b.text.text)).toEqual([`web-03 (${id.slice(0, 8)}…)`]);
  await h.ops.idle();
  expect(h.mutations()).toEqual([]);
  expect(fleetListings()).toBe(0);

  // Between the offer and the click, the server is renamed and a new one takes its name.
  h.sim.control.setServer(id, { name: "web-03-retired" });
  h.sim.control.addServer({ name: "web-03", status: "ACTIVE", tags: { env: "dev" } });
  await sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({
      user: IDS.alice,
      channel: IDS.ops,
      message: answer,
      isEphemeral: true,
      actions: [{ actionId: buttons[0]!.action_id }],
    }),
  );
  const card = await h.waitCard(`/ecs stop ${id}`);
  expect(textOf(card)).toContain("web-03-retired");
  await h.ops.idle();
  for (const m of h.mutations()) expect(m.mutation?.serverIds).toEqual([id]);
});

it("/ecs stop <hex that starts no ID>: asks for the whole ID, offers nothing", async () => {
  const answer = await reply("stop deadbeef");
  expect(textOf(answer)).toContain("`deadbeef` looks like the start of a server ID");
  expect(buttonsOf(answer)).toEqual([]);
  await h.ops.idle();
  expect(h.mutations()).toEqual([]);
});

it("/ecs resize to a near-miss flavor: the closest flavors and /ecs flavors, nothing resized", async () => {
  const t = textOf(await reply("resize web-03 s6.xlarge"));
  expect(t).toContain("flavor s6.xlarge does not exist in this region. Did you mean s6.xlarge.2");
  expect(t).toContain("/ecs flavors lists them");
  await h.ops.idle();
  expect(h.mutations()).toEqual([]);
  expect(fleetListings()).toBe(0);
});

it("tag selectors written with ':' or a space: the corrected selector, no cloud request", async () => {
  expect(textOf(await reply("stop tag:env:staging"))).toContain(
    "`tag:env:staging` separates key and value with `:`; write `=`: `tag:env=staging`",
  );
  expect(textOf(await reply("stop tag env:staging"))).toContain("`tag:env=staging`");
  expect(textOf(await reply("list env=prod"))).toContain("To filter by tag, write `tag=env=prod`");
  expect(paths()).toEqual([]);
  expect(h.mutations()).toEqual([]);
});
