/**
 * What the requester types at 3 a.m., over signed HTTP: an ID pasted with the backticks of the code span it was
 * copied from is read as the ID (the request is made for that server); a mistyped verb, or targets typed before
 * their verb, get the corrected command ready to copy and one line to the help, never every verb's usage, and
 * nothing runs; `/ecs help` is a short first screen, `/ecs help all` the whole reference.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
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
  await resetApprovalWorld(h);
});

function answer(needle: string, user: string = IDS.alice): Promise<string> {
  return h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user })
      .map((e) => textOf(e))
      .filter((t) => t.includes(needle))
      .at(-1),
  );
}

it("an ID pasted in backticks is the ID: the request is made for that server", async () => {
  const id = h.serverId("web-01");
  const sent = await h.command(`reboot \`${id}\` --hard`);
  expect(sent.status).toBe(200);
  const card = await h.waitCard("/ecs reboot", (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("web-01");
  expect(
    h.fake
      .ephemerals({ user: IDS.alice })
      .map((e) => textOf(e))
      .join("\n"),
  ).not.toContain("is not a server name");
  expect(h.mutations()).toEqual([]);
});

it("a mistyped verb: the corrected command to copy and one line to the help; nothing runs", async () => {
  await h.command("lsit web");
  const said = await answer("Unknown `/ecs` verb");
  expect(said).toContain("Did you mean `/ecs list web`?");
  expect(said).toContain("`/ecs help` lists every verb");
  expect(said).not.toContain("*Usage*");
  expect(said).not.toContain("/ecs change-os");
});

it("targets typed before their verb: the verb put first, with its flags as typed, only suggested", async () => {
  await h.command('web-01 reboot --hard --break-glass "web tier down, INC-4711 rollback"');
  const said = await answer("Unknown `/ecs` verb");
  expect(said).toContain(
    'Did you mean `/ecs reboot web-01 --hard --break-glass "web tier down, INC-4711 rollback"`?',
  );
  expect(said).not.toContain("*Usage*");
  await h.bot.idle();
  expect(h.mutations()).toEqual([]);
  expect(h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot)).toEqual([]);
  expect(h.fake.messages(IDS.prod).filter((m) => m.user === IDS.bot)).toEqual([]);
});

it("nothing close: every verb and its usage", async () => {
  await h.command("xyzzy web-01");
  const said = await answer("Unknown `/ecs` verb");
  expect(said).toContain("Verbs: `list`");
  expect(said).toContain("/ecs change-os");
});

it("`/ecs help` is a short first screen; `/ecs help all` the whole reference; `/ecs help stop` one verb", async () => {
  await h.command("help");
  const first = await answer("Most used");
  expect(first).toContain("`/ecs stop web-01`");
  expect(first).toContain("`/ecs help all`");
  expect(first).not.toContain("Destructive");
  await h.command("help all");
  const all = await answer("Destructive (cannot be undone)");
  expect(all).toContain("/ecs change-os");
  await h.command("help stop");
  expect(await answer("/ecs stop: ")).toContain("Shipped policy");
});
