import { AKSKSigner } from "@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js";
import type { ICredential } from "@huaweicloud/huaweicloud-sdk-core/auth/ICredential.js";
import type { IHttpRequest } from "@huaweicloud/huaweicloud-sdk-core/http/IHttpRequest.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalUri,
  encodeByBytes,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  rfc3986Encode,
  signaturesEqual,
  signRequest,
} from "../../src/cloud/sign-request.js";

describe("signRequest", () => {
  it("reproduces Huawei's published signing example", () => {
    const authorization = signRequest(
      {
        method: "GET",
        path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        query: { limit: "2", marker: "13551d6b-755d-4757-b956-536f674975c0" },
        headers: {
          "Content-Type": "application/json",
          Host: "service.region.example.com",
          "X-Sdk-Date": "20191115T033655Z",
        },
      },
      { ak: "QTWAOYTTINDUT2QVKYUC", sk: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc" },
    );
    expect(authorization).toBe(
      "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
    );
  });

  it("encodes path segments like the official SDK (legacy url.parse escaping, then RFC 3986)", () => {
    expect(canonicalUri("/v1/a b/ü")).toBe("/v1/a%2520b/%C3%BC/");
    expect(canonicalUri("/v1/x/")).toBe("/v1/x/");
  });

  it("formats X-Sdk-Date from the date's own second, whatever the dates before it", () => {
    const plain = (d: Date) => `${d.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
    fc.assert(
      fc.property(
        fc.array(
          fc.date({
            min: new Date("1960-01-01T00:00:00Z"),
            max: new Date("9999-12-31T23:59:59Z"),
            noInvalidDate: true,
          }),
          { maxLength: 8 },
        ),
        fc.integer({ min: 0, max: 999 }),
        (dates, ms) => {
          // Each date, then another millisecond of the same second: both as formatted from scratch.
          for (const date of dates) {
            const sameSecond = new Date(date.getTime() - date.getUTCMilliseconds() + ms);
            expect(formatSdkDate(date)).toBe(plain(date));
            expect(formatSdkDate(sameSecond)).toBe(plain(sameSecond));
          }
        },
      ),
    );
    expect(() => formatSdkDate(new Date(Number.NaN))).toThrow(RangeError);
  });

  it("round-trips X-Sdk-Date and Authorization", () => {
    const date = new Date(Date.UTC(2019, 10, 15, 3, 36, 55));
    expect(formatSdkDate(date)).toBe("20191115T033655Z");
    expect(parseSdkDate("20191115T033655Z")?.getTime()).toBe(date.getTime());
    expect(parseSdkDate("2019-11-15")).toBeUndefined();
    const parsed = parseAuthorization(
      "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc",
    );
    expect(parsed).toEqual({ ak: "AK", signedHeaders: ["host", "x-sdk-date"], signature: "abc" });
    expect(parseAuthorization("Bearer x")).toBeUndefined();
    expect(signaturesEqual("abc", "abc")).toBe(true);
    expect(signaturesEqual("abc", "abd")).toBe(false);
  });
});

/*
 * Oracle: our signer must produce the same Authorization as the official Node.js SDK's AKSKSigner.
 *
 * Generation limits (documented, deliberate):
 * - Path segments never contain `/` (the separator), `?`, `#`, `%` or `\`: those cannot appear raw in a
 *   URL path (they would start the query/fragment, begin an escape, or be turned into `/` by url.parse),
 *   so no real request has them in its decoded path.
 * - The path does not end in whitespace or a C0 control character: legacy `url.parse` trims those off
 *   the whole URL, so the official SDK would sign a different path than the one it sends.
 * - Methods are upper-case (the official signer does not upper-case; our transport always does).
 * - Bodies are JSON values: the official signer hashes `JSON.stringify(data)`; we hash exactly those bytes.
 */
const FORBIDDEN_IN_SEGMENT = new Set(["/", "?", "#", "%", "\\"]);
const interesting = fc.constantFrom(
  " ",
  "ü",
  "é",
  "日本",
  "😀",
  "'",
  '"',
  "{",
  "}",
  "|",
  "^",
  "`",
  "<",
  ">",
  "~",
  "-",
  "_",
  ".",
  "!",
  "$",
  "&",
  "(",
  ")",
  "*",
  "+",
  ",",
  ";",
  "=",
  ":",
  "@",
  "[",
  "]",
  "\t",
);
const segmentChar = fc
  .oneof(
    { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: interesting },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  )
  .filter((c) => ![...c].some((ch) => FORBIDDEN_IN_SEGMENT.has(ch)));
const segment = fc.array(segmentChar, { minLength: 1, maxLength: 8 }).map((chars) => chars.join(""));
const path = fc
  .array(segment, { minLength: 1, maxLength: 5 })
  .map((segments) => `/${segments.join("/")}`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters url.parse trims are what we exclude
  .filter((p) => !/[\u0000-\u0020\s]$/u.test(p));

const queryText = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.constantFrom("a b", "日本", "x=y&z", "~-_.", "😀"),
);
const query = fc.dictionary(
  queryText.filter((k) => k.length > 0 && k !== "__proto__"),
  fc.oneof(queryText, fc.array(queryText, { minLength: 1, maxLength: 4 })),
  { maxKeys: 5 },
);

const jsonBody = fc.oneof(
  fc.constant(undefined),
  fc.constant({}),
  fc.record({ text: fc.string({ unit: "grapheme", maxLength: 20 }) }),
  fc.jsonValue({ maxDepth: 3 }).filter((v) => v !== null && typeof v === "object"),
  fc.record({
    "os-stop": fc.record({
      type: fc.constantFrom("SOFT", "HARD"),
      servers: fc.array(fc.record({ id: fc.uuid() })),
    }),
  }),
);

const host = fc.oneof(
  fc.constantFrom("ecs.ap-southeast-1.myhuaweicloud.com", "hss.cn-north-4.myhuaweicloud.com"),
  fc.integer({ min: 1, max: 65535 }).map((port) => `127.0.0.1:${port}`),
);

const sdkDate = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true })
  .map(formatSdkDate);

const credentials = fc.record({
  ak: fc.string({
    unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
    minLength: 20,
    maxLength: 20,
  }),
  sk: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 40 }),
  securityToken: fc.option(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 60 }), {
    nil: undefined,
  }),
});

