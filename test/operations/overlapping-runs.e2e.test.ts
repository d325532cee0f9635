/**
 * Two approved changes for the same servers (over signed Slack requests, against the simulated cloud): while
 * the bot's first change still runs on them (its job queued, so the servers still read ACTIVE and the
 * preflight sees nothing busy), the second is not sent. Its card ends "Not run — servers busy with another change" (never
 * "Failed"), and its thread names the change holding the servers, links to its thread and says to ask again.
 * Once the first has ended, the servers are free again. Changes of other servers run side by side.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  // The first reboot is left queued past its wait's deadline: its run lease must outlive the jump of the clock.
  h = await startOperationsHarness({ operations: { runLeaseTtlMs: 24 * 3600_000 } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  await resetApprovalWorld(h);
  h.sim.control.reset();
  h.sim.control.clearFaults();
}, 60_000);

const cards = (needle: string) =>
  h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot && textOf(m).includes(needle));
const now = (ts: string) => h.fake.messages(IDS.ops).find((m) => m.ts === ts);
const requestIdOf = (message: { blocks?: unknown[] }) =>
  /apr_[A-Za-z0-9_-]+/.exec(JSON.stringify(message.blocks))?.[0];

/** The command as its card shows it (without its `--reason`). */
const shown = (command: string) => `/ecs ${command.replace(/ --reason .*$/, "")}`;

/** Asks for `command` (needing one approval) and resolves with its card once it waits for approval. */
async function ask(command: string) {
  const needle = shown(command);
  const before = cards(needle).length;
  await h.command(command);
  await h.fake.waitFor(() => (cards(needle).length > before ? true : undefined));
  const card = await h.fake.waitFor(() => {
    const latest = cards(needle).at(-1);
    return latest !== undefined && textOf(latest).includes("Approval needed") ? latest : undefined;
  });
  await h.bot.idle();
  return card;
}

/** Approves `card` (Bob, then Carol if a second approval is needed). */
async function approve(card: { ts: string; blocks?: unknown[] }) {
  await h.click(card, "ops.approval.approve", IDS.bob);
  await h.bot.idle();
  if (textOf(now(card.ts)).includes("Approval needed"))
    await h.click(card, "ops.approval.approve", IDS.carol);
}

it("a second approved reboot of the same servers is not sent while the first is queued: aborted, why, what to do", async () => {
  // Queued (INIT) for a day: the servers still read ACTIVE, the busy preflight sees nothing.
  h.sim.control.setJobTiming({ initMs: 24 * 3600_000, runningMs: 60 });
  const command = 'reboot web-01 web-02 --reason "INC-9: web tier unhealthy"';
  const first = await ask(command);
  const firstId = requestIdOf(first);
  expect(firstId).toBeDefined();
  await approve(first);
  await h.fake.waitFor(() => (h.mutations("batchRebootServers").length === 1 ? true : undefined));
  await h.waitCard(shown(command), (t) => t.includes("Running"));
  // Asked again (the first no longer waits for approval, so this is a request of its own), and approved.
  const second = await ask(command);
  await approve(second);

  const ended = await h.fake.waitFor(() => {
    const card = now(second.ts);
    return card !== undefined && textOf(card).includes("Not run — servers busy with another change")
      ? card
      : undefined;
  });
  // (Not `ops.idle()`: the first run waits on its queued job until the clock moves.)
  await h.bot.idle();
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
  const text = textOf(ended);
  expect(text).not.toMatch(/Failed|Ecs\.0100/);
  // The ID as code, copied exactly: a run of underscores in a random ID is never defused (`ˍ`) on the card.
  expect(text).toContain(
    `\`web-01\` and \`web-02\` are being changed by a reboot the bot is still running (request \`${firstId}\`)`,
  );
  expect(text).not.toMatch(/[ˍˋ]/);
  expect(text).toContain("nothing was sent, ask again once it has finished");

  // The thread says which change holds the servers, links to it, and what to do.
  const said = await h.fake.waitFor(() => h.replies(ended).find((m) => textOf(m).includes("Not run:")));
  const reply = textOf(said);
  expect(reply).toContain("`web-01` and `web-02` are being changed by a *reboot* the bot is still running");
  expect(reply).toContain(`request \`${firstId}\` by <@${IDS.alice}>`);
  expect(reply).toMatch(/<https?:[^|>]+\|its thread>/);
  expect(reply).toContain("Nothing was sent to the cloud.");
  expect(reply).toContain(`<@${IDS.alice}>, ask again once it has finished: \`${shown(command)}`);
  // The first is untouched: still running.
  expect(textOf(now(first.ts))).toContain("Running");

  // The audit: the second was claimed and ended failed with the reason, never sent.
  const finished = await h.audit.query({ type: "execution.finished", limit: 5 });
  const mine = finished.find((e) => e.requestId === requestIdOf(second));
  expect(mine?.message ?? JSON.stringify(mine)).toContain("being changed by a reboot");

  // The first run ends (its wait's deadline; the job is still queued): the servers are free for the bot again.
  h.clock.advance(16 * 60_000);
  await h.fake.waitFor(() => (/Running/.test(textOf(now(first.ts))) ? undefined : true), 15_000);
  await h.ops.idle();
  const third = await ask(command);
  await approve(third);
  await h.fake.waitFor(() => (h.mutations("batchRebootServers").length === 2 ? true : undefined));
  h.clock.advance(16 * 60_000);
  await h.ops.idle();
});

it("one shared server is enough to hold a change; other servers' changes run side by side", async () => {
  h.sim.control.setJobTiming({ initMs: 24 * 3600_000, runningMs: 60 });
  const first = await ask('reboot web-01 web-02 --hard --reason "INC-10"');
  const overlapping = await ask('reboot web-02 web-03 --hard --reason "INC-10"');
  const apart = await ask('reboot web-04 --hard --reason "INC-10"');
  await approve(first);
  await h.fake.waitFor(() => (h.mutations("batchRebootServers").length === 1 ? true : undefined));

  await approve(overlapping);
  const ended = await h.fake.waitFor(() => {
    const card = now(overlapping.ts);
    return card !== undefined && textOf(card).includes("Not run — servers busy with another change")
      ? card
      : undefined;
  });
  // Only the shared server is named.
  expect(textOf(ended)).toContain("`web-02` is being changed by a reboot");
  expect(textOf(ended)).not.toMatch(/web-03`? (is|and)/);

  await approve(apart);
  await h.fake.waitFor(() => (h.mutations("batchRebootServers").length === 2 ? true : undefined));
  const sent = h.mutations("batchRebootServers").map((m) => m.mutation?.serverIds ?? []);
  expect(sent[1]).toEqual([h.serverId("web-04")]);
  h.clock.advance(16 * 60_000);
  await h.ops.idle();
});
