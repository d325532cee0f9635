import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { createAkSkAuthenticator, createTokenAuthenticator } from "../../src/cloud/create-authenticator.js";
import {
  backoffDelay,
  type CloudRequest,
  createTransport,
  type TransportDeps,
} from "../../src/cloud/create-transport.js";
import { CloudError, OutcomeUnknownError } from "../../src/cloud/errors.js";
import { computeSignature, parseAuthorization, parseSdkDate } from "../../src/cloud/sign-request.js";
import {
  type RecordedRequest,
  type ScriptedReply,
  startScriptedServer,
} from "./helpers/start-scripted-server.js";

const CREDS = { ak: "AKTESTAKTESTAKTEST00", sk: "sk-test-secret" };
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(
  handler: (req: RecordedRequest, index: number) => ScriptedReply,
  opts: { requestTimeoutMs?: number; deps?: TransportDeps; retry?: object } = {},
) {
  const server = await startScriptedServer(handler);
  const sleeps: number[] = [];
  const transport = createTransport(
    {
      connectTimeoutMs: 1000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 5000,
      authenticator: createAkSkAuthenticator(CREDS),
      retry: opts.retry,
    },
    {
      now: () => NOW,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      jitter: (d) => d,
      ...opts.deps,
    },
  );
  servers.push({
    close: async () => {
      await transport.close();
      await server.close();
    },
  });
  const send = (req: Partial<CloudRequest>) =>
    transport.send({ method: "GET", endpoint: server.url, path: "/v1/p/x", operation: "test.op", ...req });
  return { server, transport, sleeps, send };
}

/** Verifies a recorded request's signature the way the gateway does: decoded path and query, raw body bytes. */
function verifySignature(req: RecordedRequest): boolean {
  const url = new URL(req.url, "http://placeholder");
  const path = url.pathname
    .split("/")
    .map((s) => decodeURIComponent(s))
    .join("/");
  const query: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = [...(query[k] ?? []), v];
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) return false;
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) headers[name] = String(req.headers[name]);
  const { signature } = computeSignature(
    { method: req.method, path, query: Object.fromEntries(Object.entries(query)), headers, body: req.body },
    CREDS.sk,
  );
  return signature === auth.signature;
}

describe("transport: signing and encoding", () => {
  it("signs the exact bytes it sends, with the documented signed headers", async () => {
    const { server, send } = await setup(() => ({ status: 200, body: { ok: true } }));
    const res = await send({
      method: "POST",
      path: "/v1/p/cloudservers/action",
      body: { "os-stop": { type: "SOFT", servers: [{ id: "ü-1" }] }, note: "日本" },
      projectId: "p",
    });
    expect(res.json).toEqual({ ok: true });
    const req = server.requests[0]!;
    expect(JSON.parse(req.body.toString("utf8"))).toEqual({
      "os-stop": { type: "SOFT", servers: [{ id: "ü-1" }] },
      note: "日本",
    });
    expect(verifySignature(req)).toBe(true);
    expect(parseAuthorization(req.headers.authorization)?.signedHeaders).toEqual([
      "content-type",
      "host",
      "x-project-id",
      "x-sdk-date",
    ]);
    expect(parseSdkDate(String(req.headers["x-sdk-date"]))?.getTime()).toBe(NOW);
  });

  it("encodes paths and repeated, unicode query values consistently with the signature", async () => {
    const { server, send } = await setup(() => ({ status: 200, body: {} }));
    await send({
      path: "/v5/p/scan task/ü",
      query: { name: "a b&c=d", tag: ["z", "日本", "a"], flag: true, n: 5, skip: undefined },
      headers: { "X-OpenStack-Nova-API-Version": "2.26" },
    });
    const req = server.requests[0]!;
    const url = new URL(req.url, "http://x");
    expect(decodeURIComponent(url.pathname)).toBe("/v5/p/scan task/ü");
    expect(url.searchParams.getAll("tag")).toEqual(["z", "日本", "a"]);
    expect(url.searchParams.get("name")).toBe("a b&c=d");
    expect(url.searchParams.get("flag")).toBe("true");
    expect(url.searchParams.has("skip")).toBe(false);
    expect(req.headers["x-openstack-nova-api-version"]).toBe("2.26");
    expect(verifySignature(req)).toBe(true);
  });

  it("signs X-Security-Token for temporary credentials", async () => {
    const server = await startScriptedServer(() => ({ status: 200, body: {} }));
    const transport = createTransport(
      {
        connectTimeoutMs: 1000,
        requestTimeoutMs: 5000,
        authenticator: createAkSkAuthenticator({ ...CREDS, securityToken: "temp-token" }),
      },
      { now: () => NOW },
    );
    servers.push({
      close: async () => {
        await transport.close();
        await server.close();
      },
    });
    await transport.send({ method: "GET", endpoint: server.url, path: "/v3/projects", operation: "t" });
    const req = server.requests[0]!;
    expect(req.headers["x-security-token"]).toBe("temp-token");
    expect(parseAuthorization(req.headers.authorization)?.signedHeaders).toContain("x-security-token");
    expect(verifySignature(req)).toBe(true);
  });
});

