/**
 * Two requests sharing a server, approved at the same moment (two approvers' clicks delivered together, over
 * signed Slack requests against the simulated cloud): both pass the check before their claims, as approvals
 * on two replicas in the same milliseconds would; the servers' holds, taken after the claims, let exactly one
 * run. The other ends "Not run — servers busy with another change", its thread naming the change holding the server.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ operations: { runLeaseTtlMs: 24 * 3600_000 } });
});
afterAll(async () => {
  await h?.close();
});

const cards = (needle: string) =>
  h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot && textOf(m).includes(needle));
const now = (ts: string) => h.fake.messages(IDS.ops).find((m) => m.ts === ts);

async function ask(command: string) {
  const needle = `/ecs ${command}`;
  await h.command(`${command} --reason "INC-12"`);
  const card = await h.fake.waitFor(() => {
    const latest = cards(needle).at(-1);
    return latest !== undefined && textOf(latest).includes("Approval needed") ? latest : undefined;
  });
  await h.bot.idle();
  return card;
}

it("approved at the same moment, two reboots sharing a server: one is sent, the other aborted and told why", async () => {
  // Queued for a day: the first change holds its servers while the servers still read ACTIVE.
  h.sim.control.setJobTiming({ initMs: 24 * 3600_000, runningMs: 60 });
  for (let round = 0; round < 5; round++) {
    const sent = h.mutations("batchRebootServers").length;
    const a = await ask(round % 2 === 0 ? "reboot cache-02 web-03 --hard" : "reboot web-03 cache-02 --hard");
    const b = await ask(`reboot web-03 web-04 --hard`);
    await Promise.all([
      h.click(a, "ops.approval.approve", IDS.bob),
      h.click(b, "ops.approval.approve", IDS.carol),
    ]);
    const ended = await h.fake.waitFor(() => {
      const shown = [now(a.ts), now(b.ts)].map((m) => textOf(m));
      const aborted = shown.filter((t) => t.includes("Not run — servers busy with another change"));
      return aborted.length >= 1 && shown.some((t) => t.includes("Running")) ? aborted : undefined;
    });
    await h.bot.idle();
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatch(/`?web-03`? is being changed by a reboot/);
    expect(h.mutations("batchRebootServers")).toHaveLength(sent + 1);
    // The first run ends (its wait's deadline, the job still queued), freeing the servers for the next round.
    h.clock.advance(16 * 60_000);
    await h.fake.waitFor(() =>
      [now(a.ts), now(b.ts)].some((m) => textOf(m).includes("Running")) ? undefined : true,
    );
    await h.ops.idle();
  }
});
