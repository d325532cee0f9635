/**
 * `/ops audit verify` end to end: signed slash commands over HTTP to the bot, its store in Redis, and the
 * audit entries tampered with directly in Redis between two checks.
 */
import { createClient } from "@redis/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRedisStore } from "../../src/store/create-redis-store.js";
import type { Store } from "../../src/store/store.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const namespace = `e2e-audit-verify-${process.pid}-${Date.now()}`;
const admin = createClient({ url: REDIS_URL });
admin.on("error", () => {});
let store: Store | undefined;
let h: OperationsHarness;

beforeAll(async () => {
  await admin.connect();
  h = await startOperationsHarness({
    store: (clock) => {
      store = createRedisStore({ url: REDIS_URL, clock, namespace });
      return store;
    },
  });
  // Dave checks the log too: the shipped policy leaves the audit to @ops-approvers and @sre.
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol, IDS.dave]);
});
afterAll(async () => {
  await h?.close();
  await store?.close();
  for await (const keys of admin.scanIterator({ MATCH: `hwc:{${namespace}}:*`, COUNT: 1000 })) {
    if (keys.length > 0) await admin.del(keys);
  }
  admin.destroy();
});

async function verifyAs(user: string): Promise<string> {
  const before = h.fake.responses().length;
  await h.command("audit verify", { command: "/ops", user });
  return h.fake.waitFor(() =>
    h.fake
      .responses()
      .slice(before)
      .map((r) =>
        r.effect.kind === "ephemeral" && r.effect.ephemeral.user === user ? textOf(r.effect.ephemeral) : "",
      )
      .find((t) => t.includes("audit log")),
  );
}

it("says the log is intact, then names the entry changed in Redis", async () => {
  // A request that needs approval leaves audit entries written as riders of the approval's state changes.
  await h.command("stop web-01 --hard");
  await h.fake.waitFor(() => h.fake.messages(IDS.ops).find((m) => textOf(m).includes("web-01")));
  const entries = await h.audit.query({ limit: 100 });
  expect(entries.length).toBeGreaterThan(0);

  const intact = await verifyAs(IDS.erin);
  expect(intact).toMatch(/The audit log is intact: entries 1–\d+ are linked, every hash matches/);
  expect(intact).toContain("No digest is recorded in this store");

  const list = `hwc:{${namespace}}:log:audit`;
  const first = String(await admin.lIndex(list, 0));
  await admin.lSet(list, 0, first.replace('"actorId":"U_ALICE"', '"actorId":"U_DAVE"'));
  const tampered = await verifyAs(IDS.dave);
  expect(tampered).toContain("The audit log was changed outside the bot");
  expect(tampered).toMatch(/Entry 1 \(\d{4}-\d\d-\d\d [\d:]+ UTC\) was changed after it was written/);
});