describe("signRequest against the official AKSKSigner", () => {
  it("produces the same Authorization for random requests", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"),
        path,
        query,
        jsonBody,
        host,
        sdkDate,
        fc.uuid().map((u) => u.replaceAll("-", "")),
        fc.constantFrom("application/json", "application/json;charset=UTF-8"),
        credentials,
        (method, decodedPath, queryParams, data, hostPort, date, projectId, contentType, creds) => {
          const headers: Record<string, string> = {
            "Content-Type": contentType,
            "X-Project-Id": projectId,
            "X-Sdk-Date": date,
          };
          if (creds.securityToken !== undefined) headers["X-Security-Token"] = creds.securityToken;

          const credential = { getAk: () => creds.ak, getSk: () => creds.sk } as unknown as ICredential;
          const official = AKSKSigner.sign(
            {
              // The official SDK takes the path as it appears in the URL; url.parse escapes it.
              endpoint: `https://${hostPort}${decodedPath}`,
              headers: { ...headers },
              queryParams: structuredClone(queryParams),
              method,
              data,
            } as unknown as IHttpRequest,
            credential,
          ) as Record<string, string>;

          const ours = signRequest(
            {
              method,
              path: decodedPath,
              query: queryParams,
              headers: { ...headers, Host: hostPort },
              body: data === undefined ? undefined : JSON.stringify(data),
            },
            creds,
          );
          expect(ours).toBe(official.Authorization);
          const signed = parseAuthorization(ours)?.signedHeaders.join(";");
          expect(signed).toBe(
            creds.securityToken === undefined
              ? "content-type;host;x-project-id;x-sdk-date"
              : "content-type;host;x-project-id;x-sdk-date;x-security-token",
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("rfc3986Encode", () => {
  it("equals the byte-by-byte encoding for any text, lone surrogates included (property)", () => {
    const text = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 12 }),
      fc.string({ unit: "binary", maxLength: 12 }),
      fc.string({
        unit: fc.constantFrom("a", "~", "!", "'", "(", ")", "*", " ", "%", "\uD800", "\uDC00", "é"),
        maxLength: 12,
      }),
    );
    fc.assert(
      fc.property(text, (value) => {
        expect(rfc3986Encode(value)).toBe(encodeByBytes(value));
      }),
      { numRuns: 2000 },
    );
    expect(rfc3986Encode("web-01_a.b~")).toBe("web-01_a.b~");
    expect(rfc3986Encode("a b!*'()")).toBe("a%20b%21%2A%27%28%29");
    expect(rfc3986Encode("\uD800x")).toBe("%EF%BF%BDx");
  });
});
