import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, redactLogSecrets } from "../../src/log/redact-log-secrets.js";

describe("redactLogSecrets", () => {
  it("gives back a line without secrets as it is, nothing copied", () => {
    const line = {
      audit: true,
      type: "execution.step",
      detail: { steps: [{ id: "stop", tags: { env: "prod" } }] },
    };
    expect(redactLogSecrets(line)).toBe(line);
  });

  it("redacts secrets at any depth and in any case, and leaves the object it was given unchanged", () => {
    const line = {
      sk: "SK-1",
      config: { cloud: { auth: { password: "hunter2", Token: "T-1" } } },
      requests: [{ headers: { Authorization: "Bearer xoxb-1", "X-Auth-Token": "iam-1", accept: "json" } }],
      kept: { name: "web-01" },
    };
    const before = structuredClone(line);
    const redacted = redactLogSecrets(line);
    expect(redacted).toEqual({
      sk: REDACTED,
      config: { cloud: { auth: { password: REDACTED, Token: REDACTED } } },
      requests: [{ headers: { Authorization: REDACTED, "X-Auth-Token": REDACTED, accept: "json" } }],
      kept: { name: "web-01" },
    });
    expect(line).toEqual(before);
    // What held no secret is shared, not copied.
    expect(redacted.kept).toBe(line.kept);
  });

  it("redacts an error's own fields in a copy of the same class", () => {
    const error = Object.assign(new TypeError("login failed"), { code: "AUTH", signingSecret: "sig-1" });
    const redacted = redactLogSecrets({ err: error }).err;
    expect(redacted).toBeInstanceOf(TypeError);
    expect(redacted).not.toBe(error);
    expect(redacted.message).toBe("login failed");
    expect(redacted).toMatchObject({ code: "AUTH", signingSecret: REDACTED });
    expect(redacted.stack).toBe(error.stack);
    expect(error.signingSecret).toBe("sig-1");
    const clean = new Error("no secret");
    expect(redactLogSecrets({ err: clean }).err).toBe(clean);
  });

  it("stops in a cycle and leaves class instances to their own serialization", () => {
    const cyclic: Record<string, unknown> = { name: "a" };
    cyclic.self = cyclic;
    expect(redactLogSecrets(cyclic)).toBe(cyclic);
    const buffer = Buffer.from("token");
    const map = new Map([["token", "x"]]);
    const line = { buffer, map };
    expect(redactLogSecrets(line)).toBe(line);
  });

  it("never lets a secret's value through, wherever it sits (property)", () => {
    const secretKey = fc.constantFrom(
      "sk",
      "ak",
      "password",
      "token",
      "botToken",
      "APPTOKEN",
      "authorization",
      "x-slack-signature",
    );
    const secret = fc.string({ minLength: 1 }).map((s) => `SECRET<${s}>`);
    const plainKey = fc.constantFrom("name", "id", "tags", "detail", "headers", "config", "items");
    const leaf = fc.oneof(fc.integer(), fc.boolean(), fc.constantFrom("web-01", "prod", ""));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(plainKey, tie("node"), { maxKeys: 3 }),
        fc
          .tuple(secretKey, secret, fc.dictionary(plainKey, tie("node"), { maxKeys: 2 }))
          .map(([k, v, rest]) => ({
            ...rest,
            [k]: v,
          })),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(plainKey, tree, { maxKeys: 4 }), (line) => {
        const text = JSON.stringify(line);
        const redacted = redactLogSecrets(line);
        expect(JSON.stringify(redacted)).not.toContain("SECRET<");
        if (!text.includes("SECRET<")) expect(redacted).toBe(line);
        expect(JSON.stringify(line)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
