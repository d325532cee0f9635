/**
 * Hostile or mistaken input, end to end (from a hostile-user review): a Slack mention or a link where a zone, a
 * cron expression, a schedule ID, a flag or a command line belongs gets an answer that says what it is, and
 * nothing runs.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
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

/** The newest ephemeral Alice got once the bot is idle. */
async function answer(): Promise<string> {
  const e = await h.fake.waitFor(() => h.fake.ephemerals({ user: IDS.alice }).at(-1));
  await h.bot.idle();
  return textOf(h.fake.ephemerals({ user: IDS.alice }).at(-1) ?? e);
}

it("a Slack mention as tz= is refused as a time zone, not as the command `/`", async () => {
  for (const mention of ["<!channel>", "<@U_DAVE>"]) {
    await h.command(`schedule add "0 3 * * *" tz=${mention} /ecs stop web-03`, { command: "/ops" });
    const text = await answer();
    expect(text).toContain("A Slack mention is not an IANA time zone");
    expect(text).not.toContain("Unknown command");
  }
  expect(h.mutations()).toHaveLength(0);
});

it("a quoted cron expression that is a Slack mention is called one, not asked to be quoted", async () => {
  await h.command('schedule add "<!channel>" /ecs stop web-03', { command: "/ops" });
  const text = await answer();
  expect(text).toContain("A Slack mention is not a cron expression");
  expect(text).not.toContain("Put the cron expression in quotes");
});

it("a bad schedule ID is called that, in words, and a mention is not shown as code", async () => {
  await h.command("schedule pause <!channel>", { command: "/ops" });
  let text = await answer();
  expect(text).toContain(
    "A Slack mention is not a schedule ID: expected one like `sch_4kq2m9x1` (see `/ops schedule list`).",
  );
  expect(text).not.toContain("`(a Slack mention)`");
  await h.command("schedule pause sch_zzzz", { command: "/ops" });
  text = await answer();
  expect(text).toContain("`sch_zzzz` is not a schedule ID");
  expect(text).not.toContain("valid `id`");
});

it("`--<!channel>` is an unknown flag, with the flags the verb takes, not a server", async () => {
  await h.command("stop web-03 --<!channel>");
  const text = await answer();
  expect(text).toContain("A Slack mention is not a flag of `/ecs stop`.");
  expect(text).toContain("--hard");
  expect(text).not.toContain("are not servers");
  expect(h.mutations()).toHaveLength(0);
});

it("a link as the explained command is not read as a command named after its label", async () => {
  await h.command("policy explain <http://evil.example|click>", { command: "/ops" });
  const text = await answer();
  expect(text).toContain("The command line must start with `/ecs`, `/hss` or `/ops`.");
  expect(text).not.toContain("/click");
});
