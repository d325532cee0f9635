import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createApprovalService, type NewApprovalRequest } from "../../src/approvals/approval-service.js";
import { fingerprintIntent, INTENT_POSTING_GRACE_MS } from "../../src/approvals/claim-pending-intent.js";
import { createAuditLog } from "../../src/audit/create-audit-log.js";
import { createLogger } from "../../src/log/create-logger.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { requirement, T0 } from "./make-request.js";

/** UREQUESTER asks in COPS to delete srv-3 and srv-4. */
function newRequest(overrides: Partial<NewApprovalRequest> = {}): NewApprovalRequest {
  return {
    requester: { userId: "UREQUESTER", teamId: "T1" },
    channel: "COPS",
    action: "ecs:cloudServers:delete",
    commandText: "/ecs delete web-03 web-04",
    targets: [
      { id: "srv-3", name: "web-03", status: "ACTIVE", flavor: "s6.large.2" },
      { id: "srv-4", name: "web-04", status: "SHUTOFF", flavor: "s6.large.2" },
    ],
    parameters: { deletePublicIp: true },
    ruleIds: ["prod-delete-needs-approval"],
    requirement: requirement(),
    ...overrides,
  };
}

/** Two replicas' approval services over one store, on one manual clock. */
function replicas(n = 2) {
  let now = T0;
  const clock = { now: () => now };
  const store = createMemoryStore({ clock });
  const audit = createAuditLog({
    store,
    clock,
    logger: createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) }),
  });
  const services = Array.from({ length: n }, () => createApprovalService({ store, clock, audit }));
  return { services, advance: (ms: number) => (now += ms) };
}

const MESSAGE = { channel: "COPS", ts: "1735689600.000100" };

describe("one pending request per intent", () => {
  it("of ten replicas asking the same change at once, one claims it; the others are told which request holds it", async () => {
    const { services } = replicas(10);
    const drafts = services.map((s) => s.prepare(newRequest()));
    const claims = await Promise.all(drafts.map((d) => d.claimIntent()));
    const won = claims.flatMap((c, i) => (c.ok ? [drafts[i]!.request.id] : []));
    expect(won).toHaveLength(1);
    for (const c of claims) if (!c.ok) expect(c).toMatchObject({ requestId: won[0], askedAt: T0 });
    // Not recorded yet: its card is being posted.
    expect(claims.find((c) => !c.ok)).not.toHaveProperty("pending");
  });

  it("a recorded request blocks while pending; decided (cancelled), it blocks nothing", async () => {
    const [a, b] = replicas().services;
    const first = a!.prepare(newRequest());
    expect(await first.claimIntent()).toEqual({ ok: true });
    const recorded = await first.create(MESSAGE);
    const again = await b!.prepare(newRequest({ why: "another reason" })).claimIntent();
    expect(again).toMatchObject({ ok: false, requestId: recorded.id, pending: { id: recorded.id } });

    await a!.act(recorded.id, { type: "cancel", userId: recorded.requester.userId }, { isApprover: false });
    expect(await b!.prepare(newRequest()).claimIntent()).toEqual({ ok: true });
  });

  it("a pending request past its expiry (not swept yet) blocks nothing", async () => {
    const { services, advance } = replicas();
    const first = services[0]!.prepare(newRequest());
    await first.claimIntent();
    await first.create(MESSAGE);
    advance(first.request.expiresAt - T0);
    expect(await services[1]!.prepare(newRequest()).claimIntent()).toEqual({ ok: true });
  });

  it("a claim released (its card could not be posted) blocks nothing; one never recorded, only for the grace", async () => {
    const { services, advance } = replicas();
    const released = services[0]!.prepare(newRequest());
    await released.claimIntent();
    await released.releaseIntent();
    const lost = services[1]!.prepare(newRequest());
    expect(await lost.claimIntent()).toEqual({ ok: true });
    // Its process died before recording it: it blocks while its card could still be being posted.
    expect((await services[0]!.prepare(newRequest()).claimIntent()).ok).toBe(false);
    advance(INTENT_POSTING_GRACE_MS);
    expect(await services[0]!.prepare(newRequest()).claimIntent()).toEqual({ ok: true });
  });

  it("the same intent: the servers in any order, whatever the reason; not another server, requester or channel", () => {
    const base = replicas().services[0]!.prepare(newRequest()).request;
    const same = fingerprintIntent(base);
    expect(fingerprintIntent({ ...base, targets: [...base.targets].reverse() })).toBe(same);
    const withReason: ApprovalRequest = { ...base, why: "other" };
    expect(fingerprintIntent(withReason)).toBe(same);
    expect(fingerprintIntent({ ...base, targets: base.targets.slice(0, 1) })).not.toBe(same);
    expect(fingerprintIntent({ ...base, channel: "C_OTHER" })).not.toBe(same);
    expect(fingerprintIntent({ ...base, requester: { ...base.requester, userId: "U_OTHER" } })).not.toBe(
      same,
    );
    expect(fingerprintIntent({ ...base, parameters: { hard: true } })).not.toBe(same);
  });
});
