/**
 * Over signed Slack requests: `/ecs resize` to a flavor sold out or abandoned in the server's AZ is refused by
 * the bot's flavor check before anyone is asked to approve: the requester reads the flavor, the AZ, where it
 * is sold and similar flavors on sale there; no card, no request recorded, nothing sent to the cloud, and no
 * read the check did not make before (one flavor list, no AZ query, one fleet read at most as any resize).
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import {
  fleetListingCount,
  IDS,
  type OperationsHarness,
  startOperationsHarness,
} from "./helpers/operations-harness.js";

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
});

/** The first ephemeral to `user` including `needle` after the `skip` first ones. */
function reply(user: string, needle: string, skip = 0): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .ephemeralTexts(user)
      .slice(skip)
      .find((t) => t.includes(needle)),
  );
}
const gets = () => h.sim.control.requests().filter((r) => r.method === "GET");
const flavorReads = () => gets().filter((r) => r.path.endsWith("/cloudservers/flavors"));

/** The cloud reads of one resize request until its refusal or its card: flavor lists, fleet listings, all GETs. */
async function readsOf(
  command: string,
  answer: () => Promise<unknown>,
): Promise<{ flavors: number; fleet: number; gets: number }> {
  h.sim.control.reset();
  await h.command(command);
  await answer();
  await h.ops.idle();
  return { flavors: flavorReads().length, fleet: fleetListingCount(h.sim), gets: gets().length };
}

it("/ecs resize web-02 m6.2xlarge.8 (sold out in its AZ): refused before approval, nothing recorded or sent", async () => {
  const command = "/ecs resize web-02 m6.2xlarge.8";
  const before = (await h.audit.query({ limit: 1 }))[0]?.seq ?? 0;
  await h.command("resize web-02 m6.2xlarge.8");
  const text = await reply(IDS.alice, command);
  expect(text).toContain("Cannot go ahead");
  expect(text).toContain(
    "web-02: flavor m6.2xlarge.8 is sold out (sellout) in cn-north-4b, the AZ of web-02, and a resize cannot move it to another AZ. It is sold in the region's other AZs. Similar flavors on sale in cn-north-4b: c7.2xlarge.4 (8 vCPU, 32 GiB), m6.large.8 (2 vCPU, 16 GiB), c7.xlarge.2 (4 vCPU, 8 GiB). /ecs flavors az=cn-north-4b lists them.",
  );
  await h.ops.idle();
  // No card asking anyone to approve, no approval request in the audit, nothing sent (not even a dry run).
  expect(h.latest(command)).toBeUndefined();
  // The audit has the policy's decision and the preflight's refusal, as for any refused request; no request
  // to approve exists.
  const entries = (await h.audit.query({ limit: 100 })).filter((e) => e.seq > before);
  expect(entries.map((e) => e.type).sort()).toEqual(["policy.decided", "request.refused"]);
  expect(entries.find((e) => e.type === "request.refused")?.detail).toMatchObject({ refusedBy: "preflight" });
  const requestId = entries[0]!.requestId!;
  const approvals = createApprovalService({ store: h.store, clock: h.clock, audit: h.audit });
  expect(await approvals.get(requestId)).toBeUndefined();
  expect(h.sim.control.requests().filter((r) => r.method !== "GET")).toEqual([]);
  expect(h.sim.control.server("web-02")).toMatchObject({ status: "ACTIVE", flavorId: "s6.large.2" });
  // The one flavor list the check reads anyway, the region's: the AZs come with it.
  expect(flavorReads().map((r) => r.query)).toEqual([{}]);
});

it("reads no more than a resize to a flavor on sale in the server's AZ", async () => {
  const seen = h.ephemeralTexts(IDS.alice).length;
  const refused = await readsOf("resize web-02 m6.2xlarge.8", () =>
    reply(IDS.alice, "/ecs resize web-02 m6.2xlarge.8", seen),
  );
  const onSale = await readsOf("resize web-02 c7.2xlarge.4", () =>
    h.waitCard("/ecs resize web-02 c7.2xlarge.4", (t) => t.includes("Approval needed")),
  );
  expect(refused.flavors).toBe(1);
  expect(onSale.flavors).toBe(1);
  expect(refused.fleet).toBeLessThanOrEqual(onSale.fleet);
  expect(refused.gets).toBeLessThanOrEqual(onSale.gets);
});

it("/ecs resize web-04 s6.small.1 (abandoned, sold only in another AZ): refused, naming where it is sold", async () => {
  await h.command("resize web-04 s6.small.1");
  const text = await reply(IDS.alice, "/ecs resize web-04 s6.small.1");
  expect(text).toContain(
    "web-04: flavor s6.small.1 is no longer sold (abandoned) in cn-north-4c, the AZ of web-04, and a resize cannot move it to another AZ. It is sold only in cn-north-4a.",
  );
  expect(h.sim.control.requests().filter((r) => r.method !== "GET")).toEqual([]);
});
