/**
 * Approvers' direct messages (`notify_approvers: dm`) never keep asking once the request no longer waits,
 * whatever the interleaving: messages are sent one by one before their places are kept, so a cancel can land
 * while they go out. The race is made deterministic by holding the write that keeps the messages' places
 * (`opsdms:<id>`) until the cancel has been handled, the order the testers hit by chance.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import { eventually } from "../helpers/eventually.js";
import { stagedRebootPolicy } from "../helpers/staged-reboot-policy.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const STAGED = stagedRebootPolicy(
  "dm",
  `  - id: rest
    description: The rest is allowed.
    actions: ["*"]
    effect: allow
`,
);

/** Holds the next write to an approvers' messages record (once armed) until released. */
function createDmsGate() {
  let armed = false;
  let reached: () => void = () => undefined;
  let release: () => void = () => undefined;
  let held: Promise<void> = Promise.resolve();
  return {
    /** Resolves once the next write is held. */
    arm(): Promise<void> {
      armed = true;
      held = new Promise((resolve) => {
        release = resolve;
      });
      return new Promise((resolve) => {
        reached = resolve;
      });
    },
    release: () => release(),
    wrap(inner: Store): Store {
      return new Proxy(inner, {
        get(target, prop, receiver) {
          if (prop !== "update") return Reflect.get(target, prop, receiver);
          return async (...args: Parameters<Store["update"]>) => {
            if (armed && String(args[0]).startsWith("opsdms:")) {
              armed = false;
              reached();
              await held;
            }
            return target.update(...args);
          };
        },
      });
    },
  };
}

const gate = createDmsGate();
let store: Store | undefined;
let h: OperationsHarness;

beforeAll(async () => {
  h = await startOperationsHarness({
    store: (clock) => {
      store = gate.wrap(createMemoryStore({ clock }));
      return store;
    },
  });
  await h.policy.replace(STAGED);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.fake.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
  await h.setUserGroupMembers("sre", [IDS.alice, IDS.erin]);
});

const dms = (channel: string) => h.fake.messages(channel).map((m) => textOf(m));
const shownOf = async (requestId: string) =>
  ((await store?.get<{ shown?: string }>(`opsdms:${requestId}`))?.value.shown ?? undefined) as
    | string
    | undefined;
const requestIdOf = (card: { blocks?: unknown[] }) =>
  /"value":"(apr_[A-Za-z0-9_-]+)"/.exec(JSON.stringify(card.blocks))?.[1] ?? "";

it("cancelled while the first stage's messages go out: each of them ends saying it no longer waits", async () => {
  const held = gate.arm();
  await h.command('reboot web-03 --hard --reason "create race"', { user: IDS.dave });
  await held; // Both messages are sent; the write keeping their places is held.
  expect(dms("D_BOB")).toHaveLength(1);
  expect(dms("D_CAROL")).toHaveLength(1);
  // The requester was told before the approvers were messaged.
  expect(h.ephemeralTexts(IDS.dave).join("\n")).toContain("needs approval in 2 stages");
  const card = await h.fake.waitFor(() => h.latest("/ecs reboot web-03 --hard"));
  await h.click(card, "ops.approval.cancel", IDS.dave);
  const id = requestIdOf(card);
  // The cancel found no record of the messages yet: it left one saying what they must show.
  await eventually(async () => (await shownOf(id)) === "cancelled", 10_000, "the cancel's record");
  gate.release();
  await h.ops.idle();
  await h.bot.idle();
  for (const channel of ["D_BOB", "D_CAROL"]) {
    expect(dms(channel)).toHaveLength(1);
    expect(dms(channel)[0]).toContain("No longer waiting for you");
    expect(dms(channel)[0]).toContain("cancelled by <@U_DAVE>");
  }
});

it("cancelled while the second stage is reached: its messages end closed, and the thread does not announce it", async () => {
  await h.command('reboot web-03 --hard --reason "stage race"', { user: IDS.dave });
  const card = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Approval needed"));
  await h.fake.waitFor(() => (dms("D_BOB").length > 0 && dms("D_CAROL").length > 0) || undefined);
  await h.ops.idle();
  const held = gate.arm();
  await h.click(card, "ops.approval.approve", IDS.bob);
  await held; // Stage 2's messages are sent; the write keeping their places is held.
  expect(dms("D_ERIN")).toHaveLength(1);
  expect(dms("D_ALICE")).toHaveLength(1);
  await h.click(card, "ops.approval.cancel", IDS.dave);
  const id = requestIdOf(card);
  await eventually(async () => (await shownOf(id)) === "cancelled", 10_000, "the cancel's record");
  gate.release();
  await h.ops.idle();
  await h.bot.idle();
  for (const channel of ["D_BOB", "D_CAROL", "D_ERIN", "D_ALICE"]) {
    expect(dms(channel)).toHaveLength(1);
    expect(dms(channel)[0]).toContain("cancelled by <@U_DAVE>");
  }
  const thread = await h.fake.waitFor(() => {
    const texts = h.replies(card).map((m) => textOf(m));
    return texts.some((t) => t.includes("which is complete")) ? texts : undefined;
  });
  expect(thread.some((t) => t.includes("Cancelled by"))).toBe(true);
  // The turn of a stage that no longer waits is not announced, before or after the cancel.
  expect(thread.join("\n")).not.toContain("your approval is wanted");
});
