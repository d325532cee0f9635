import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import {
  type ActResult,
  type ApprovalService,
  type ClickEvent,
  createApprovalService,
  type NewApprovalRequest,
} from "../../src/approvals/approval-service.js";
import type { AuditLog } from "../../src/audit/create-audit-log.js";
import { AUDIT_STREAM, createAuditLog } from "../../src/audit/create-audit-log.js";
import { createLogger } from "../../src/log/create-logger.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import { updateWithCas } from "../../src/store/update-with-cas.js";
import { createManualClock } from "../store/manual-clock.js";
import { requirement, T0 } from "./make-request.js";

const APPROVER = { isApprover: true };

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

/** A store whose audit appends (plain or as riders) fail while `failing` is set. */
function withFailingAppends(inner: Store) {
  const control = { failing: false };
  const hasAppend = (o?: { append?: readonly unknown[] }) => (o?.append?.length ?? 0) > 0;
  const store: Store = {
    ...inner,
    async append(stream, record) {
      if (control.failing) throw new Error("audit stream unavailable");
      return inner.append(stream, record);
    },
    async createIfAbsent(key, value, options) {
      if (control.failing && hasAppend(options)) throw new Error("audit stream unavailable");
      return inner.createIfAbsent(key, value, options);
    },
    async compareAndSwap(key, version, value, options) {
      if (control.failing && hasAppend(options)) throw new Error("audit stream unavailable");
      return inner.compareAndSwap(key, version, value, options);
    },
    update: (key, fn, options) => updateWithCas(store, key, fn, options),
  };
  return { store, control };
}

function setup(options: { store?: Store } = {}) {
  const clock = createManualClock(T0);
  const store = options.store ?? createMemoryStore({ clock });
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const logger = createLogger({ destination });
  const audit = createAuditLog({ store, logger, clock });
  const service = createApprovalService({ store, clock, audit });
  const auditTypes = async (requestId?: string) =>
    (await store.readLog<{ type: string; requestId?: string }>(AUDIT_STREAM, { limit: 10_000 }))
      .map((e) => e.record)
      .filter((r) => requestId === undefined || r.requestId === requestId)
      .map((r) => r.type);
  return { clock, store, audit, service, lines, auditTypes };
}

