/**
 * The execution gate refuses an approved change whose servers another of the bot's changes still holds: it
 * claims the request, records it aborted, then finishes it. When the process is lost between the claim and the
 * finish (here the finishing write fails, as a frozen store's would), the request is left claimed with no run:
 * the adoption pass must finish it as refused, never start it (its servers may be free by then, but what was
 * approved was refused and said so). Over signed Slack requests against the simulated cloud.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { NO_CHANGE, type Store, UpdateAbort, UpdateWrite } from "../../src/store/store.js";
import { StoreUnavailableError } from "../../src/store/store-unavailable-error.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

/** Set by the test: the write that would finish this request (status `failed`) fails, once. */
let failFinishOf: string | undefined;
let failedWrites = 0;
let h: OperationsHarness;
let kept: Store;

beforeAll(async () => {
  h = await startOperationsHarness({
    store: (clock) => {
      const base = createMemoryStore({ clock });
      const store: Store = Object.create(base);
      store.update = async (key, fn, options) => {
        if (failFinishOf !== undefined && key === `approval:${failFinishOf}`) {
          const next = fn(await base.get(key));
          const value =
            next instanceof UpdateWrite
              ? next.value
              : next === NO_CHANGE || next instanceof UpdateAbort
                ? undefined
                : next;
          if ((value as { status?: string } | undefined)?.status === "failed") {
            failFinishOf = undefined;
            failedWrites++;
            throw new StoreUnavailableError("Redis at 127.0.0.1:6379", "no answer within 5000 ms");
          }
        }
        return base.update(key, fn, options);
      };
      kept = store;
      return store;
    },
    operations: { runLeaseTtlMs: 2_000 },
  });
});
afterAll(async () => {
  await h?.close();
});

const cards = (needle: string) =>
  h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot && textOf(m).includes(needle));
const requestIdOf = (message: { blocks?: unknown[] }) =>
  /apr_[A-Za-z0-9_-]+/.exec(JSON.stringify(message.blocks))?.[0];

async function askAndApprove(command: string, reason: string) {
  const needle = `/ecs ${command}`;
  const before = cards(needle).length;
  await h.command(`${command} --reason "${reason}"`);
  const card = await h.fake.waitFor(() => {
    const latest = cards(needle).at(-1);
    return cards(needle).length > before && latest !== undefined && textOf(latest).includes("Approval needed")
      ? latest
      : undefined;
  });
  await h.bot.idle();
  return card;
}

it("a refusal interrupted between its claim and its finish is finished by the adoption pass, never started", async () => {
  // The first reboot stays queued: the servers read ACTIVE while the bot's first change holds them.
  h.sim.control.setJobTiming({ initMs: 24 * 3600_000, runningMs: 60 });
  const first = await askAndApprove("reboot web-03 web-04 --hard", "INC-11");
  await h.click(first, "ops.approval.approve", IDS.bob);
  await h.fake.waitFor(() => (h.mutations("batchRebootServers").length === 1 ? true : undefined));

  const second = await askAndApprove("reboot web-03 --hard", "INC-11 again");
  failFinishOf = requestIdOf(second);
  expect(failFinishOf).toBeDefined();
  await h.click(second, "ops.approval.approve", IDS.bob);

  // The adoption pass finds it claimed with no run, and finishes it as the gate refused it.
  const ended = await h.fake.waitFor(() => {
    const card = h.fake.messages(IDS.ops).find((m) => m.ts === second.ts);
    return card !== undefined && textOf(card).includes("Not run — servers busy with another change")
      ? card
      : undefined;
  }, 15_000);
  expect(failedWrites).toBe(1);
  expect(textOf(ended)).toContain("`web-03` is being changed by a reboot");
  // Left executing by the failed write; the adoption pass finishes it (failed, as any run aborted unsent).
  const key = `approval:${requestIdOf(second)}`;
  for (let i = 0; i < 150 && (await kept.get<{ status: string }>(key))?.value.status !== "failed"; i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
  expect((await kept.get<{ status: string }>(key))?.value.status).toBe("failed");
  // Only the first reboot was ever sent, also once the first run has ended and its servers are free.
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
  h.clock.advance(16 * 60_000);
  await h.ops.idle();
  await h.bot.idle();
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
});
