import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The algorithm name Huawei Cloud's API gateway expects in `Authorization`. */
export const SIGNING_ALGORITHM = "SDK-HMAC-SHA256";

/** What the signer needs to know of a request. `path` is the decoded path (not percent-encoded). */
export interface SignableRequest {
  method: string;
  /** Decoded path, e.g. `/v1/{project}/cloudservers/action`. */
  path: string;
  /** Decoded query parameters; repeated keys are arrays. */
  query?: Record<string, string | readonly string[]>;
  /** Headers to sign, any case. Every header given here is signed. */
  headers: Record<string, string>;
  /** The exact body bytes that will be sent (or none). */
  body?: Uint8Array | string;
}

export interface SigningCredentials {
  ak: string;
  sk: string;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;
/** A value of unreserved characters only, as nearly every ID, path segment and query value is. */
const ALL_UNRESERVED = new RegExp(`^${UNRESERVED.source}*$`);
/** What `encodeURIComponent` leaves as they are although RFC 3986 reserves them. */
const SUB_DELIMS_LEFT = /[!'()*]/g;
const percentOf = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** RFC 3986 percent-encoding of every byte except the unreserved set, upper-case hex. */
export function rfc3986Encode(value: string): string {
  if (ALL_UNRESERVED.test(value)) return value;
  try {
    // The engine's UTF-8 percent-encoding (upper-case hex) for everything but `!'()*`.
    return encodeURIComponent(value).replace(SUB_DELIMS_LEFT, percentOf);
  } catch {
    // A lone surrogate, which encodeURIComponent refuses: encoded as the bytes Buffer makes of it.
    return encodeByBytes(value);
  }
}

/** {@link rfc3986Encode} byte by byte: any string, lone surrogates as U+FFFD (Buffer's UTF-8). */
export function encodeByBytes(value: string): string {
  let out = "";
  for (const ch of value) {
    if (ch.length === 1 && UNRESERVED.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * Characters that Node's legacy `url.parse` escapes before the official Huawei Cloud Node.js SDK
 * encodes the path segment again. Reproduced so that our signatures equal the official signer's
 * for every path, including ones with spaces (the gateway verifies what the SDKs send).
 */
const LEGACY_AUTO_ESCAPE: Record<string, string> = {
  "\t": "%09",
  "\n": "%0A",
  "\r": "%0D",
  " ": "%20",
  '"': "%22",
  "'": "%27",
  "<": "%3C",
  ">": "%3E",
  "\\": "%5C",
  "^": "%5E",
  "`": "%60",
  "{": "%7B",
  "|": "%7C",
  "}": "%7D",
};

function legacyAutoEscape(segment: string): string {
  return segment.replace(/[\t\n\r "'<>\\^`{|}]/g, (c) => LEGACY_AUTO_ESCAPE[c] ?? c);
}

/** Canonical URI: each segment encoded, always ending with `/` (the gateway's trailing-slash rule). */
export function canonicalUri(path: string): string {
  const encoded = path
    .split("/")
    .map((segment) => rfc3986Encode(legacyAutoEscape(segment)))
    .join("/");
  return encoded.endsWith("/") ? encoded : `${encoded}/`;
}

/** Canonical query: keys sorted (by code unit), repeated values sorted, all RFC 3986-encoded. */
export function canonicalQuery(query: Record<string, string | readonly string[]> = {}): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key] ?? "";
    const values = typeof value === "string" ? [value] : [...value].sort();
    for (const v of values) parts.push(`${rfc3986Encode(key)}=${rfc3986Encode(v)}`);
  }
  return parts.join("&");
}

/** Hex SHA-256 of the exact body bytes; the empty body hashes as zero bytes. */
export function hashBody(body: Uint8Array | string | undefined): string {
  return createHash("sha256")
    .update(body ?? "")
    .digest("hex");
}

const lastSdkDate = { second: Number.NaN, text: "" };

/** `20191115T033655Z` from a Date. */
export function formatSdkDate(date: Date): string {
  // Every request signs the current second: formatted once a second, not once a request (two regular
  // expressions over an ISO string were a quarter of signing's CPU).
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSdkDate.second) {
    lastSdkDate.text = date
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}Z$/, "Z");
    lastSdkDate.second = second;
  }
  return lastSdkDate.text;
}

/** Parses `X-Sdk-Date`; undefined when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface CanonicalParts {
  canonicalRequest: string;
  signedHeaders: string;
  stringToSign: string;
}

/** Builds the canonical request and string to sign; `x-sdk-date` must be among the headers. */
export function buildStringToSign(req: SignableRequest): CanonicalParts {
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(req.headers)) lower.set(name.toLowerCase(), value);
  const date = lower.get("x-sdk-date");
  if (!date) throw new Error("X-Sdk-Date header is required to sign a request");
  const names = [...lower.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${lower.get(n)}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.query),
    canonicalHeaders,
    signedHeaders,
    hashBody(req.body),
  ].join("\n");
  const stringToSign = [
    SIGNING_ALGORITHM,
    date,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  return { canonicalRequest, signedHeaders, stringToSign };
}

/** Hex HMAC-SHA256 signature of a request. */
export function computeSignature(
  req: SignableRequest,
  sk: string,
): { signature: string; signedHeaders: string } {
  const { stringToSign, signedHeaders } = buildStringToSign(req);
  return { signature: createHmac("sha256", sk).update(stringToSign).digest("hex"), signedHeaders };
}

/** The `Authorization` header value for a request whose headers already include `X-Sdk-Date` and `Host`. */
export function signRequest(req: SignableRequest, creds: SigningCredentials): string {
  const { signature, signedHeaders } = computeSignature(req, creds.sk);
  return `${SIGNING_ALGORITHM} Access=${creds.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

export interface ParsedAuthorization {
  ak: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses an `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header; undefined when malformed. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header?.startsWith(`${SIGNING_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(SIGNING_ALGORITHM.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const ak = fields.get("Access");
  const signed = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!ak || !signed || !signature) return undefined;
  return { ak, signedHeaders: signed.split(";"), signature };
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
