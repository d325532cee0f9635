/**
 * Asking for a change of a server that is in the middle of one (over signed Slack requests, against the
 * simulated cloud): the refusal says the server is busy with a reboot in progress and to wait (`/ecs show`,
 * `/ops jobs`), never "nothing to do", which operators read as "fine". Nothing more is sent to the cloud.
 */
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  // The first reboot is left to run past its deadline: its run lease must outlive the jump of the clock.
  h = await startOperationsHarness({ operations: { runLeaseTtlMs: 24 * 3600_000 } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

it("/ecs reboot again while the first reboot runs: busy, a reboot is in progress, wait; one reboot sent", async () => {
  const s = h.sim.control.addServer({ name: "busy-1", status: "ACTIVE", tags: { env: "dev" } });
  h.sim.control.setJobTiming({ runningMs: 24 * 3600_000 });
  await h.command(`reboot ${s.name}`);
  const card = await h.waitCard(`/ecs reboot ${s.name}`);
  await vi.waitFor(() => expect(h.sim.control.server(s.id)?.status).toBe("REBOOT"), { timeout: 10_000 });

  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command(`reboot ${s.name}`);
  const refusal = await h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(before)
      .find((t) => t.includes("Cannot go ahead")),
  );
  expect(refusal).toContain(
    "busy-1 is busy with a reboot: wait until it ends, then ask again (/ecs show busy-1 shows its state, /ops jobs shows what the bot is running)",
  );
  // Said once, in words: never the cloud's raw task state.
  expect(refusal).not.toContain("reboot_started");
  expect(refusal).toContain("REBOOT — busy with a reboot");
  expect(refusal).not.toContain("nothing to");
  expect(refusal).not.toContain("needs ACTIVE");
  expect(h.mutations("batchRebootServers")).toHaveLength(1);

  // The first reboot's wait ends at its deadline; the thread gets its summary.
  h.clock.advance(16 * 60_000);
  await h.fake.waitFor(() => h.replies(card).find((m) => (m.text ?? "").startsWith("reboot: ")), 15_000);
});
