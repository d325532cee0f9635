import type { CloudAuth } from "./load-cloud-config.js";
import { formatSdkDate, signRequest } from "./sign-request.js";

/** What an authenticator sees of a request about to be sent. */
export interface AuthRequest {
  method: string;
  /** The URL's host (with a non-default port), as the HTTP client sends it in `Host`. */
  host: string;
  /** Decoded path, including any endpoint path prefix. */
  path: string;
  query: Record<string, string | string[]>;
  /** The exact bytes that will be sent. */
  body: Uint8Array | undefined;
  /** Sent as `X-Project-Id` when known (project-scoped services). */
  projectId: string | undefined;
  /** Current time (ms since epoch) from the injected clock. */
  nowMs: number;
  signal?: AbortSignal;
}

/** Adds authentication headers to requests. */
export interface Authenticator {
  readonly kind: CloudAuth["kind"];
  headers(req: AuthRequest): Promise<Record<string, string>>;
  /** Drops cached credentials after a 401; true when a fresh attempt may succeed. */
  invalidate(): boolean;
}

/**
 * AK/SK signing. Signs `content-type;host;x-project-id;x-sdk-date` (+ `x-security-token` for
 * temporary credentials): the set the official SDKs sign. Other headers are sent unsigned.
 */
export function createAkSkAuthenticator(creds: {
  ak: string;
  sk: string;
  securityToken?: string;
}): Authenticator {
  return {
    kind: "aksk",
    async headers(req) {
      const signed: Record<string, string> = {
        "Content-Type": "application/json",
        Host: req.host,
        "X-Sdk-Date": formatSdkDate(new Date(req.nowMs)),
      };
      if (req.projectId !== undefined) signed["X-Project-Id"] = req.projectId;
      if (creds.securityToken !== undefined) signed["X-Security-Token"] = creds.securityToken;
      const authorization = signRequest(
        { method: req.method, path: req.path, query: req.query, headers: signed, body: req.body },
        creds,
      );
      // The HTTP client writes Host itself from the URL (same value as signed).
      const { Host: _host, ...sent } = signed;
      return { ...sent, Authorization: authorization };
    },
    invalidate: () => false,
  };
}

/** An IAM token as issued by `POST /v3/auth/tokens`. */
export interface IssuedToken {
  token: string;
  /** ms since epoch; undefined when the response did not say. */
  expiresAtMs: number | undefined;
  /** `token.project.id` of a project-scoped token. */
  projectId: string | undefined;
}

/** Tokens live 24 h; renew after 12 h, or 1 h before expiry if that comes first. */
export const TOKEN_RENEW_AFTER_MS = 12 * 3600_000;
export const TOKEN_RENEW_BEFORE_EXPIRY_MS = 3600_000;

export interface TokenAuthenticator extends Authenticator {
  /** The cached token, fetching one if needed (single-flight). */
  current(signal?: AbortSignal): Promise<IssuedToken>;
}

/**
 * IAM user token authentication (`X-Auth-Token`). The token is fetched on first use, shared by
 * concurrent callers, and renewed well before its 24 h expiry.
 */
export function createTokenAuthenticator(deps: {
  issueToken: (signal?: AbortSignal) => Promise<IssuedToken>;
  now: () => number;
}): TokenAuthenticator {
  let cached: { token: IssuedToken; renewAtMs: number } | undefined;
  let inFlight: Promise<IssuedToken> | undefined;

  const current = async (signal?: AbortSignal): Promise<IssuedToken> => {
    if (cached && deps.now() < cached.renewAtMs) return cached.token;
    if (!inFlight) {
      const issuedAt = deps.now();
      inFlight = deps
        .issueToken(signal)
        .then((token) => {
          const byAge = issuedAt + TOKEN_RENEW_AFTER_MS;
          const byExpiry =
            token.expiresAtMs === undefined ? byAge : token.expiresAtMs - TOKEN_RENEW_BEFORE_EXPIRY_MS;
          cached = { token, renewAtMs: Math.min(byAge, byExpiry) };
          return token;
        })
        .finally(() => {
          inFlight = undefined;
        });
    }
    return inFlight;
  };

  return {
    kind: "password",
    current,
    async headers(req) {
      const { token } = await current(req.signal);
      const headers: Record<string, string> = { "Content-Type": "application/json", "X-Auth-Token": token };
      if (req.projectId !== undefined) headers["X-Project-Id"] = req.projectId;
      return headers;
    },
    invalidate() {
      cached = undefined;
      return true;
    },
  };
}