/** Deterministic shuffle (xorshift), so a failing order can be reproduced. */
function shuffle<T>(items: T[], seed: number): T[] {
  let x = seed || 1;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = Math.abs(x) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const decisive = (r: ActResult) => r.effects.filter((e) => e.type === "approved" || e.type === "rejected");

describe("createApprovalService", () => {
  it("refuses an audit log over another store (transition and audit must commit together)", () => {
    const clock = createManualClock(T0);
    const audit = createAuditLog({
      store: createMemoryStore({ clock }),
      logger: createLogger({ level: "silent" }),
    });
    expect(() => createApprovalService({ store: createMemoryStore({ clock }), clock, audit })).toThrow(
      /same|approval store/,
    );
  });
});

describe("create / get / listPending", () => {
  it("creates a pending, hash-bound request, audited and indexed", async () => {
    const { service, auditTypes, lines } = setup();
    const request = await service.create(newRequest());
    expect(request).toMatchObject({
      status: "pending",
      createdAt: T0,
      expiresAt: T0 + 15 * 60_000,
      version: 1,
      approvals: [],
    });
    expect(request.id).toMatch(/^apr_[A-Za-z0-9_-]{22}$/);
    expect(request.bindingHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await service.get(request.id)).toEqual(request);
    expect(await service.get("apr_nope")).toBeUndefined();
    expect(await auditTypes(request.id)).toEqual(["request.created"]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        audit: true,
        type: "request.created",
        requestId: request.id,
        actorId: "UREQUESTER",
      }),
    );
    expect((await service.listPending()).map((r) => r.id)).toEqual([request.id]);
  });

  it("prepares a request without storing it; its create stores it once, with the message it was posted as", async () => {
    const { service, auditTypes, clock } = setup();
    const draft = service.prepare(newRequest());
    expect(draft.request).toMatchObject({ status: "pending", createdAt: T0, version: 1, approvals: [] });
    expect(draft.request.id).toMatch(/^apr_[A-Za-z0-9_-]{22}$/);
    expect(draft.request.message).toBeUndefined();
    // Not stored: a click on its card now finds no request, and nothing is audited or listed.
    expect(await service.get(draft.request.id)).toBeUndefined();
    expect(
      await service.act(draft.request.id, { type: "approve", userId: "UBOB" }, { isApprover: true }),
    ).toMatchObject({
      ok: false,
      code: "not_found",
    });
    expect(await auditTypes(draft.request.id)).toEqual([]);
    expect(await service.listPending()).toEqual([]);

    clock.advance(1_000);
    const message = { channel: "COPS", ts: "1700000000.000100" };
    const stored = await draft.create(message);
    expect(stored).toEqual({ ...draft.request, message });
    expect(await service.get(draft.request.id)).toEqual(stored);
    expect(await auditTypes(draft.request.id)).toEqual(["request.created"]);
    expect((await service.listPending()).map((r) => r.id)).toEqual([draft.request.id]);
    // Once only: a second create would be a second request under the same ID.
    await expect(draft.create(message)).rejects.toThrow(/collision/);
    await expect(service.prepare(newRequest()).create({ channel: "", ts: "" })).rejects.toThrow();
  });

  it("prepare refuses invalid input before anything is posted", () => {
    const { service } = setup();
    expect(() => service.prepare(newRequest({ action: "delete servers" }))).toThrow();
    expect(() => service.prepare(newRequest({ requirement: requirement({ minApprovals: 0 }) }))).toThrow();
  });

  it("generates unguessable, distinct ids", async () => {
    const { service } = setup();
    const ids = await Promise.all(
      Array.from({ length: 20 }, () => service.create(newRequest()).then((r) => r.id)),
    );
    expect(new Set(ids).size).toBe(20);
  });

  it("rejects invalid input before writing", async () => {
    const { service } = setup();
    await expect(service.create(newRequest({ action: "delete servers" }))).rejects.toThrow();
    await expect(
      service.create(newRequest({ requirement: requirement({ minApprovals: 0 }) })),
    ).rejects.toThrow();
    expect(await service.listPending()).toEqual([]);
  });

  it("filters pending requests by the user involved", async () => {
    const { service } = setup();
    const mine = await service.create(newRequest({ requester: { userId: "UALICE", teamId: "T1" } }));
    const named = await service.create(
      newRequest({ requirement: requirement({ approvers: { users: ["UBOB"], groups: [] } }) }),
    );
    const byGroup = await service.create(
      newRequest({ requirement: requirement({ approvers: { users: [], groups: ["dba"] } }) }),
    );
    expect((await service.listPending({ userId: "UALICE" })).map((r) => r.id)).toEqual([mine.id]);
    expect((await service.listPending({ userId: "UBOB" })).map((r) => r.id)).toEqual([named.id]);
    expect((await service.listPending({ userId: "UCAROL", groups: ["dba"] })).map((r) => r.id)).toEqual([
      byGroup.id,
    ]);
    expect(await service.listPending({ userId: "UNOBODY" })).toEqual([]);
  });

  it("records the approval card's message", async () => {
    const { service } = setup();
    const request = await service.create(newRequest());
    const updated = await service.setMessageRef(request.id, { channel: "COPS", ts: "1700000000.000100" });
    expect(updated).toMatchObject({ message: { channel: "COPS", ts: "1700000000.000100" }, version: 2 });
    expect(await service.setMessageRef("apr_missing", { channel: "C", ts: "1" })).toBeUndefined();
  });
});

