import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createApprovalService, type NewApprovalRequest } from "../../src/approvals/approval-service.js";
import {
  fingerprintIntent,
  holdsIntent,
  INTENT_POSTING_GRACE_MS,
} from "../../src/approvals/claim-pending-intent.js";
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
    expect(again).toMatchObject({
      ok: false,
      requestId: recorded.id,
      requesterId: "UREQUESTER",
      request: { id: recorded.id, status: "pending" },
    });

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

  it("a scheduled change is one intent whoever asks it (in one team); not at another time", () => {
    const base = replicas().services[0]!.prepare(newRequest({ schedule: SCHEDULE })).request;
    const same = fingerprintIntent(base);
    expect(fingerprintIntent({ ...base, requester: { ...base.requester, userId: "U_OTHER" } })).toBe(same);
    expect(fingerprintIntent({ ...base, requester: { ...base.requester, teamId: "T_OTHER" } })).not.toBe(
      same,
    );
    expect(fingerprintIntent({ ...base, schedule: { ...SCHEDULE, runAt: SCHEDULE.runAt + 1 } })).not.toBe(
      same,
    );
    expect(fingerprintIntent({ ...base, channel: "C_OTHER" })).not.toBe(same);
    // Unscheduled, the same change by another person is theirs to ask.
    const { schedule: _, ...now } = base;
    expect(fingerprintIntent(now)).not.toBe(same);
  });
});

const HOUR = 3_600_000;
/** The window `maint` opens an hour after T0 (after the 15 minutes given to approve) for two hours. */
const SCHEDULE = { runAt: T0 + HOUR, startBy: T0 + 3 * HOUR, window: "maint" };

describe("an approved change that has not started holds its intent", () => {
  /** UREQUESTER's change in the window, approved by UAPPROVER1 on replica 0. */
  async function approvedScheduled(n = 2) {
    const world = replicas(n);
    const [a] = world.services;
    const first = a!.prepare(newRequest({ schedule: SCHEDULE }));
    expect(await first.claimIntent()).toEqual({ ok: true });
    const recorded = await first.create(MESSAGE);
    const approved = await a!.act(
      recorded.id,
      { type: "approve", userId: "UAPPROVER1" },
      { isApprover: true },
    );
    expect(approved).toMatchObject({ ok: true, request: { status: "approved" } });
    return { ...world, recorded };
  }

  it("approved and waiting for its window, it blocks the same change asked again, on every replica at once", async () => {
    const { services, recorded } = await approvedScheduled(10);
    const claims = await Promise.all(
      services.map((s) => s.prepare(newRequest({ schedule: SCHEDULE, why: "second" })).claimIntent()),
    );
    for (const c of claims)
      expect(c).toMatchObject({
        ok: false,
        requestId: recorded.id,
        askedAt: T0,
        requesterId: "UREQUESTER",
        request: { status: "approved", schedule: SCHEDULE },
      });
  });

  it("still blocks past its approval expiry (the claim's key lives until its start-by), and by another person", async () => {
    const { services, advance, recorded } = await approvedScheduled();
    advance(recorded.expiresAt - T0 + 10 * 60_000);
    const other = newRequest({ schedule: SCHEDULE, requester: { userId: "UCAROL", teamId: "T1" } });
    expect(await services[1]!.prepare(other).claimIntent()).toMatchObject({
      ok: false,
      requestId: recorded.id,
      requesterId: "UREQUESTER",
    });
    // Within the window, until its run starts.
    advance(SCHEDULE.runAt + 30 * 60_000 - T0);
    expect((await services[1]!.prepare(other).claimIntent()).ok).toBe(false);
  });

  it("its run started (executing), or ended, it blocks nothing: of replicas asking then, one claims it", async () => {
    const { services, advance, recorded } = await approvedScheduled(4);
    advance(SCHEDULE.runAt - T0);
    expect(await services[0]!.claimExecution(recorded.id, "exe-1")).toMatchObject({ ok: true });
    const racing = services.map((s) => s.prepare(newRequest({ schedule: SCHEDULE })));
    const claims = await Promise.all(racing.map((d) => d.claimIntent()));
    expect(claims.filter((c) => c.ok)).toHaveLength(1);
    for (const c of claims) if (!c.ok) expect(c.requestId).not.toBe(recorded.id);

    await services[0]!.finishExecution(recorded.id, "exe-1", "succeeded");
    const after = services[1]!.prepare(newRequest());
    expect(await after.claimIntent()).toEqual({ ok: true });
  });

  it("approved to run now, it blocks until its run claims it", async () => {
    const [a, b] = replicas().services;
    const first = a!.prepare(newRequest());
    await first.claimIntent();
    const recorded = await first.create(MESSAGE);
    await a!.act(recorded.id, { type: "approve", userId: "UAPPROVER1" }, { isApprover: true });
    expect(await b!.prepare(newRequest()).claimIntent()).toMatchObject({
      ok: false,
      request: { status: "approved" },
    });
    await a!.claimExecution(recorded.id, "exe-2");
    expect(await b!.prepare(newRequest()).claimIntent()).toEqual({ ok: true });
  });

  it("cancelled before its time, or revoked, it blocks nothing", async () => {
    const { services, recorded } = await approvedScheduled();
    await services[0]!.act(recorded.id, { type: "cancel", userId: "UREQUESTER" }, { isApprover: false });
    expect((await services[0]!.get(recorded.id))?.status).toBe("cancelled");
    expect(await services[1]!.prepare(newRequest({ schedule: SCHEDULE })).claimIntent()).toEqual({
      ok: true,
    });

    const again = await approvedScheduled();
    await again.services[0]!.revoke(again.recorded.id, ["the policy is now stricter"]);
    expect(await again.services[1]!.prepare(newRequest({ schedule: SCHEDULE })).claimIntent()).toEqual({
      ok: true,
    });
  });

  it("which statuses hold it: waiting for approval or approved and not started, until the last moment it may start", () => {
    const at = (status: ApprovalRequest["status"], schedule?: typeof SCHEDULE) => ({
      status,
      expiresAt: T0 + 15 * 60_000,
      ...(schedule !== undefined && { schedule }),
    });
    expect(holdsIntent(at("pending"), T0)).toBe(true);
    expect(holdsIntent(at("pending"), T0 + 15 * 60_000)).toBe(false);
    expect(holdsIntent(at("approved", SCHEDULE), SCHEDULE.startBy - 1)).toBe(true);
    // Past its start-by it can never start (it lapses): nothing to hold.
    expect(holdsIntent(at("approved", SCHEDULE), SCHEDULE.startBy)).toBe(false);
    expect(holdsIntent(at("approved"), T0 + HOUR)).toBe(true);
    for (const status of [
      "executing",
      "succeeded",
      "failed",
      "outcome_unknown",
      "rejected",
      "cancelled",
      "expired",
      "revoked",
    ] as const)
      expect(holdsIntent(at(status, SCHEDULE), T0)).toBe(false);
  });
});

describe("the fingerprint of a scheduled change", () => {
  it("is when it runs, not when it was asked: asked before its window opened or while it is open, one intent", () => {
    const base = replicas().services[0]!.prepare(newRequest()).request;
    const schedule = { runAt: T0 + 3_600_000, startBy: T0 + 7_200_000, window: "maint" };
    const before = fingerprintIntent({ ...base, schedule });
    const during = fingerprintIntent({ ...base, schedule: { ...schedule, openWhenAsked: true as const } });
    expect(during).toBe(before);
    expect(fingerprintIntent({ ...base, schedule: { ...schedule, window: "other" } })).not.toBe(before);
  });
});
