import { createHmac } from "node:crypto";
import { isValidSlackRequest } from "@slack/bolt/dist/receivers/verify-request.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verifySlackSignature } from "../../src/slack/verify-slack-signature.js";

const NOW_MS = 1_700_000_000_000;
const sign = (secret: string, timestamp: string, body: string) =>
  `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;

/** Bolt's check, the oracle, for a timestamp inside the replay window (which the front checks first). */
const bolt = (secret: string, timestamp: string, body: string, signature: string | undefined) =>
  isValidSlackRequest({
    signingSecret: secret,
    body,
    headers: { "x-slack-signature": signature ?? "", "x-slack-request-timestamp": Number(timestamp) },
    nowMilliseconds: NOW_MS,
  });

describe("verifySlackSignature", () => {
  const secret = "8f742231b10e8888abcd99yyyzzz85a5";
  const timestamp = String(NOW_MS / 1000);
  const body = "token=x&command=%2Fecs&text=stop+web-01";
  const verify = (signature: string | undefined, over: Partial<{ body: string; secret: string }> = {}) =>
    verifySlackSignature({
      signingSecret: over.secret ?? secret,
      timestamp,
      body: over.body ?? body,
      signature,
    });

  it("accepts Slack's signature of the body and refuses every other", () => {
    const good = sign(secret, timestamp, body);
    expect(verify(good)).toBe(true);
    expect(verify(good, { body: `${body}&x=1` })).toBe(false);
    expect(verify(good, { secret: `${secret}0` })).toBe(false);
    expect(verify(good.toUpperCase().replace("V0=", "v0="))).toBe(false);
    expect(verify(good.replace("v0=", "v1="))).toBe(false);
    expect(verify(good.slice(0, -1))).toBe(false);
    expect(verify(`${good}0`)).toBe(false);
    expect(verify(`${good}=`)).toBe(false);
    expect(verify("v0=")).toBe(false);
    expect(verify("")).toBe(false);
    expect(verify(undefined)).toBe(false);
    expect(
      verifySlackSignature({ signingSecret: "", timestamp, body, signature: sign("", timestamp, body) }),
    ).toBe(false);
  });

  it("answers as Bolt's check does, for any body, secret, timestamp spelling and signature", () => {
    const spelling = fc.constantFrom(timestamp, ` ${timestamp}`, `${timestamp} `, `0${timestamp}`);
    const tampered = (good: string) =>
      fc.oneof(
        fc.constant(good),
        fc.constant(good.toUpperCase()),
        fc.constant(`${good}x`),
        fc
          .integer({ min: 3, max: good.length - 1 })
          .map((i) => `${good.slice(0, i)}${good[i] === "0" ? "1" : "0"}${good.slice(i + 1)}`),
        fc.string({ maxLength: 80 }),
        fc.stringMatching(/^v0=[0-9a-f]{64}$/),
      );
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
        fc.string({ unit: "binary", maxLength: 300 }),
        spelling,
        (key, text, spelled) => {
          // Slack signs the timestamp as it sends it; Bolt writes it into the signed text as a number.
          const good = sign(key, String(Number(spelled)), text);
          fc.assert(
            fc.property(tampered(good), (signature) => {
              expect(
                verifySlackSignature({ signingSecret: key, timestamp: spelled, body: text, signature }),
              ).toBe(bolt(key, spelled, text, signature));
            }),
            { numRuns: 6 },
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
