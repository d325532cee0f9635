import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBody } from "../../src/cloud/transport-helpers.js";

/** What a WHATWG body reader makes of the bytes: UTF-8, a leading BOM dropped, invalid sequences replaced. */
const asFetchReadsIt = (bytes: Uint8Array) => new Response(bytes).text();

const BOM = [0xef, 0xbb, 0xbf];
/** Bytes shaped like bodies: mostly ASCII, sometimes with UTF-8 text, a BOM or broken sequences mixed in. */
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300, max: 0x7f }),
  fc.string({ unit: "grapheme", maxLength: 80 }).map((s) => new TextEncoder().encode(s)),
  fc
    .tuple(fc.boolean(), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 8 }))
    .map(([bom, text, tail]) =>
      Uint8Array.from([...(bom ? BOM : []), ...new TextEncoder().encode(text), ...tail]),
    ),
);

describe("decodeBody", () => {
  it("reads any bytes as a fetch body reader does", async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (bytes) => {
        expect(decodeBody(bytes)).toBe(await asFetchReadsIt(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it("reads a view into a larger buffer by its own bytes only", () => {
    const whole = new TextEncoder().encode('xx{"name":"web-01"}yy');
    expect(decodeBody(whole.subarray(2, whole.length - 2))).toBe('{"name":"web-01"}');
  });

  it("drops a leading byte-order mark and keeps text that is not ASCII", () => {
    const bytes = new TextEncoder().encode('\uFEFF{"name":"数据库-01 ✓"}');
    expect(bytes.subarray(0, 3)).toEqual(Uint8Array.from(BOM));
    expect(JSON.parse(decodeBody(bytes))).toEqual({ name: "数据库-01 ✓" });
  });

  it("reads an empty body as empty text", () => {
    expect(decodeBody(new Uint8Array())).toBe("");
  });
});