describe("act", () => {
  it("approves, audits both the vote and the decision, and moves the indexes", async () => {
    const { service, auditTypes, clock } = setup();
    const request = await service.create(newRequest());
    clock.advance(5000);
    const result = await service.act(request.id, { type: "approve", userId: "UAPPROVER1" }, APPROVER);
    expect(result).toMatchObject({ ok: true, changed: true, request: { status: "approved", version: 2 } });
    expect(result.ok && result.request.approvals).toEqual([{ userId: "UAPPROVER1", at: T0 + 5000 }]);
    expect(await auditTypes(request.id)).toEqual([
      "request.created",
      "approval.recorded",
      "request.approved",
    ]);
    expect(await service.listPending()).toEqual([]);
    expect((await service.listByStatus("approved")).map((r) => r.id)).toEqual([request.id]);
  });

  it("audits refused clicks without changing the request", async () => {
    const { service, auditTypes, audit } = setup();
    const request = await service.create(newRequest());
    const result = await service.act(request.id, { type: "approve", userId: "UREQUESTER" }, APPROVER);
    expect(result).toMatchObject({ ok: false, code: "self_approval", request, effects: [] });
    expect(await service.get(request.id)).toEqual(request);
    expect(await auditTypes(request.id)).toEqual(["request.created", "click.refused"]);
    const [refusal] = await audit.query({ requestId: request.id, type: "click.refused", limit: 1 });
    expect(refusal).toMatchObject({
      actorId: "UREQUESTER",
      detail: { code: "self_approval", event: "approve" },
    });
  });

  it("says so for unknown requests", async () => {
    const { service } = setup();
    expect(await service.act("apr_unknown", { type: "approve", userId: "U1" }, APPROVER)).toMatchObject({
      ok: false,
      code: "not_found",
    });
  });

  it("a double click writes nothing the second time", async () => {
    const { service, auditTypes } = setup();
    const request = await service.create(newRequest({ requirement: requirement({ minApprovals: 2 }) }));
    const click: ClickEvent = { type: "approve", userId: "UAPPROVER1" };
    const [a, b] = await Promise.all([
      service.act(request.id, click, APPROVER),
      service.act(request.id, click, APPROVER),
    ]);
    expect([a.ok && a.changed, b.ok && b.changed].sort()).toEqual([false, true]);
    expect(await auditTypes(request.id)).toEqual(["request.created", "approval.recorded"]);
    expect((await service.get(request.id))?.version).toBe(2);
  });

  it("20 concurrent mixed approve/reject clicks and redeliveries from two replicas: exactly one decision", async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 25; round++) {
      const { store, audit, clock, auditTypes } = setup();
      const replicas = [
        createApprovalService({ store, clock, audit }),
        createApprovalService({ store, clock, audit }),
      ];
      const request = await replicas[0]!.create(
        newRequest({ requirement: requirement({ minApprovals: 2 }) }),
      );
      const clicks: ClickEvent[] = [
        ...["UAPPROVER1", "UAPPROVER2", "UAPPROVER3"].flatMap((userId) =>
          Array.from({ length: 4 }, () => ({ type: "approve" as const, userId })),
        ),
        ...["UAPPROVER4", "UAPPROVER5"].flatMap((userId) =>
          Array.from({ length: 4 }, () => ({ type: "reject" as const, userId, reason: "freeze" })),
        ),
      ];
      expect(clicks).toHaveLength(20);
      const results = await Promise.all(
        shuffle(clicks, round + 1).map((click, i) => replicas[i % 2]!.act(request.id, click, APPROVER)),
      );

      expect(results.flatMap(decisive)).toHaveLength(1);
      expect(results.some((r) => !r.ok && r.code === "conflict")).toBe(false);
      const final = (await replicas[1]!.get(request.id)) as ApprovalRequest;
      const types = await auditTypes(request.id);
      expect(types.filter((t) => t === "request.approved" || t === "request.rejected")).toHaveLength(1);
      const approvers = final.approvals.map((a) => a.userId);
      expect(new Set(approvers).size).toBe(approvers.length);
      expect(types.filter((t) => t === "approval.recorded")).toHaveLength(approvers.length);
      if (final.status === "approved") expect(approvers).toHaveLength(2);
      else {
        expect(final.status).toBe("rejected");
        expect(approvers.length).toBeLessThan(2);
      }
      const changes = results.filter((r) => r.ok && r.changed).length;
      expect(final.version).toBe(1 + changes);
      expect(await replicas[0]!.listPending()).toEqual([]);
      outcomes.add(final.status);
    }
    // The shuffles are seeded: both races (approve wins, reject wins) are exercised.
    expect([...outcomes].sort()).toEqual(["approved", "rejected"]);
  });
});

