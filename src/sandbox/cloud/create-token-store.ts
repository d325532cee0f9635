import { randomBytes } from "node:crypto";

/** What an IAM token issued by the simulator stands for. */
export interface IssuedToken {
  projectId: string;
  projectName: string;
  userName: string;
  domainName: string;
  methods: string[];
  issuedAt: number;
  expiresAt: number;
}

export interface TokenStore {
  issue(
    facts: Omit<IssuedToken, "issuedAt" | "expiresAt">,
    now: number,
  ): { token: string; record: IssuedToken };
  /** The token's facts, or why it is not accepted. */
  check(
    token: string,
    now: number,
  ): { ok: true; record: IssuedToken } | { ok: false; reason: "unknown" | "expired" };
  clear(): void;
}

/** IAM tokens are valid for 24 hours (ECS API reference, "Token Authentication"). */
export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export function createTokenStore(ttlMs: number = TOKEN_TTL_MS): TokenStore {
  const tokens = new Map<string, IssuedToken>();
  return {
    issue(facts, now) {
      // Real tokens are long opaque PKI blobs starting "MII"; the value only has to be unguessable.
      const token = `MIIsim${randomBytes(48).toString("base64url")}`;
      const record: IssuedToken = { ...facts, issuedAt: now, expiresAt: now + ttlMs };
      tokens.set(token, record);
      return { token, record };
    },
    check(token, now) {
      const record = tokens.get(token);
      if (!record) return { ok: false, reason: "unknown" };
      if (now >= record.expiresAt) {
        tokens.delete(token);
        return { ok: false, reason: "expired" };
      }
      return { ok: true, record };
    },
    clear: () => tokens.clear(),
  };
}
