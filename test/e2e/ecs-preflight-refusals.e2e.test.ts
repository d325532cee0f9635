/**
 * Over signed Slack requests: what the cloud would refuse only after a running server was stopped is refused
 * by the preflight before anything is sent (a key pair or image that does not exist, a migration ECS does not
 * make), each with a specific message; a tag change of a locked server is refused as the team's rule it is;
 * and migrate takes no wave flags.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness } from "./helpers/operations-harness.js";

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

const BOGUS = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

function reply(user: string, needle: string): Promise<string> {
  return h.fake.waitFor(() => h.ephemeralTexts(user).findLast((t) => t.includes(needle)));
}
const sent = () => h.sim.control.requests().filter((r) => r.method !== "GET");
const reads = (part: string) =>
  h.sim.control.requests().filter((r) => r.method === "GET" && r.path.includes(part));

it("/ecs reinstall of a running server with an unknown key pair: refused, naming it; nothing stopped", async () => {
  await h.command("reinstall web-03 --keypair KeyPair-nope");
  const text = await reply(IDS.alice, "/ecs reinstall web-03 --keypair KeyPair-nope");
  expect(text).toContain("Cannot go ahead");
  expect(text).toContain(
    "key pair KeyPair-nope does not exist in this project; name an existing one with --keypair",
  );
  expect(reads("/os-keypairs/")).toHaveLength(1);
  expect(sent()).toEqual([]);
  expect(h.sim.control.server("web-03")!.status).toBe("ACTIVE");
});

it("/ecs change-os of a running server to an unknown image: refused, naming it; nothing stopped", async () => {
  await h.command(`change-os web-03 ${BOGUS}`);
  const text = await reply(IDS.alice, `/ecs change-os web-03 ${BOGUS}`);
  expect(text).toContain(`image ${BOGUS} does not exist in this region`);
  expect(reads("/images/")).toHaveLength(1);
  expect(sent()).toEqual([]);
  expect(h.sim.control.server("web-03")!.status).toBe("ACTIVE");
});

it("/ecs migrate of a server in the public pool without --dedicated-host: refused; nothing stopped", async () => {
  await h.command("migrate web-03");
  const text = await reply(IDS.alice, "/ecs migrate web-03");
  expect(text).toContain(
    "web-03: is in the public resource pool, and from there it can only move to a dedicated host; name one with --dedicated-host",
  );
  expect(sent()).toEqual([]);
});

it("/ecs migrate takes no wave flags: the usual refusal of an unknown flag", async () => {
  await h.command("migrate web-03 --waves 2");
  const text = await reply(IDS.alice, "--waves");
  expect(text).toContain("--dedicated-host");
  expect(sent()).toEqual([]);
});

it("/ecs tag of a locked server: refused as the team's rule, not the cloud's", async () => {
  h.sim.control.setServer(h.serverId("web-03"), { locked: true });
  await h.command("tag web-03 add owner=x");
  const text = await reply(IDS.alice, "/ecs tag web-03 add owner=x");
  expect(text).toContain(
    "web-03: is locked, and by the team's rule the bot does not change the tags of a locked server; unlock it first (/ecs unlock)",
  );
  expect(text).not.toContain("a locked server refuses changes");
  expect(sent()).toEqual([]);
});