describe("claimExecution / finishExecution", () => {
  async function approved() {
    const context = setup();
    const request = await context.service.create(newRequest());
    await context.service.act(request.id, { type: "approve", userId: "UAPPROVER1" }, APPROVER);
    return { ...context, id: request.id };
  }

  it("50 concurrent claims across two replicas: exactly one winner", async () => {
    const { store, audit, clock, id, auditTypes } = await approved();
    const replicas: ApprovalService[] = [
      createApprovalService({ store, clock, audit }),
      createApprovalService({ store, clock, audit }),
    ];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => replicas[i % 2]!.claimExecution(id, `exec-${i}`)),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.code === "not_approved")).toHaveLength(49);
    const winner = `exec-${results.findIndex((r) => r.ok)}`;
    expect((await replicas[0]!.get(id))?.execution?.executionId).toBe(winner);
    expect((await auditTypes(id)).filter((t) => t === "execution.started")).toHaveLength(1);
    expect((await replicas[0]!.listByStatus("executing")).map((r) => r.id)).toEqual([id]);
    expect(await replicas[0]!.listByStatus("approved")).toEqual([]);
  });

  it("a repeated claim with the same execution id does not win twice", async () => {
    const { service, id } = await approved();
    expect((await service.claimExecution(id, "exec-1")).ok).toBe(true);
    expect(await service.claimExecution(id, "exec-1")).toMatchObject({ ok: false, code: "not_approved" });
  });

  it("cannot claim a request that is not approved", async () => {
    const { service } = setup();
    const request = await service.create(newRequest());
    expect(await service.claimExecution(request.id, "exec-1")).toMatchObject({
      ok: false,
      code: "not_approved",
    });
    expect(await service.claimExecution("apr_missing", "exec-1")).toMatchObject({
      ok: false,
      code: "not_found",
    });
  });

  it("refuses to claim a request whose stored targets no longer match what was approved", async () => {
    const { service, store, id } = await approved();
    await store.update<ApprovalRequest>(
      `approval:${id}`,
      (cur) => ({
        ...cur!.value,
        targets: [...cur!.value.targets, { id: "srv-db", name: "db-01", status: "ACTIVE", flavor: "x" }],
      }),
      { retries: 3 },
    );
    expect(await service.claimExecution(id, "exec-1")).toMatchObject({ ok: false, code: "binding_mismatch" });
    expect((await service.get(id))?.status).toBe("approved");
  });

  it("only the winner finishes; the outcome is audited and the request leaves the executing index", async () => {
    const { service, id, auditTypes, audit } = await approved();
    await service.claimExecution(id, "exec-A");
    expect(await service.finishExecution(id, "exec-B", "succeeded")).toMatchObject({
      ok: false,
      code: "execution_mismatch",
    });
    const done = await service.finishExecution(id, "exec-A", "failed", "QuotaExceeded");
    expect(done).toMatchObject({
      ok: true,
      request: { status: "failed", execution: { outcome: "failed", error: "QuotaExceeded" } },
    });
    expect(await service.finishExecution(id, "exec-A", "failed")).toMatchObject({ ok: true, changed: false });
    expect(await service.listByStatus("executing")).toEqual([]);
    expect((await auditTypes(id)).slice(-2)).toEqual(["execution.started", "execution.finished"]);
    const [finished] = await audit.query({ requestId: id, limit: 1 });
    expect(finished).toMatchObject({
      type: "execution.finished",
      outcome: "failed",
      executionId: "exec-A",
      detail: { error: "QuotaExceeded" },
    });
  });
});

describe("expiry", () => {
  it("expireDue expires exactly the due requests, once", async () => {
    const { service, clock, auditTypes, store } = setup();
    const short = await service.create(newRequest({ requirement: requirement({ expiresInMs: 60_000 }) }));
    const long = await service.create(newRequest({ requirement: requirement({ expiresInMs: 600_000 }) }));
    clock.advance(59_999);
    expect(await service.expireDue()).toEqual([]);
    clock.advance(1);
    const expired = await service.expireDue();
    expect(expired.map((r) => [r.id, r.status])).toEqual([[short.id, "expired"]]);
    expect(await service.expireDue()).toEqual([]);
    expect((await service.listPending()).map((r) => r.id)).toEqual([long.id]);
    expect(await auditTypes(short.id)).toEqual(["request.created", "request.expired"]);
    // Where it stood when it expired: no approval of the one it needed.
    const entry = (
      await store.readLog<{ type: string; requestId?: string; detail?: unknown }>(AUDIT_STREAM, {
        limit: 10_000,
      })
    )
      .map((e) => e.record)
      .find((r) => r.requestId === short.id && r.type === "request.expired");
    expect(entry?.detail).toMatchObject({ count: 0, required: short.requirement.minApprovals });
    expect((await service.expireDue(T0 + 600_000)).map((r) => r.id)).toEqual([long.id]);
  });

  it("a click after expiresAt (before any sweep) expires the request and tells the clicker", async () => {
    const { service, clock, auditTypes } = setup();
    const request = await service.create(newRequest());
    clock.set(request.expiresAt);
    const result = await service.act(request.id, { type: "approve", userId: "UAPPROVER1" }, APPROVER);
    expect(result).toMatchObject({
      ok: false,
      code: "expired",
      request: { status: "expired" },
      effects: [{ type: "expired" }],
    });
    expect(await auditTypes(request.id)).toEqual(["request.created", "request.expired", "click.refused"]);
    expect(await service.expireDue()).toEqual([]);
    expect(await service.claimExecution(request.id, "exec-1")).toMatchObject({ ok: false });
  });

  it("uses the service clock, not a time supplied with the event", async () => {
    const { service, clock } = setup();
    const request = await service.create(newRequest());
    clock.set(request.expiresAt + 1);
    const stale = { type: "approve", userId: "UAPPROVER1", at: T0 } as ClickEvent;
    expect(await service.act(request.id, stale, APPROVER)).toMatchObject({ ok: false, code: "expired" });
  });
});

