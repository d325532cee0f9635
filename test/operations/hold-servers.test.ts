/**
 * Server holds (`hold-servers.ts`) over a real store and approval service: a claimed request takes its
 * servers, one after the other by compare-and-swap; another change sharing one is told who holds it and takes
 * none; a hold is judged by its change (never its age), so an ended or settled change frees its servers; and
 * of changes racing for shared servers (replicas over one Redis), exactly one takes them.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import { createAuditLog } from "../../src/audit/create-audit-log.js";
import { createLogger } from "../../src/log/create-logger.js";
import {
  findRunsHoldingServers,
  holdServers,
  releaseServers,
  serverHoldKey,
} from "../../src/operations/hold-servers.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import { runKey } from "../../src/workflow/run-record.js";
import { makeRequest, T0 } from "../approvals/make-request.js";
import { openSharedRedis } from "../replicas/helpers/shared-redis.js";

const quiet = () => createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) });

function world(store: Store = createMemoryStore({ clock: { now: () => T0 } })) {
  const clock = { now: () => T0 };
  const audit = createAuditLog({ store, clock, logger: quiet() });
  const approvals = createApprovalService({ store, clock, audit });
  return { store, approvals };
}

/** `id` claimed as run `run_<id>` for the servers `srv-<n>` (named `web-<n>`). */
function executing(name: string, servers: number[], overrides: Partial<ApprovalRequest> = {}) {
  const id = aid(name);
  return makeRequest({
    id,
    status: "executing",
    action: "ecs:cloudServers:reboot",
    commandText: `/ecs reboot ${servers.map((n) => `web-${n}`).join(" ")}`,
    targets: servers.map((n) => ({
      id: `srv-${n}`,
      name: `web-${n}`,
      status: "ACTIVE",
      flavor: "s6.large.2",
    })),
    parameters: {},
    approvals: [{ userId: "UAPPROVER1", at: T0 }],
    execution: { executionId: `run_${id}`, startedAt: T0 },
    message: { channel: "COPS", ts: "1735689600.000100" },
    ...overrides,
  });
}

async function put(store: Store, request: ApprovalRequest) {
  await store.delete(`approval:${request.id}`);
  expect(await store.createIfAbsent(`approval:${request.id}`, request)).toBe(true);
  return request;
}

const runOf = (request: ApprovalRequest) => request.execution?.executionId ?? "";
/** A request ID as the store takes them (`apr_` and 22 characters or more). */
const aid = (name: string) => `apr_${name.padEnd(22, "0")}`;

describe("taking and giving back servers", () => {
  it("a free server is taken, again by the same run; a change sharing one is told who holds it and takes none", async () => {
    const w = world();
    const first = await put(w.store, executing("first", [1, 2]));
    expect(await holdServers(w, first, runOf(first), T0)).toEqual({ ok: true });
    // Adopted again (a restart): its own holds are its own.
    expect(await holdServers(w, first, runOf(first), T0 + 1)).toEqual({ ok: true });

    const second = await put(w.store, executing("second", [0, 2, 3]));
    const held = await holdServers(w, second, runOf(second), T0);
    expect(held).toEqual({
      ok: false,
      holders: [
        {
          requestId: aid("first"),
          verb: "reboot",
          requesterId: "UREQUESTER",
          message: { channel: "COPS", ts: "1735689600.000100" },
          servers: [{ id: "srv-2", name: "web-2" }],
        },
      ],
    });
    // It took srv-0 before it met srv-2, and gave it back; it never reached srv-3.
    expect((await w.store.get(serverHoldKey("srv-0")))?.value).toEqual({ released: true });
    expect(await w.store.get(serverHoldKey("srv-3"))).toBeUndefined();
    expect((await w.store.get(serverHoldKey("srv-2")))?.value).toMatchObject({ requestId: aid("first") });

    // The first gives its servers back: the second takes them.
    await releaseServers(w, first, runOf(first));
    expect(await holdServers(w, second, runOf(second), T0)).toEqual({ ok: true });
    // A late give-back of the first (a stale replica) leaves the second's holds alone.
    await releaseServers(w, first, runOf(first));
    expect((await w.store.get(serverHoldKey("srv-2")))?.value).toMatchObject({ requestId: aid("second") });
  });

  it("a hold is judged by its change: settled, claimed again or gone frees; unreadable run record holds", async () => {
    const w = world();
    const first = await put(w.store, executing("first", [1]));
    expect(await holdServers(w, first, runOf(first), T0)).toEqual({ ok: true });
    const second = await put(w.store, executing("second", [1]));

    // Its run record cannot be read: taken as running (a wrong "free" would send a second change).
    await w.store.createIfAbsent(runKey(runOf(first)), { garbage: true });
    expect((await holdServers(w, second, runOf(second), T0)).ok).toBe(false);
    await w.store.delete(runKey(runOf(first)));

    // Claimed, its run not created yet (about to start): holds.
    expect((await holdServers(w, second, runOf(second), T0)).ok).toBe(false);
    // Settled (its replica died before giving its servers back): free, and taken over.
    await put(w.store, { ...first, status: "succeeded" });
    expect(await holdServers(w, second, runOf(second), T0)).toEqual({ ok: true });
    expect((await w.store.get(serverHoldKey("srv-1")))?.value).toMatchObject({ requestId: aid("second") });

    // Gone entirely (no request, no run): free.
    const third = await put(w.store, executing("third", [1]));
    await w.store.delete(`approval:${aid("second")}`);
    expect(await holdServers(w, third, runOf(third), T0)).toEqual({ ok: true });
  });

  it("an unreadable hold fails closed, naming the server", async () => {
    const w = world();
    await w.store.createIfAbsent(serverHoldKey("srv-1"), { who: "knows" });
    const request = await put(w.store, executing("first", [1]));
    await expect(holdServers(w, request, runOf(request), T0)).rejects.toThrow(
      "the hold of server srv-1 cannot be read",
    );
    await expect(findRunsHoldingServers(w, request)).rejects.toThrow("srv-1");
  });
});

