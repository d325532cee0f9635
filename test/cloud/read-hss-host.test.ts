import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CloudResponse } from "../../src/cloud/create-transport.js";
import { CloudError } from "../../src/cloud/errors.js";
import { hostSchema, listHostsResponse, toHssHost } from "../../src/cloud/hss-schemas.js";
import { readHostsPage, readHssHost } from "../../src/cloud/read-hss-host.js";

const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom("12", "true", "false", "False", "-3", "1.5", " 7 ", ""),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.sparseArray(scalar, { maxLength: 3 }),
  fc.dictionary(fc.string(), scalar),
);

/**
 * Every field of the schema (so a field added to it and not to the fast reading is caught): mostly a value
 * of the kind the schema takes for it (probed from the schema itself), sometimes anything at all.
 */
const fieldNames = Object.keys(hostSchema.shape) as (keyof typeof hostSchema.shape)[];
const takes = (name: keyof typeof hostSchema.shape, v: unknown) =>
  hostSchema.shape[name].safeParse(v).success;
const absent = fc.constantFrom(null, undefined);
function wellTyped(name: keyof typeof hostSchema.shape): fc.Arbitrary<unknown> {
  if (name === "labels") return fc.array(fc.constantFrom("", "web", "db"), { maxLength: 3 });
  if (name === "common_login_area_codes")
    return fc.oneof(fc.array(scalar, { maxLength: 4 }), fc.sparseArray(scalar, { maxLength: 4 }));
  if (takes(name, "text")) return fc.oneof(fc.string(), absent);
  if (takes(name, 5)) return fc.oneof(fc.integer(), fc.constantFrom("12", "-3", "1.5"), absent);
  if (takes(name, true)) return fc.oneof(fc.boolean(), fc.constantFrom("true", "false"), absent);
  throw new Error(`no generator for ${name}`);
}
const host = fc.record(
  Object.fromEntries(
    fieldNames.map((name) => [
      name,
      name === "host_id"
        ? fc.oneof({ weight: 30, arbitrary: fc.uuid() }, { weight: 1, arbitrary: scalar })
        : fc.oneof({ weight: 60, arbitrary: wellTyped(name) }, { weight: 1, arbitrary: value }),
    ]),
  ),
  { requiredKeys: [] },
);

const response = (json: unknown): CloudResponse => ({
  status: 200,
  headers: {},
  text: JSON.stringify(json) ?? "",
  json,
  requestId: "req-1",
});

/** The host list's fast reading gives exactly what the schema gives, and rejects what it rejects. */
describe("readHssHost", () => {
  it("agrees with the schema on arbitrary hosts (same host, or both reject)", () => {
    const outcomes = { read: 0, rejected: 0 };
    fc.assert(
      fc.property(host, (raw) => {
        const schema = hostSchema.safeParse(raw);
        outcomes[schema.success ? "read" : "rejected"] += 1;
        const fast = readHssHost(raw);
        expect(fast.ok).toBe(schema.success);
        if (fast.ok && schema.success) {
          const expected = toHssHost(schema.data);
          // The same properties (none undefined), in the same order: what is stored stays byte-equal.
          expect(fast.host).toStrictEqual(expected);
          expect(JSON.stringify(fast.host)).toBe(JSON.stringify(expected));
        }
      }),
      { numRuns: 3_000 },
    );
    // Both kinds of host are tried often enough to mean something.
    expect(outcomes.read).toBeGreaterThan(300);
    expect(outcomes.rejected).toBeGreaterThan(300);
  });

  it("reads the documented example of ListHosts as the schema does", () => {
    const raw = {
      host_id: "caa958ad-a481-4d46-b51e-6861b8864515",
      host_name: "ecs-web-01",
      agent_status: "online",
      labels: [""],
      outside_host: "false",
      expire_time: "1608704000000",
      common_login_area_codes: [86, "x", null, "44"],
    };
    const fast = readHssHost(raw);
    expect(fast).toEqual({ ok: true, host: toHssHost(hostSchema.parse(raw)) });
    expect(fast.ok && fast.host).toMatchObject({
      labels: [],
      outsideHost: false,
      commonLoginAreaCodes: [86, 44],
    });
  });
});

describe("readHostsPage", () => {
  const page = fc.record(
    { total_num: fc.oneof(fc.nat(), scalar), data_list: fc.oneof(fc.array(host, { maxLength: 3 }), value) },
    { requiredKeys: [] },
  );

  it("agrees with the schema on arbitrary pages, failing with the schema's own message", () => {
    let read = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: page }, { weight: 1, arbitrary: value }), (body) => {
        const schema = listHostsResponse.safeParse(body);
        if (schema.success) read += 1;
        let fast: ReturnType<typeof readHostsPage> | CloudError;
        try {
          fast = readHostsPage(response(body), "hss.listHosts");
        } catch (error) {
          fast = error as CloudError;
        }
        if (schema.success) {
          expect(fast).toStrictEqual({
            total: schema.data.total_num ?? 0,
            items: (schema.data.data_list ?? []).map(toHssHost),
          });
        } else {
          expect(fast).toBeInstanceOf(CloudError);
          expect((fast as CloudError).code).toBe("INVALID_RESPONSE");
          const issue = schema.error.issues[0]!;
          expect((fast as CloudError).message).toContain(issue.path.join(".") || "(body)");
        }
      }),
      { numRuns: 1_000 },
    );
    expect(read).toBeGreaterThan(100);
  });
});