describe("audit failure: nothing happens", () => {
  it("a click whose audit record cannot be appended changes nothing", async () => {
    const { store: failing, control } = withFailingAppends(
      createMemoryStore({ clock: createManualClock(T0) }),
    );
    const { service, store } = setup({ store: failing });
    const request = await service.create(newRequest());
    control.failing = true;
    await expect(
      service.act(request.id, { type: "approve", userId: "UAPPROVER1" }, APPROVER),
    ).rejects.toThrow(/audit/);
    control.failing = false;
    expect(await service.get(request.id)).toEqual(request);
    expect((await service.listPending()).map((r) => r.id)).toEqual([request.id]);
    expect(await store.members("approvals:status:approved")).toEqual([]);
  });

  it("claimExecution fails closed: it throws and the request stays approved, unclaimed", async () => {
    const { store: failing, control } = withFailingAppends(
      createMemoryStore({ clock: createManualClock(T0) }),
    );
    const { service, auditTypes } = setup({ store: failing });
    const request = await service.create(newRequest());
    await service.act(request.id, { type: "approve", userId: "UAPPROVER1" }, APPROVER);
    control.failing = true;
    const claims = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => service.claimExecution(request.id, `e${i}`)),
    );
    expect(claims.every((c) => c.status === "rejected")).toBe(true);
    control.failing = false;
    const after = await service.get(request.id);
    expect(after?.status).toBe("approved");
    expect(after?.execution).toBeUndefined();
    expect(await auditTypes(request.id)).not.toContain("execution.started");
    expect((await service.claimExecution(request.id, "e-after")).ok).toBe(true);
  });

  it("creation with a failing audit stores nothing", async () => {
    const { store: failing, control } = withFailingAppends(
      createMemoryStore({ clock: createManualClock(T0) }),
    );
    const { service } = setup({ store: failing });
    control.failing = true;
    await expect(service.create(newRequest())).rejects.toThrow(/audit/);
    control.failing = false;
    expect(await service.listPending()).toEqual([]);
  });

  it("an audit log that cannot prepare an entry blocks the transition", async () => {
    const { store, clock, audit, service } = setup();
    const request = await service.create(newRequest());
    const broken: AuditLog = {
      ...audit,
      prepare: () => {
        throw new Error("audit schema rejected the entry");
      },
      record: async () => {
        throw new Error("audit down");
      },
    };
    const guarded = createApprovalService({ store, clock, audit: broken });
    await expect(
      guarded.act(request.id, { type: "approve", userId: "UAPPROVER1" }, APPROVER),
    ).rejects.toThrow(/audit/);
    await expect(
      guarded.act(request.id, { type: "approve", userId: "UREQUESTER" }, APPROVER),
    ).rejects.toThrow(/audit/);
    expect(await service.get(request.id)).toEqual(request);
  });
});

describe("retention", () => {
  it("a finished request expires after the retention period and leaves every open index; open ones never expire", async () => {
    const clock = createManualClock(T0);
    const store = createMemoryStore({ clock });
    const audit = createAuditLog({ store, logger: createLogger({ level: "silent" }), clock });
    const service = createApprovalService({ store, clock, audit, finishedRetentionMs: 10 * 86_400_000 });
    const open = await service.create(newRequest());
    const done = await service.create(newRequest());
    await service.act(done.id, { type: "approve", userId: "UAPPROVER1" }, APPROVER);
    await service.claimExecution(done.id, "run-1");
    expect(await store.members("approvals:status:executing")).toEqual([done.id]);
    await service.finishExecution(done.id, "run-1", "succeeded");
    for (const status of ["pending", "approved", "executing"])
      expect(await store.members(`approvals:status:${status}`)).toEqual(
        status === "pending" ? [open.id] : [],
      );
    await service.setMessageRef(done.id, { channel: "COPS", ts: "1.2" });
    clock.advance(10 * 86_400_000 - 1);
    expect((await service.get(done.id))?.status).toBe("succeeded");
    clock.advance(1);
    expect(await service.get(done.id)).toBeUndefined();
    expect((await service.get(open.id))?.status).toBe("pending");
  });
});