describe("reading who holds a request's servers", () => {
  it("one entry a holder with the servers both changes share, in the request's order; its own, ended and given-back holds are not", async () => {
    const w = world();
    const a = await put(w.store, executing("a", [5, 1]));
    const b = await put(w.store, executing("b", [3]));
    const done = await put(w.store, executing("done", [4]));
    const given = await put(w.store, executing("given", [6]));
    for (const r of [a, b, done, given]) expect((await holdServers(w, r, runOf(r), T0)).ok).toBe(true);
    await put(w.store, { ...done, status: "failed" });
    await releaseServers(w, given, runOf(given));

    const asking = makeRequest({
      id: aid("asking"),
      targets: [5, 4, 3, 6, 1, 7].map((n) => ({
        id: `srv-${n}`,
        name: `web-${n}`,
        status: "ACTIVE",
        flavor: "s6.large.2",
      })),
    });
    const found = await findRunsHoldingServers(w, asking);
    expect(found.map((h) => [h.requestId, h.servers.map((s) => s.name)])).toEqual([
      [aid("a"), ["web-5", "web-1"]],
      [aid("b"), ["web-3"]],
    ]);
    // The asking request's own run (adopted) does not hold itself.
    expect(await findRunsHoldingServers(w, a, runOf(a))).toEqual([]);
  });

  it("reads one hold a server and one record a holder: never the other changes running", async () => {
    const w = world();
    for (let i = 0; i < 40; i++) {
      const other = await put(w.store, executing(`other${i}`, [100 + i]));
      await holdServers(w, other, runOf(other), T0);
    }
    const asking = await put(w.store, executing("asking", [1, 2, 3]));
    let reads = 0;
    const counted: Pick<Store, "get"> = {
      get: (key) => {
        reads++;
        return w.store.get(key);
      },
    };
    expect(await findRunsHoldingServers({ store: counted, approvals: w.approvals }, asking)).toEqual([]);
    expect(reads).toBe(3);
  });
});

describe("replicas racing for shared servers over one Redis", () => {
  let redis: Awaited<ReturnType<typeof openSharedRedis>>[];
  const namespace = `holds-${process.pid}-${Date.now()}`;
  beforeAll(async () => {
    redis = [await openSharedRedis(namespace), await openSharedRedis(namespace)];
  });
  afterAll(async () => {
    for (const r of redis ?? []) await r.cleanup();
  });

  it("of two changes sharing servers, exactly one takes them, round after round; disjoint changes both do", async () => {
    const [one, two] = redis.map((r) => world(r.store));
    for (let round = 0; round < 30; round++) {
      // Overlapping in different places each round (first, last or a middle server in common).
      const shared = 1000 * round + (round % 3);
      const a = await put(one!.store, executing(`a${round}`, [1000 * round + 5, shared, 1000 * round + 7]));
      const b = await put(one!.store, executing(`b${round}`, [shared, 1000 * round + 9]));
      const c = await put(one!.store, executing(`c${round}`, [1000 * round + 500]));
      const results = await Promise.all([
        holdServers(one!, a, runOf(a), T0),
        holdServers(two!, b, runOf(b), T0),
        holdServers(two!, c, runOf(c), T0),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      expect(results[2]).toEqual({ ok: true });
      const loser = results[0]!.ok ? b : a;
      const winner = results[0]!.ok ? a : b;
      // The loser holds nothing; every server of the winner is the winner's.
      for (const t of loser.targets.filter((t) => !winner.targets.some((w) => w.id === t.id))) {
        const hold = (await one!.store.get<{ requestId?: string }>(serverHoldKey(t.id)))?.value;
        expect(hold?.requestId).toBeUndefined();
      }
      for (const t of winner.targets)
        expect((await two!.store.get<{ requestId?: string }>(serverHoldKey(t.id)))?.value?.requestId).toBe(
          winner.id,
        );
    }
  });
});
