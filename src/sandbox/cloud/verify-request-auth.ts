import { createHash, createHmac } from "node:crypto";
import {
  canonicalQuery,
  canonicalUri,
  computeSignature,
  parseAuthorization,
  parseSdkDate,
  SIGNING_ALGORITHM,
  signaturesEqual,
} from "../../cloud/sign-request.js";
import type { IssuedToken, TokenStore } from "./create-token-store.js";

/** The request facts authentication looks at. */
export interface AuthInput {
  method: string;
  /** Decoded path (each segment percent-decoded), as the signer expects. */
  path: string;
  /** Decoded query parameters; repeated keys are arrays. */
  query: Record<string, string | string[]>;
  /** Node's lower-cased request headers. */
  headers: Record<string, string | string[] | undefined>;
  /** The exact body bytes received. */
  body: Uint8Array;
}

export type AuthDecision =
  | { ok: true; kind: "aksk"; ak: string }
  | { ok: true; kind: "token"; token: IssuedToken }
  | { ok: false; message: string };

/** The API gateway tolerates this much clock difference on `X-Sdk-Date`. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

const PREFIX = "Incorrect IAM authentication information: ";

/**
 * Authenticates a cloud API request the way Huawei Cloud's API gateway does: an IAM token in
 * `X-Auth-Token`, or an `SDK-HMAC-SHA256` signature whose signed headers include `host` and
 * `x-sdk-date`, dated within 15 minutes of `wallNow`, over the exact body bytes (or the literal
 * `UNSIGNED-PAYLOAD` when the client sends `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, as the
 * official SDKs do for non-JSON bodies).
 */
export function verifyRequestAuth(
  input: AuthInput,
  secrets: ReadonlyMap<string, string>,
  tokens: TokenStore,
  simNow: number,
  wallNow: number,
): AuthDecision {
  const token = header(input.headers, "x-auth-token");
  if (token !== undefined) {
    const checked = tokens.check(token, simNow);
    if (checked.ok) return { ok: true, kind: "token", token: checked.record };
    return {
      ok: false,
      message: `${PREFIX}${checked.reason === "expired" ? "token expired" : "verify token fail"}`,
    };
  }
  const authorization = header(input.headers, "authorization");
  if (authorization === undefined) return { ok: false, message: `${PREFIX}no authorization info` };
  const parsed = parseAuthorization(authorization);
  if (!parsed)
    return { ok: false, message: `${PREFIX}invalid authorization header, want ${SIGNING_ALGORITHM}` };
  const signed = parsed.signedHeaders.map((h) => h.toLowerCase());
  if (!signed.includes("host") || !signed.includes("x-sdk-date")) {
    return { ok: false, message: `${PREFIX}SignedHeaders must include host and x-sdk-date` };
  }
  const dateValue = header(input.headers, "x-sdk-date");
  const date = dateValue === undefined ? undefined : parseSdkDate(dateValue);
  if (!date) return { ok: false, message: `${PREFIX}invalid x-sdk-date` };
  if (Math.abs(wallNow - date.getTime()) > MAX_SKEW_MS) {
    return { ok: false, message: `${PREFIX}x-sdk-date expired, more than 15 minutes from server time` };
  }
  const sk = secrets.get(parsed.ak);
  if (sk === undefined) return { ok: false, message: `${PREFIX}ak not exist` };
  const signedHeaders: Record<string, string> = {};
  for (const name of signed) {
    const value = header(input.headers, name);
    if (value === undefined) return { ok: false, message: `${PREFIX}signed header ${name} is missing` };
    signedHeaders[name] = value;
  }
  const unsignedPayload = header(input.headers, "x-sdk-content-sha256") === "UNSIGNED-PAYLOAD";
  const expected = unsignedPayload
    ? signUnsignedPayload(input, signedHeaders, dateValue!, sk)
    : computeSignature(
        {
          method: input.method,
          path: input.path,
          query: input.query,
          headers: signedHeaders,
          body: input.body,
        },
        sk,
      ).signature;
  if (!signaturesEqual(expected, parsed.signature))
    return { ok: false, message: `${PREFIX}verify aksk signature fail` };
  return { ok: true, kind: "aksk", ak: parsed.ak };
}

function header(headers: AuthInput["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * Same canonical request as the project signer, with the literal `UNSIGNED-PAYLOAD` in place of
 * the body hash (the shared signer has no switch for it).
 */
function signUnsignedPayload(
  input: AuthInput,
  signedHeaders: Record<string, string>,
  date: string,
  sk: string,
): string {
  const names = Object.keys(signedHeaders).sort();
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQuery(input.query),
    names.map((n) => `${n}:${signedHeaders[n]}\n`).join(""),
    names.join(";"),
    "UNSIGNED-PAYLOAD",
  ].join("\n");
  const stringToSign = [
    SIGNING_ALGORITHM,
    date,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  return createHmac("sha256", sk).update(stringToSign).digest("hex");
}
