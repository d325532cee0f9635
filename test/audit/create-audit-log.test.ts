import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { AUDIT_ENTRY_TYPES, type AuditEntryInput } from "../../src/audit/audit-entry.js";
import { AUDIT_STREAM, createAuditLog } from "../../src/audit/create-audit-log.js";
import { createLogger, type Logger } from "../../src/log/create-logger.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { ReadLogOptions, Store } from "../../src/store/store.js";
import { createManualClock } from "../store/manual-clock.js";

const HASH = "a".repeat(64);

function setup(store?: Store) {
  const clock = createManualClock(Date.UTC(2025, 0, 1));
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  });
  const backing = store ?? createMemoryStore({ clock });
  return { clock, lines, store: backing, audit: createAuditLog({ store: backing, logger, clock }) };
}

const created = (over: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  type: "request.created",
  actorId: "UREQ",
  requesterId: "UREQ",
  requestId: "apr_1",
  action: "ecs:cloudServers:delete",
  serverIds: ["srv-1", "srv-2"],
  ruleIds: ["r1"],
  bindingHash: HASH,
  ...over,
});

describe("createAuditLog", () => {
  it("appends to the store first, then writes one JSON line marked audit: true", async () => {
    const { audit, lines, store, clock } = setup();
    const record = await audit.record(created());
    expect(record).toMatchObject({
      seq: 1,
      type: "request.created",
      at: clock.now(),
      serverIds: ["srv-1", "srv-2"],
    });
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await store.readLog(AUDIT_STREAM))[0]?.record).toEqual({ ...record, seq: undefined });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      audit: true,
      id: record.id,
      type: "request.created",
      seq: 1,
      msg: "audit request.created",
    });
  });

  it("validates entries: closed type set, strict fields, required fields per type", async () => {
    const { audit, lines, store } = setup();
    await expect(audit.record(created({ type: "request.deleted" as never }))).rejects.toThrow();
    await expect(audit.record({ ...created(), extra: 1 } as AuditEntryInput)).rejects.toThrow();
    await expect(
      audit.record({ type: "execution.job", actorId: "system:executor", executionId: "e1" }),
    ).rejects.toThrow(/jobId/);
    await expect(audit.record(created({ bindingHash: "not-a-hash" }))).rejects.toThrow();
    await expect(audit.record(created({ detail: { f: () => 1 } as never }))).rejects.toThrow();
    expect(await store.readLog(AUDIT_STREAM)).toEqual([]);
    expect(lines).toEqual([]);
    expect(AUDIT_ENTRY_TYPES).toContain("execution.job");
    await expect(
      audit.record({
        type: "execution.job",
        actorId: "system:executor",
        executionId: "e1",
        jobId: "job-9",
        serverIds: ["srv-1"],
      }),
    ).resolves.toMatchObject({ jobId: "job-9", ruleIds: [] });
  });

  it("throws, and ships nothing, when the store append fails", async () => {
    const inner = createMemoryStore();
    const failing: Store = {
      ...inner,
      append: async () => {
        throw new Error("disk full");
      },
    };
    const { audit, lines } = setup(failing);
    await expect(audit.record(created())).rejects.toThrow("disk full");
    expect(lines).toEqual([]);
  });

  it("a broken log sink does not undo a committed record", async () => {
    const store = createMemoryStore();
    const logger = {
      info: () => {
        throw new Error("sink down");
      },
    } as unknown as Logger;
    const audit = createAuditLog({ store, logger });
    await expect(audit.record(created())).resolves.toMatchObject({ seq: 1 });
    expect(await store.readLog(AUDIT_STREAM)).toHaveLength(1);
  });

  it("prepare validates without writing; publish ships the line", async () => {
    const { audit, lines, store } = setup();
    const prepared = audit.prepare(created());
    expect(prepared.append).toEqual({ stream: AUDIT_STREAM, record: prepared.entry });
    expect(await store.readLog(AUDIT_STREAM)).toEqual([]);
    expect(lines).toEqual([]);
    prepared.publish();
    expect(lines[0]).toMatchObject({ audit: true, id: prepared.entry.id });
    expect(() => audit.prepare(created({ requestId: undefined }))).toThrow(/requestId/);
  });

  it("queries newest first by server, user (actor or requester), request and type", async () => {
    const { audit, clock } = setup();
    await audit.record(created());
    clock.advance(1);
    await audit.record({
      type: "approval.recorded",
      actorId: "UAPP",
      requesterId: "UREQ",
      requestId: "apr_1",
      serverIds: ["srv-1", "srv-2"],
      bindingHash: HASH,
    });
    clock.advance(1);
    await audit.record(
      created({ requestId: "apr_2", serverIds: ["srv-3"], actorId: "UOTHER", requesterId: "UOTHER" }),
    );
    clock.advance(1);
    await audit.record({
      type: "policy.decided",
      actorId: "UOTHER",
      action: "ecs:cloudServers:stop",
      decision: "deny",
      serverIds: ["srv-1"],
      ruleIds: ["no-stop-prod"],
    });

    const ids = (rs: Array<{ seq: number }>) => rs.map((r) => r.seq);
    expect(ids(await audit.query({ limit: 10 }))).toEqual([4, 3, 2, 1]);
    expect(ids(await audit.query({ serverId: "srv-1", limit: 10 }))).toEqual([4, 2, 1]);
    expect(ids(await audit.query({ serverId: "srv-1", limit: 2 }))).toEqual([4, 2]);
    expect(ids(await audit.query({ userId: "UREQ", limit: 10 }))).toEqual([2, 1]);
    expect(ids(await audit.query({ userId: "UAPP", limit: 10 }))).toEqual([2]);
    expect(ids(await audit.query({ requestId: "apr_1", limit: 10 }))).toEqual([2, 1]);
    expect(ids(await audit.query({ type: "request.created", serverId: "srv-3", limit: 10 }))).toEqual([3]);
    expect(await audit.query({ userId: "UNOBODY", limit: 10 })).toEqual([]);
  });

  it("pages back before a sequence number: entries of one millisecond neither skipped nor repeated", async () => {
    const memory = createMemoryStore({ clock: createManualClock(Date.UTC(2025, 0, 1)) });
    // Counts the records the scan looks at: paging back starts below the cursor, not at the head.
    let scanned = 0;
    const counting: Store = Object.assign(Object.create(memory) as Store, {
      readLog: <R>(stream: string, options: ReadLogOptions<R> = {}) =>
        memory.readLog<R>(stream, {
          ...options,
          filter: (record: R) => {
            scanned++;
            return options.filter === undefined || options.filter(record);
          },
        }),
    });
    const { audit } = setup(counting);
    // 40 entries in one millisecond (the clock never moves), alternating between two servers.
    for (let i = 0; i < 40; i++)
      await audit.record(created({ serverIds: [i % 2 === 0 ? "srv-1" : "srv-2"] }));
    const seen: number[] = [];
    let beforeSeq: number | undefined;
    for (let page = 0; page < 10; page++) {
      scanned = 0;
      const entries = await audit.query({
        serverId: "srv-1",
        limit: 3,
        ...(beforeSeq !== undefined && { beforeSeq }),
      });
      if (entries.length === 0) break;
      // Three matches in every other entry: at most 6 records looked at, whatever the page.
      expect(scanned).toBeLessThanOrEqual(6);
      seen.push(...entries.map((e) => e.seq));
      beforeSeq = entries.at(-1)?.seq;
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => 39 - 2 * i));
  });
});