describe("transport: reads", () => {
  it("reads a large body, and one with a byte-order mark and text that is not ASCII, as JSON", async () => {
    const servers = Array.from({ length: 3000 }, (_, i) => ({ id: `id-${i}`, name: `web-${i}` }));
    const bodies = [
      JSON.stringify({ servers }),
      `\uFEFF${JSON.stringify({ servers: [{ name: "数据库-01 ✓" }, ...servers] })}`,
    ];
    const { send } = await setup((_r, i) => ({ status: 200, body: bodies[i] ?? "" }));
    const plain = await send({});
    expect(plain.text.length).toBeGreaterThan(100_000);
    expect(plain.json).toEqual({ servers });
    const marked = await send({});
    expect(marked.json).toEqual({ servers: [{ name: "数据库-01 ✓" }, ...servers] });
  });

  it.each([429, 502, 503, 504])("retries a read after %i", async (status) => {
    const { server, send, sleeps } = await setup((_r, i) =>
      i === 0 ? { status } : { status: 200, body: { ok: 1 } },
    );
    const res = await send({});
    expect(res.json).toEqual({ ok: 1 });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([200]);
  });

  it("honours Retry-After in seconds and as an HTTP date", async () => {
    const date = new Date(NOW + 7000).toUTCString();
    const { send, sleeps } = await setup((_r, i) =>
      i === 0
        ? {
            status: 429,
            headers: { "retry-after": "3" },
            body: { error_code: "APIG.0308", error_msg: "throttled" },
          }
        : i === 1
          ? { status: 503, headers: { "retry-after": date } }
          : { status: 200, body: {} },
    );
    await send({});
    expect(sleeps).toEqual([3000, 7000]);
  });

  it("does not wait for a Retry-After beyond the cap", async () => {
    const { server, send } = await setup(() => ({ status: 429, headers: { "retry-after": "3600" } }), {
      retry: { maxRetryAfterMs: 60_000 },
    });
    await expect(send({})).rejects.toMatchObject({ status: 429, retryable: true });
    expect(server.requests).toHaveLength(1);
  });

  it("backs off exponentially with full jitter up to the cap, then gives up", async () => {
    const { server, send, sleeps } = await setup(() => ({ status: 503, body: "busy" }), {
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300 },
    });
    const err = await send({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ status: 503, code: "HTTP_503", retryable: true });
    expect(server.requests).toHaveLength(5);
    expect(sleeps).toEqual([100, 200, 300, 300]);
  });

  it("uses full jitter (exponential-backoff) by default", () => {
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(3, { baseDelayMs: 100, maxDelayMs: 10_000 });
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  it("retries a read after a connection reset", async () => {
    const { server, send } = await setup((_r, i) => (i === 0 ? "reset" : { status: 200, body: {} }));
    await send({});
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry other client errors", async () => {
    const { server, send } = await setup(() => ({
      status: 404,
      body: { itemNotFound: { code: 404, message: "gone" } },
    }));
    await expect(send({})).rejects.toMatchObject({ status: 404, code: "itemNotFound", retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it("sends a read that timed out once more only, the other failures still retried", async () => {
    const hung = await setup(() => "hang", { requestTimeoutMs: 100 });
    await expect(hung.send({})).rejects.toMatchObject({ code: "TIMEOUT", retryable: true });
    expect(hung.server.requests).toHaveLength(2);
    // A 503 and a reset first, with attempts to spare: those are retried and leave the two timeouts whole;
    // the second timeout ends the read, not the attempts.
    const mixed = await setup(
      (_r, i) => (i === 0 ? { status: 503, body: "busy" } : i === 1 ? "reset" : "hang"),
      { requestTimeoutMs: 100, retry: { maxAttempts: 6 } },
    );
    await expect(mixed.send({})).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(mixed.server.requests).toHaveLength(4);
  });

  it("times out each attempt and surfaces TIMEOUT after the last", async () => {
    const { server, send } = await setup(() => "hang", { requestTimeoutMs: 100, retry: { maxAttempts: 2 } });
    await expect(send({})).rejects.toMatchObject({ code: "TIMEOUT", retryable: true });
    expect(server.requests).toHaveLength(2);
  });
});

describe("transport: mutations", () => {
  const post: Partial<CloudRequest> = {
    method: "POST",
    path: "/v1/p/cloudservers/action",
    body: { "os-start": { servers: [{ id: "s1" }] } },
    identity: { serverIds: ["s1"] },
    operation: "ecs.startServers",
  };

  it.each([500, 502, 503, 504])("never resends after %i: outcome unknown", async (status) => {
    const { server, send } = await setup(() => ({
      status,
      body: { error: { code: "Ecs.1000", message: "x" } },
    }));
    const err = await send(post).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutcomeUnknownError);
    expect(err).toMatchObject({
      operation: "ecs.startServers",
      identity: { serverIds: ["s1"] },
      reason: "server-error",
      status,
    });
    expect(server.requests).toHaveLength(1);
  });

  it("never resends after a connection reset", async () => {
    const { server, send } = await setup(() => "reset");
    await expect(send(post)).rejects.toMatchObject({ name: "OutcomeUnknownError", reason: "network" });
    expect(server.requests).toHaveLength(1);
  });

  it("never resends after a timeout", async () => {
    const { server, send } = await setup(() => "hang", { requestTimeoutMs: 100 });
    await expect(send(post)).rejects.toMatchObject({ name: "OutcomeUnknownError", reason: "timeout" });
    expect(server.requests).toHaveLength(1);
  });

  it("a caller's abort in flight ends a mutation as an unknown outcome, never resent", async () => {
    const { server, send } = await setup(() => "hang", { requestTimeoutMs: 5000 });
    const caller = new AbortController();
    const sent = send({ ...post, signal: caller.signal });
    await waitUntil(() => server.requests.length === 1);
    caller.abort(new Error("run cancelled"));
    await expect(sent).rejects.toMatchObject({ name: "OutcomeUnknownError", reason: "network" });
    expect(server.requests).toHaveLength(1);
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
  });

  it("a caller's abort in flight ends a read with the caller's reason, not retried", async () => {
    const { server, send } = await setup(() => "hang", { requestTimeoutMs: 5000 });
    const caller = new AbortController();
    const read = send({ signal: caller.signal });
    await waitUntil(() => server.requests.length === 1);
    const reason = new Error("nobody waits any more");
    caller.abort(reason);
    await expect(read).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it("leaves nothing listening on the caller's signal once an attempt is over", async () => {
    const { send } = await setup(() => ({ status: 200, body: { ok: true } }));
    const caller = new AbortController();
    for (let i = 0; i < 3; i++) await send({ signal: caller.signal });
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
  });

  it("resends after a throttling rejection, honouring Retry-After", async () => {
    const { server, send, sleeps } = await setup((_r, i) =>
      i === 0
        ? {
            status: 429,
            headers: { "retry-after": "2" },
            body: { error_code: "APIG.0308", error_msg: "throttled" },
          }
        : { status: 200, body: { job_id: "j1" } },
    );
    const res = await send(post);
    expect(res.json).toEqual({ job_id: "j1" });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.body.equals(server.requests[1]!.body)).toBe(true);
    expect(sleeps).toEqual([2000]);
  });

  it("stops resending after repeated throttling", async () => {
    const { server, send } = await setup(
      () => ({ status: 429, body: { error_code: "APIG.0308", error_msg: "t" } }),
      {
        retry: { maxThrottleRetries: 2 },
      },
    );
    await expect(send(post)).rejects.toMatchObject({ name: "CloudError", code: "APIG.0308" });
    expect(server.requests).toHaveLength(3);
  });

  it("surfaces a rejection as CloudError", async () => {
    const { server, send } = await setup(() => ({
      status: 400,
      body: { error: { code: "Ecs.0005", message: "bad" } },
    }));
    await expect(send(post)).rejects.toMatchObject({ name: "CloudError", code: "Ecs.0005", status: 400 });
    expect(server.requests).toHaveLength(1);
  });

  it("reports a refused connection as a plain network error (nothing was sent)", async () => {
    const { server, transport } = await setup(() => ({ status: 200 }));
    const url = server.url;
    await server.close();
    const err = await transport.send({ ...post, endpoint: url } as CloudRequest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ code: "NETWORK_ERROR", retryable: true });
  });
});

describe("transport: token authentication", () => {
  it("re-issues an expired token once after a 401", async () => {
    let issued = 0;
    const server = await startScriptedServer((req) =>
      req.headers["x-auth-token"] === "token-2"
        ? { status: 200, body: { ok: true } }
        : { status: 401, body: { error_code: "APIG.0307", error_msg: "token expired" } },
    );
    const auth = createTokenAuthenticator({
      now: () => NOW,
      issueToken: async () => ({ token: `token-${++issued}`, expiresAtMs: NOW + 86_400_000, projectId: "p" }),
    });
    const transport = createTransport({
      connectTimeoutMs: 1000,
      requestTimeoutMs: 5000,
      authenticator: auth,
    });
    servers.push({
      close: async () => {
        await transport.close();
        await server.close();
      },
    });
    const res = await transport.send({
      method: "POST",
      endpoint: server.url,
      path: "/x",
      body: {},
      operation: "t",
    });
    expect(res.json).toEqual({ ok: true });
    expect(issued).toBe(2);
    expect(server.requests.map((r) => r.headers["x-auth-token"])).toEqual(["token-1", "token-2"]);
  });
});

/** Resolves once `done()` holds (checked every 5 ms, at most 5 s). */
async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!done()) throw new Error("condition not met in 5 s");
}
