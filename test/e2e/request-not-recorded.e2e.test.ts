/**
 * A request for approval is posted as its card before it is recorded: when the record cannot be written (the
 * store fails), the card is replaced at once by a message that says nothing was done, no request exists, and
 * its buttons are gone. Signed HTTP, fake Slack, sim; the store is the memory store with one write failing.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
/** While set, writing a new approval record fails, as a full disk or a lost store would. */
let failRequestWrites = false;

beforeAll(async () => {
  h = await startOperationsHarness({
    store: (clock) => {
      const inner = createMemoryStore({ clock });
      return new Proxy(inner, {
        get(target, property, receiver) {
          if (property === "createIfAbsent") {
            return (key: string, ...rest: unknown[]) =>
              failRequestWrites && key.startsWith("approval:")
                ? Promise.reject(new Error("the store is unavailable"))
                : (target.createIfAbsent as (...args: unknown[]) => Promise<boolean>)(key, ...rest);
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as Store;
    },
  });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  failRequestWrites = false;
  await h.ops.idle();
  h.sim.control.reset();
});

it("a card whose request cannot be recorded is replaced at once: no buttons, no request, the requester told", async () => {
  failRequestWrites = true;
  await h.command("resize web-03 s6.large.2");
  const card = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("could not be recorded"));
  expect(textOf(card)).toContain("nothing was done");
  expect(actionIdsOf(card)).toEqual([]);
  // It was posted as the card first (its buttons carried the request's ID), then replaced.
  const posted = JSON.stringify(card.history[0]?.blocks);
  expect(posted).toContain("ops.approval.approve");
  const id = /apr_[A-Za-z0-9_-]{22,}/.exec(posted)?.[0] ?? "";
  const approvals = createApprovalService({ store: h.store, clock: h.clock, audit: h.audit });
  expect(await approvals.get(id)).toBeUndefined();
  // Its audit is the decision it was asked under (which names the ID its card carried), and nothing more.
  expect((await h.audit.query({ requestId: id, limit: 5 })).map((e) => e.type)).toEqual(["policy.decided"]);

  // The requester hears that it failed.
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Something went wrong")));

  // A click on the card as first posted finds no request and changes nothing.
  await h.click({ ...card, blocks: card.history[0]?.blocks ?? [] }, "ops.approval.approve", IDS.bob);
  const told = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.bob).find((t) => t.includes("does not exist")),
  );
  expect(told).toContain("This approval request does not exist (any more).");
  expect(h.mutations()).toHaveLength(0);

  // With the store back, the same command is recorded and waits for approval.
  failRequestWrites = false;
  await h.command("resize web-03 s6.large.2");
  const next = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Approval needed"));
  expect(actionIdsOf(next)).toContain("ops.approval.approve");
});
