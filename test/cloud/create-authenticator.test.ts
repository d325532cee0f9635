import { describe, expect, it } from "vitest";
import {
  createAkSkAuthenticator,
  createTokenAuthenticator,
  type IssuedToken,
  TOKEN_RENEW_AFTER_MS,
} from "../../src/cloud/create-authenticator.js";

const HOUR = 3600_000;

function tokenAuth(expiresInMs: number | undefined) {
  let now = 1_000_000;
  let issued = 0;
  const auth = createTokenAuthenticator({
    now: () => now,
    issueToken: async (): Promise<IssuedToken> => {
      issued++;
      return {
        token: `t${issued}`,
        expiresAtMs: expiresInMs === undefined ? undefined : now + expiresInMs,
        projectId: "p",
      };
    },
  });
  return {
    auth,
    issued: () => issued,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("token authenticator", () => {
  it("fetches once for concurrent callers and caches", async () => {
    const t = tokenAuth(24 * HOUR);
    const tokens = await Promise.all([t.auth.current(), t.auth.current(), t.auth.current()]);
    expect(tokens.map((x) => x.token)).toEqual(["t1", "t1", "t1"]);
    t.advance(11 * HOUR);
    expect((await t.auth.current()).token).toBe("t1");
    expect(t.issued()).toBe(1);
  });

  it("renews a 24 h token after 12 h", async () => {
    const t = tokenAuth(24 * HOUR);
    await t.auth.current();
    t.advance(TOKEN_RENEW_AFTER_MS);
    expect((await t.auth.current()).token).toBe("t2");
  });

  it("renews a short-lived token 1 h before it expires", async () => {
    const t = tokenAuth(3 * HOUR);
    await t.auth.current();
    t.advance(2 * HOUR - 1);
    expect((await t.auth.current()).token).toBe("t1");
    t.advance(1);
    expect((await t.auth.current()).token).toBe("t2");
  });

  it("sends the token and re-issues after invalidate()", async () => {
    const t = tokenAuth(undefined);
    const req = { method: "GET", host: "h", path: "/", query: {}, body: undefined, projectId: "p", nowMs: 0 };
    expect(await t.auth.headers(req)).toMatchObject({ "X-Auth-Token": "t1", "X-Project-Id": "p" });
    expect(t.auth.invalidate()).toBe(true);
    expect(await t.auth.headers(req)).toMatchObject({ "X-Auth-Token": "t2" });
  });

  it("does not cache a failed issuance", async () => {
    let calls = 0;
    const auth = createTokenAuthenticator({
      now: () => 0,
      issueToken: async () => {
        calls++;
        if (calls === 1) throw new Error("iam down");
        return { token: "ok", expiresAtMs: undefined, projectId: undefined };
      },
    });
    await expect(auth.current()).rejects.toThrow("iam down");
    expect((await auth.current()).token).toBe("ok");
  });
});

describe("AK/SK authenticator", () => {
  it("cannot be refreshed by invalidate()", () => {
    expect(createAkSkAuthenticator({ ak: "A", sk: "B" }).invalidate()).toBe(false);
  });
});
