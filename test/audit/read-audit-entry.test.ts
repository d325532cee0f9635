import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUDIT_ENTRY_TYPES, AuditEntrySchema, readAuditEntry } from "../../src/audit/audit-entry.js";

const text = fc.oneof(
  fc.constantFrom("U123", "apr_1", "ecs:cloudServers:stop"),
  fc.string({ minLength: 1, maxLength: 4 }),
);
const odd = fc.oneof(
  fc.constantFrom(undefined, null, "", 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, true),
  fc.string({ maxLength: 3 }),
  fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }),
  fc.sparseArray(fc.string({ minLength: 1, maxLength: 2 }), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);
/** Mostly what the field takes, sometimes anything. */
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: odd });
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 4 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.sparseArray(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 3 }), tie("value"), { maxKeys: 3 }),
  ),
})).value;

const candidate = fc.record(
  {
    // The log makes its IDs with `randomUUID` (version 4); other versions are the schema's to judge.
    id: field(fc.oneof(fc.constant(randomUUID()), fc.uuid({ version: 4 }))),
    type: field(fc.constantFrom(...AUDIT_ENTRY_TYPES)),
    at: field(fc.oneof(fc.nat(), fc.constant(1_764_000_000_000))),
    actorId: field(text),
    teamId: field(text),
    requestId: field(text),
    requesterId: field(text),
    action: field(text),
    serverIds: field(fc.array(text, { maxLength: 3 })),
    serverNames: field(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 3 }),
    ),
    ruleIds: field(fc.array(text, { maxLength: 3 })),
    bindingHash: field(fc.stringMatching(/^[0-9a-f]{64}$/)),
    decision: field(fc.constantFrom("allow", "needs_approval", "deny")),
    executionId: field(text),
    jobId: field(text),
    outcome: field(fc.constantFrom("succeeded", "failed", "outcome_unknown")),
    message: field(fc.string({ maxLength: 6 })),
    detail: field(
      fc.oneof(
        fc.dictionary(fc.string({ maxLength: 3 }), json, { maxKeys: 4 }),
        fc.constant({ nested: { deep: [1, { x: undefined }] } }),
      ),
    ),
  },
  { requiredKeys: ["id", "type", "at", "actorId"] },
);
/** Now and then a field the schema does not know (it is strict). */
const withExtra = fc
  .tuple(candidate, fc.nat(19))
  .map(([c, n]): Record<string, unknown> => (n === 0 ? { ...c, extra: "not a field" } : c));

/** The audit log's fast check gives exactly what the schema gives, and never accepts what it rejects. */
describe("readAuditEntry", () => {
  it("agrees with AuditEntrySchema: the same entry, or it leaves the candidate to the schema", () => {
    const outcomes = { read: 0, left: 0, rejected: 0 };
    fc.assert(
      fc.property(withExtra, (input) => {
        const schema = AuditEntrySchema.safeParse(input);
        const fast = readAuditEntry(input);
        if (!schema.success) {
          expect(fast).toBeUndefined();
          outcomes.rejected += 1;
          return;
        }
        if (fast === undefined) {
          outcomes.left += 1;
          return;
        }
        outcomes.read += 1;
        // The same properties, in the same order, and a copy: the caller's detail is not stored by reference.
        expect(fast).toStrictEqual(schema.data);
        expect(Object.keys(fast)).toEqual(Object.keys(schema.data));
        if (input.detail !== undefined && input.detail !== null && typeof input.detail === "object")
          expect(fast.detail).not.toBe(input.detail);
      }),
      { numRuns: 5_000 },
    );
    expect(outcomes.read).toBeGreaterThan(500);
    expect(outcomes.rejected).toBeGreaterThan(500);
    // What the schema accepts, the fast check reads nearly always (the rest is the schema's odd corners).
    expect(outcomes.left).toBeLessThan(outcomes.read / 10);
  });

  it("reads the entries a stop writes as the schema does", () => {
    const entry = {
      type: "policy.decided",
      actorId: "U0123",
      teamId: "T1",
      requesterId: "U0123",
      action: "ecs:cloudServers:stop",
      decision: "needs_approval",
      serverIds: ["2b0c2d8e-7a1c-4a52-9d0b-6c7f3c2d8e11"],
      ruleIds: ["prod-needs-two"],
      message: "/ecs stop web-0042",
      detail: { channel: "C123", reference: "R-abc", minApprovals: 2, reasons: ["a", "b"] },
      id: randomUUID(),
      at: 1_764_000_000_000,
    };
    expect(readAuditEntry(entry)).toStrictEqual(AuditEntrySchema.parse(entry));
    // A required field missing for its type is the schema's to report.
    expect(readAuditEntry({ ...entry, decision: undefined })).toBeUndefined();
    expect(() => AuditEntrySchema.parse({ ...entry, decision: undefined })).toThrow(/decision/);
  });
});

describe("readAuditEntry on hostile details", () => {
  it("leaves a detail with an own __proto__ key to the schema, which keeps it as data", () => {
    const entry = {
      type: "click.refused",
      actorId: "U1",
      requestId: "apr_1",
      detail: JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>,
      id: randomUUID(),
      at: 1,
    };
    expect(readAuditEntry(entry)).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("does not read past a hole in a list: the schema rejects it, and so is it left", () => {
    const base = { type: "click.refused", actorId: "U1", requestId: "apr_1", id: randomUUID(), at: 1 };
    // biome-ignore lint/suspicious/noSparseArray: the hole is the hostile input under test.
    const holes = [["a", , "b"], { list: [1, , 2] }] as const;
    const withHoles = [
      { ...base, serverIds: holes[0] },
      { ...base, detail: holes[1] },
    ];
    for (const candidate of withHoles) {
      expect(AuditEntrySchema.safeParse(candidate).success).toBe(false);
      expect(readAuditEntry(candidate)).toBeUndefined();
    }
  });
});
