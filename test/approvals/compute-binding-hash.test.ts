import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeBindingHash, verifyBinding } from "../../src/approvals/compute-binding-hash.js";
import { toCanonicalJson } from "../../src/store/to-canonical-json.js";
import { makeRequest } from "./make-request.js";

const input = {
  action: "ecs:cloudServers:resize",
  serverIds: ["srv-2", "srv-1"],
  parameters: { flavor: "s6.xlarge.2", dryRun: false, nested: { b: 1, a: [1, 2] } },
  expectedState: [
    { id: "srv-2", status: "SHUTOFF", flavor: "s6.large.2" },
    { id: "srv-1", status: "ACTIVE", flavor: "s6.large.2" },
  ],
};

describe("toCanonicalJson", () => {
  it("sorts keys at every depth and omits undefined members", () => {
    expect(toCanonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("refuses what JSON cannot represent faithfully", () => {
    expect(() => toCanonicalJson({ n: Number.NaN })).toThrow();
    expect(() => toCanonicalJson([undefined])).toThrow();
    expect(() => toCanonicalJson({ d: new Date(0) })).toThrow();
    expect(() => toCanonicalJson({ b: 1n })).toThrow();
  });

  it("round-trips through JSON.parse for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(toCanonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe("computeBindingHash", () => {
  // Pinned, and cross-checked with Python's json.dumps(sort_keys=True, separators=(",", ":")) + sha256:
  // a change here would invalidate every pending approval across a deploy.
  it("is a stable SHA-256 hex", () => {
    expect(computeBindingHash(input)).toMatch(/^[0-9a-f]{64}$/);
    expect(computeBindingHash(input)).toMatchInlineSnapshot(
      `"a4d935ac57ec8d41891cf89378ff4f4db5f19b435df70321c4b1180633bf6399"`,
    );
  });

  it("ignores the order of servers, expected state entries and object keys", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }), (order) => {
        const servers = ["a", "b", "c", "d"];
        const shuffled = order.map((i) => servers[i]!);
        const base = {
          action: "ecs:cloudServers:stop",
          serverIds: servers,
          parameters: { x: 1, y: 2 },
          expectedState: servers.map((id) => ({ id, status: "ACTIVE", flavor: "f" })),
        };
        expect(
          computeBindingHash({
            action: base.action,
            serverIds: shuffled,
            parameters: { y: 2, x: 1 },
            expectedState: shuffled.map((id) => ({ flavor: "f", status: "ACTIVE", id })),
          }),
        ).toBe(computeBindingHash(base));
      }),
    );
  });

  it("changes with anything that would change what runs", () => {
    const h = computeBindingHash(input);
    expect(computeBindingHash({ ...input, action: "ecs:cloudServers:delete" })).not.toBe(h);
    expect(computeBindingHash({ ...input, serverIds: ["srv-1"] })).not.toBe(h);
    expect(computeBindingHash({ ...input, serverIds: ["srv-1", "srv-2", "srv-3"] })).not.toBe(h);
    expect(
      computeBindingHash({ ...input, parameters: { ...input.parameters, flavor: "s6.2xlarge.2" } }),
    ).not.toBe(h);
    expect(computeBindingHash({ ...input, parameters: { ...input.parameters, extra: null } })).not.toBe(h);
    const [srv2, srv1] = input.expectedState;
    expect(computeBindingHash({ ...input, expectedState: [{ ...srv2!, status: "ACTIVE" }, srv1!] })).not.toBe(
      h,
    );
    expect(
      computeBindingHash({ ...input, expectedState: [srv2!, { ...srv1!, flavor: "s6.small.1" }] }),
    ).not.toBe(h);
    expect(computeBindingHash({ ...input, expectedState: [srv2!, { ...srv1!, status: "ACTIVE" }] })).toBe(h);
  });

  it("does not depend on display-only fields such as the server name", () => {
    const withNames = {
      ...input,
      expectedState: input.expectedState.map((s) => ({ ...s, name: `name-${s.id}` })),
    };
    expect(computeBindingHash(withNames)).toBe(computeBindingHash(input));
  });
});

describe("verifyBinding", () => {
  it("accepts an untouched request and rejects any tampering", () => {
    const request = makeRequest();
    expect(verifyBinding(request)).toBe(true);
    expect(verifyBinding({ ...request, action: "ecs:cloudServers:stop" })).toBe(false);
    expect(verifyBinding({ ...request, targets: request.targets.slice(0, 1) })).toBe(false);
    expect(verifyBinding({ ...request, parameters: { deletePublicIp: false } })).toBe(false);
    expect(verifyBinding({ ...request, bindingHash: "0".repeat(64) })).toBe(false);
  });
});
