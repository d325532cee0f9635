import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatSdkDate, signRequest } from "../../../src/cloud/sign-request.js";
import {
  type CloudSimulator,
  createManualClock,
  type ManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { call, type Row } from "./sim-client.js";

const MINUTE = 60_000;

describe("gateway authentication", () => {
  let sim: CloudSimulator;
  let clock: ManualClock;
  const list = () => `/v2.1/${sim.projectId}/servers/detail`;

  beforeAll(async () => {
    clock = createManualClock();
    sim = await startCloudSimulator({ clock });
  });
  afterAll(() => sim.close());

  const expectGateway401 = (res: { status: number; json: Row }, message: RegExp) => {
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      error_code: "APIG.0301",
      error_msg: expect.stringMatching(message),
      request_id: expect.any(String),
    });
  };

  it("accepts a correctly signed request", async () => {
    const res = await call(sim, "GET", list(), { query: { limit: 3, name: "web" } });
    expect(res.status).toBe(200);
    expect(res.json.servers).toHaveLength(3);
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("rejects a wrong signature, an unknown AK, and a missing Authorization", async () => {
    expectGateway401(await call(sim, "GET", list(), { tamper: true }), /verify aksk signature fail/);
    expectGateway401(await call(sim, "GET", list(), { sk: "another-secret" }), /verify aksk signature fail/);
    expectGateway401(await call(sim, "GET", list(), { ak: "UNKNOWNAK00000000000", sk: "x" }), /ak not exist/);
    expectGateway401(await call(sim, "GET", list(), { unsigned: true }), /no authorization/);
    expect(sim.control.requests().at(-1)).toMatchObject({ status: 401, auth: "failed" });
  });

  it("rejects X-Sdk-Date more than 15 minutes off, either way", async () => {
    const now = Date.now();
    expectGateway401(await call(sim, "GET", list(), { date: new Date(now - 16 * MINUTE) }), /x-sdk-date/);
    expectGateway401(await call(sim, "GET", list(), { date: new Date(now + 16 * MINUTE) }), /x-sdk-date/);
    expect((await call(sim, "GET", list(), { date: new Date(now - 14 * MINUTE) })).status).toBe(200);
  });

  it("verifies the body hash over the exact bytes received", async () => {
    const host = new URL(sim.url).host;
    const path = `/v1/${sim.projectId}/cloudservers/action`;
    const signed = JSON.stringify({ "os-stop": { servers: [{ id: sim.control.server("web-01")!.id }] } });
    const headers: Record<string, string> = {
      "content-type": "application/json",
      host,
      "x-sdk-date": formatSdkDate(new Date()),
    };
    headers.authorization = signRequest({ method: "POST", path, headers, body: signed }, sim);
    // Same JSON meaning, different bytes (extra space): the signature no longer matches.
    const res = await request(`${sim.url}${path}`, { method: "POST", headers, body: `${signed} ` });
    expect(res.statusCode).toBe(401);
    expect(((await res.body.json()) as { error_code: string }).error_code).toBe("APIG.0301");
    expect(sim.control.jobs()).toHaveLength(0);
  });

  it("requires host and x-sdk-date among the signed headers", async () => {
    const path = list();
    const date = formatSdkDate(new Date());
    const authorization = signRequest(
      { method: "GET", path, headers: { "x-sdk-date": date, "content-type": "application/json" } },
      sim,
    );
    const res = await request(`${sim.url}${path}`, {
      headers: { "x-sdk-date": date, "content-type": "application/json", authorization },
    });
    expect(res.statusCode).toBe(401);
    expect(((await res.body.json()) as { error_msg: string }).error_msg).toMatch(/host and x-sdk-date/);
  });

  it("verifies over decoded path segments and decoded query values", async () => {
    // Unknown ID with a space: authentication passes, the ECS answers 404.
    const res = await call(sim, "GET", `/v1/${sim.projectId}/cloudservers/no such server`);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("Ecs.0114");
    const q = await call(sim, "GET", list(), { query: { name: "web-0[12]$", "not-tags": "env=staging" } });
    expect(q.status).toBe(200);
    expect(q.json.servers.map((s: Row) => s.name).sort()).toEqual(["web-01", "web-02"]);
  });

  it("issues IAM tokens (password auth, project scope) valid for 24 hours", async () => {
    const body = {
      auth: {
        identity: {
          methods: ["password"],
          password: {
            user: {
              name: sim.iamUser.name,
              password: sim.iamUser.password,
              domain: { name: sim.iamUser.domain },
            },
          },
        },
        scope: { project: { name: sim.region } },
      },
    };
    const issued = await call(sim, "POST", "/v3/auth/tokens", { body, unsigned: true });
    expect(issued.status).toBe(201);
    const token = issued.headers["x-subject-token"] as string;
    expect(token).toMatch(/^MII/);
    const t = issued.json.token;
    expect(Date.parse(t.expires_at) - Date.parse(t.issued_at)).toBe(24 * 60 * MINUTE);
    expect(Date.parse(t.issued_at)).toBe(sim.control.now());
    expect(t.project).toMatchObject({ id: sim.projectId, name: sim.region });
    expect(t.methods).toEqual(["password"]);

    expect((await call(sim, "GET", list(), { token })).status).toBe(200);
    const hss = await call(sim, "GET", `/v5/${sim.projectId}/host-management/hosts`, { token });
    expect(hss.status).toBe(200);
    expect(sim.control.requests().at(-1)?.auth).toBe("token");

    expectGateway401(await call(sim, "GET", list(), { token: `${token}x` }), /verify token fail/);
    clock.advance(24 * 60 * MINUTE);
    expectGateway401(await call(sim, "GET", list(), { token }), /token expired/);

    const wrong = structuredClone(body);
    wrong.auth.identity.password.user.password = "nope";
    const denied = await call(sim, "POST", "/v3/auth/tokens", { body: wrong, unsigned: true });
    expect(denied.status).toBe(401);
    expect(denied.json.error).toMatchObject({ code: 401, title: "Unauthorized" });
    expect(denied.headers["x-subject-token"]).toBeUndefined();

    const unscoped = await call(sim, "POST", "/v3/auth/tokens", {
      body: { auth: body.auth.identity },
      unsigned: true,
    });
    expect(unscoped.status).toBe(400);
  });

  it("looks up the project ID by region name (as the official SDKs do)", async () => {
    const res = await call(sim, "GET", "/v3/projects", { query: { name: sim.region } });
    expect(res.status).toBe(200);
    expect(res.json.projects).toEqual([expect.objectContaining({ id: sim.projectId, name: sim.region })]);
    const none = await call(sim, "GET", "/v3/projects", { query: { name: "ap-southeast-1" } });
    expect(none.json.projects).toEqual([]);
    expect((await call(sim, "GET", "/v3/projects", { unsigned: true })).status).toBe(401);
  });

  it("answers unknown APIs like the gateway, and rejects another project's ID", async () => {
    const res = await call(sim, "GET", `/v1/${sim.projectId}/no-such-api`);
    expect(res.status).toBe(404);
    expect(res.json.error_code).toBe("APIG.0101");
    const wrongMethod = await call(sim, "DELETE", `/v1/${sim.projectId}/cloudservers/detail`);
    expect(wrongMethod.json.error_code).toBe("APIG.0101");
    const other = await call(sim, "GET", "/v1/0123456789abcdef0123456789abcdef/cloudservers/detail");
    expect(other.status).toBe(400);
    expect(other.json.error.code).toBe("Ecs.0023");
  });
});
