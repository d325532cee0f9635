import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serverSchema, toServer } from "../../src/cloud/ecs-schemas.js";
import { readServerRecord } from "../../src/cloud/read-server-record.js";

/** The listing's fast reading gives exactly what the schema gives, and rejects what it rejects. */
describe("readServerRecord", () => {
  const scalar = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.constantFrom("12", "true", "False", "-3", "1.5", " 7 "),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  );
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string(), scalar));
  const record = fc.record(
    {
      id: fc.oneof(fc.uuid(), scalar),
      name: scalar,
      status: fc.oneof(fc.constantFrom("ACTIVE", "SHUTOFF"), scalar),
      locked: scalar,
      "os:scheduler_hints": fc.oneof(
        fc.record(
          {
            tenancy: fc.oneof(fc.constantFrom(["dedicated"], ["shared"], "dedicated"), value),
            dedicated_host_id: fc.oneof(fc.array(fc.uuid(), { maxLength: 2 }), value),
          },
          { requiredKeys: [] },
        ),
        value,
      ),
      "OS-EXT-STS:power_state": scalar,
      "OS-EXT-STS:task_state": scalar,
      flavor: fc.oneof(
        fc.record(
          { id: scalar, name: scalar, vcpus: scalar, ram: scalar, disk: scalar },
          { requiredKeys: [] },
        ),
        value,
      ),
      image: fc.oneof(fc.record({ id: scalar }, { requiredKeys: [] }), scalar),
      addresses: fc.oneof(
        fc.dictionary(
          fc.string(),
          fc.oneof(
            fc.array(
              fc.record(
                { addr: fc.oneof(fc.ipV4(), scalar), version: scalar, "OS-EXT-IPS:type": scalar },
                { requiredKeys: ["addr"] },
              ),
            ),
            scalar,
          ),
        ),
        value,
      ),
      metadata: fc.oneof(fc.dictionary(fc.string(), scalar), value),
      tags: fc.oneof(fc.array(fc.string()), value),
      security_groups: fc.oneof(
        fc.array(fc.record({ name: scalar, id: scalar }, { requiredKeys: [] })),
        value,
      ),
      "os-extended-volumes:volumes_attached": fc.oneof(
        fc.array(
          fc.record(
            {
              id: fc.oneof(fc.uuid(), scalar),
              delete_on_termination: scalar,
              bootIndex: scalar,
              device: scalar,
            },
            { requiredKeys: ["id"] },
          ),
        ),
        value,
      ),
      fault: fc.oneof(
        fc.record({ code: scalar, message: scalar, details: scalar }, { requiredKeys: [] }),
        scalar,
      ),
    },
    { requiredKeys: [] },
  );

  it("agrees with the schema on arbitrary records (same server, or both reject)", () => {
    fc.assert(
      fc.property(record, (raw) => {
        const schema = serverSchema.safeParse(raw);
        const fast = readServerRecord(raw);
        expect(fast.ok).toBe(schema.success);
        if (fast.ok && schema.success) {
          const expected = toServer(schema.data);
          // The same properties (none set to undefined), in the same order: stored snapshots stay byte-equal.
          expect(fast.server).toStrictEqual(expected);
          expect(JSON.stringify(fast.server)).toBe(JSON.stringify(expected));
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
