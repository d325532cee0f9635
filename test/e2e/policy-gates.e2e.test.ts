/**
 * What the bot says about the policy before a request says what the request then gets, calendars included:
 * `/ecs <verb> help` ("Current policy") and the buttons `/ecs show` offers are decided as of the bot's clock (a
 * freeze next month denies nothing today, a window open now grants now), and a denial that is not about rules
 * (a channel off the allow-list) does not claim that no rule allows the command. Over signed Slack requests,
 * with the shipped policy plus the calendar rules each test adds; times relative to the harness's clock.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  startOperationsHarness,
} from "./helpers/operations-harness.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
let h: OperationsHarness;
let shipped: string;
beforeAll(async () => {
  h = await startOperationsHarness();
  shipped = await readFile("flows/policy.yml", "utf8");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
  await h.policy.replace(shipped);
});

/** An ISO time `minutes` from the harness clock's now. */
const iso = (minutes: number) => new Date(h.clock.now() + minutes * MINUTE).toISOString();
/** The shipped policy with `calendar` added to its calendars. */
const withCalendar = (calendar: string) => shipped.replace(/^calendars:\n/m, `calendars:\n${calendar}`);

/** The first ephemeral to `user` after the `from`th that includes one of `needles`. */
function nextEphemeral(user: string, from: number, ...needles: string[]): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .ephemeralTexts(user)
      .slice(from)
      .find((t) => needles.some((n) => t.includes(n))),
  );
}

/** What `/ecs <verb> help` says the live policy decides for Alice. */
async function helpSays(verb: string): Promise<string> {
  const from = h.ephemeralTexts(IDS.alice).length;
  await h.command(`${verb} help`);
  const help = await nextEphemeral(IDS.alice, from, "Current policy");
  return help.split("\n").find((l) => l.includes("Current policy")) ?? "";
}

/** What `/ops policy explain /ecs <command>` headlines for Alice. */
async function explainSays(command: string): Promise<string> {
  const from = h.ephemeralTexts(IDS.alice).length;
  await h.command(`policy explain /ecs ${command}`, { command: "/ops" });
  return nextEphemeral(IDS.alice, from, "Allowed", "Denied", "Needs");
}

/** The action IDs of the buttons `/ecs show web-04` offers Alice. */
async function showButtons(): Promise<string[]> {
  const from = h.fake.ephemerals({ user: IDS.alice }).length;
  await h.command("show web-04");
  const shown = await h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user: IDS.alice })
      .slice(from)
      .find((e) => JSON.stringify(e).includes("web-04")),
  );
  return actionIdsOf(shown);
}

const FREEZE_RULE = `
  - id: freeze-denies-power
    description: No power changes during the freeze.
    actions: [ecs:cloudServers:stop, ecs:cloudServers:reboot]
    match: { during: [later-freeze] }
    effect: { deny: "Changes are frozen." }
`;

it("a freeze next month: help says stop is allowed and show offers Stop, as a stop request is; in the freeze neither", async () => {
  const normal = await showButtons();
  expect(normal.some((id) => id.includes("stop"))).toBe(true);
  await h.policy.replace(
    `${withCalendar(`  later-freeze:
    kind: freeze
    description: A freeze next month.
    events:
      - { start: "${iso(30 * 24 * 60)}", end: "${iso(31 * 24 * 60)}" }
`)}${FREEZE_RULE}`,
  );

  expect(await explainSays("stop web-04")).toContain("Allowed");
  expect(await helpSays("stop")).toContain("allowed without approval");
  expect(await showButtons()).toEqual(normal);

  h.clock.advance(30 * DAY + 60 * MINUTE);
  expect(await explainSays("stop web-04")).toContain("Changes are frozen.");
  expect(await helpSays("stop")).toContain("denied");
  const frozen = await showButtons();
  expect(frozen.some((id) => id.includes("stop") || id.includes("reboot"))).toBe(false);
});

it("a window open now grants migrate with approval: help says it needs approval, as the request does", async () => {
  await h.policy.replace(
    withCalendar(`  now-window:
    kind: window
    description: A window open now.
    events:
      - { start: "${iso(-10)}", end: "${iso(120)}" }
`).replace(
      "    actions: [ecs:cloudServers:migrate]\n",
      "    actions: [ecs:cloudServers:migrate]\n    match: { during: [now-window] }\n",
    ),
  );
  expect(await explainSays("migrate web-04")).toContain("Needs 1 approval");
  expect(await helpSays("migrate")).toContain("needs approval before it runs");

  h.clock.advance(3 * 60 * MINUTE);
  expect(await explainSays("migrate web-04")).toContain("Denied");
  expect(await helpSays("migrate")).toContain("denied");
});

it("a channel off the allow-list is refused saying so, not that no rule allows the command", async () => {
  await h.policy.replace(`${shipped}\nallowed_channels:\n  names: [prod-ops]\n`);
  const from = h.ephemeralTexts(IDS.alice).length;
  await h.command("stop web-04", { channel: IDS.ops });
  const denied = await nextEphemeral(IDS.alice, from, "Not allowed");
  expect(denied).toContain("I only act in #prod-ops");
  expect(denied).not.toMatch(/no rule (of the policy )?allows it/i);
});
