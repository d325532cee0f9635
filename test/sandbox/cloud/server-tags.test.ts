import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { admin, call, type Row } from "./sim-client.js";

describe("2D tags of an ECS and querying ECSs by tag (doc 5.9)", () => {
  let sim: CloudSimulator;
  const id = (name: string) => sim.control.server(name)!.id;
  const tagAction = (serverId: string, body: unknown, prefix = "servers") =>
    call(sim, "POST", `/v1/${sim.projectId}/${prefix}/${serverId}/tags/action`, { body });
  const byTag = (body: unknown, prefix = "servers") =>
    call(sim, "POST", `/v1/${sim.projectId}/${prefix}/resource_instances/action`, { body });

  beforeAll(async () => {
    sim = await startCloudSimulator({ clock: createManualClock(), servers: 40 });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("create adds and overwrites by key, answers 204 without a body, and is idempotent", async () => {
    const web01 = id("web-01");
    const res = await tagAction(web01, {
      action: "create",
      tags: [
        { key: "owner", value: "alice" },
        { key: "env", value: "staging" },
      ],
    });
    expect(res.status).toBe(204);
    expect(res.json).toBeUndefined();
    expect(sim.control.server(web01)!.tags).toMatchObject({
      env: "staging",
      owner: "alice",
      team: "platform",
    });
    const again = await tagAction(
      web01,
      { action: "create", tags: [{ key: "owner", value: "alice" }] },
      "cloudservers",
    );
    expect(again.status).toBe(204);
    const shown = await call(sim, "GET", `/v1/${sim.projectId}/servers/${web01}/tags`);
    expect(shown.json.tags).toContainEqual({ key: "owner", value: "alice" });
    expect(sim.control.requests().at(-2)!.mutation).toMatchObject({
      type: "batchCreateServerTags",
      jobId: null,
    });
  });

  it("delete removes by key, by key and value only when the value matches, and absent tags are no error", async () => {
    const web01 = id("web-01");
    expect(
      (await tagAction(web01, { action: "delete", tags: [{ key: "team", value: "not-it" }] })).status,
    ).toBe(204);
    expect(sim.control.server(web01)!.tags.team).toBe("platform");
    expect(
      (await tagAction(web01, { action: "delete", tags: [{ key: "team", value: "platform" }] })).status,
    ).toBe(204);
    expect(sim.control.server(web01)!.tags.team).toBeUndefined();
    expect(
      (await tagAction(web01, { action: "delete", tags: [{ key: "role" }, { key: "nope" }] })).status,
    ).toBe(204);
    expect(sim.control.server(web01)!.tags).toEqual({ env: "prod" });
  });

  it("refuses bad tags with the documented codes and changes nothing", async () => {
    const web01 = id("web-01");
    const before = sim.control.server(web01)!.tags;
    const cases: [unknown, number, string][] = [
      [{ action: "create", tags: [{ key: "bad key!", value: "x" }] }, 400, "Ecs.0906"],
      [{ action: "create", tags: [{ key: "k", value: "x".repeat(44) }] }, 400, "Ecs.0906"],
      [
        {
          action: "create",
          tags: [
            { key: "a", value: "1" },
            { key: "a", value: "2" },
          ],
        },
        400,
        "Ecs.0908",
      ],
      [
        {
          action: "create",
          tags: Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, value: "v" })),
        },
        400,
        "Ecs.0905",
      ],
      [{ action: "CREATE", tags: [{ key: "a", value: "1" }] }, 400, "Ecs.0005"],
      [{ action: "create", tags: [] }, 400, "Ecs.0005"],
      [{ action: "create" }, 400, "Ecs.0005"],
    ];
    for (const [body, status, code] of cases) {
      const res = await tagAction(web01, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.json.error.code, JSON.stringify(body)).toBe(code);
    }
    expect(sim.control.server(web01)!.tags).toEqual(before);
    const unknown = await tagAction("00000000-0000-4000-8000-000000000000", { action: "create", tags: [] });
    expect(unknown.status).toBe(404);
  });

  it("tags changed through the control interface show in every tag API", async () => {
    const db01 = id("db-01");
    await admin(sim, "PATCH", `/servers/${db01}`, { tags: { env: "prod", backup: "daily" } });
    const project = await call(sim, "GET", `/v1/${sim.projectId}/servers/tags`);
    expect(project.json.tags).toContainEqual({ key: "backup", values: ["daily"] });
    const nova = await call(sim, "GET", `/v2.1/${sim.projectId}/servers/${db01}/tags`);
    expect(nova.json.tags).toEqual(["env=prod", "backup=daily"]);
  });

  it("filter: every tag (values OR-ed), none of not_tags, name match, newest first, offset/limit paging", async () => {
    const all = sim.control.servers();
    const prodWebOrApi = all.filter(
      (s) =>
        s.tags.env === "prod" && (s.tags.role === "web" || s.tags.role === "api") && s.tags.team !== "growth",
    );
    const query = {
      action: "filter",
      tags: [
        { key: "env", values: ["prod"] },
        { key: "role", values: ["web", "api"] },
      ],
      not_tags: [{ key: "team", values: ["growth"] }],
    };
    const res = await byTag(query);
    expect(res.status).toBe(200);
    expect(res.json.total_count).toBe(prodWebOrApi.length);
    expect(res.json.resources.map((r: Row) => r.resource_id)).toEqual(prodWebOrApi.map((s) => s.id));
    expect(res.json.resources[0]).toMatchObject({
      resource_detail: null,
      resource_name: prodWebOrApi[0]!.name,
    });
    expect(res.json.resources[0].tags).toContainEqual({ key: "env", value: "prod" });

    const page = await byTag({ ...query, limit: "2", offset: "1" }, "cloudservers");
    expect(page.json.total_count).toBe(prodWebOrApi.length);
    expect(page.json.resources.map((r: Row) => r.resource_id)).toEqual(
      prodWebOrApi.slice(1, 3).map((s) => s.id),
    );

    const named = await byTag({ action: "filter", matches: [{ key: "resource_name", value: "web-0" }] });
    const webs = all.filter((s) => s.name.includes("web-0")).map((s) => s.name);
    expect(webs).toEqual(expect.arrayContaining(["web-01", "web-02", "web-03", "web-04"]));
    expect(named.json.resources.map((r: Row) => r.resource_name)).toEqual(webs);
    // not_tags as bare keys (the doc's "Array of strings").
    const untagged = await byTag({ action: "count", not_tags: ["env"] });
    expect(untagged.json).toEqual({ total_count: 0 });
  });

  it("count ignores paging; bad queries are 400 Ecs.0005", async () => {
    const count = await byTag({ action: "count", tags: [{ key: "env", values: ["staging"] }], limit: "1" });
    expect(count.json).toEqual({
      total_count: sim.control.servers().filter((s) => s.tags.env === "staging").length,
    });
    for (const body of [
      { action: "list" },
      { action: "filter", tags: [] },
      { action: "filter", limit: "1001" },
      { action: "filter", offset: "-1" },
      { action: "filter", matches: [{ key: "name", value: "x" }] },
      {
        action: "filter",
        tags: [
          { key: "a", values: [] },
          { key: "a", values: [] },
        ],
      },
    ]) {
      const res = await byTag(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe("Ecs.0005");
    }
  });
});
