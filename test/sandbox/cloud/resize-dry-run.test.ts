/**
 * The simulator's resize `dry_run` checks what API reference 5.2.4 says it checks, "mandatory parameters and
 * request format", and nothing more; the real resize still refuses what the dry run let through.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CloudSimulator,
  createManualClock,
  startCloudSimulator,
} from "../../../src/sandbox/cloud/index.js";
import { call } from "./sim-client.js";

describe("resize dry_run (5.2.4)", () => {
  let sim: CloudSimulator;
  const id = (name: string): string => sim.control.server(name)!.id;
  const resize = (serverId: string, body: unknown) =>
    call(sim, "POST", `/v1/${sim.projectId}/cloudservers/${serverId}/resize`, { body });

  beforeAll(async () => {
    sim = await startCloudSimulator({ clock: createManualClock() });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("refuses a malformed request: no resize, no flavorRef, a dry_run that is not a boolean", async () => {
    const api02 = id("api-02");
    for (const body of [
      { dry_run: true },
      { resize: {}, dry_run: true },
      { resize: { flavorRef: "" }, dry_run: true },
      { resize: { flavorRef: "m6.large.8" }, dry_run: "yes" },
    ]) {
      const res = await resize(api02, body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("Ecs.0005");
    }
    const ghost = await resize("00000000-0000-4000-8000-000000000000", {
      resize: { flavorRef: "m6.large.8" },
      dry_run: true,
    });
    expect(ghost.status).toBe(404);
    expect(ghost.json.error.code).toBe("Ecs.0114");
  });

  it("accepts a well-formed request whatever the flavor or the server's state; the real resize refuses those", async () => {
    const web01 = id("web-01"); // ACTIVE
    const api02 = id("api-02"); // SHUTOFF, c7.xlarge.2
    sim.control.setServer(id("worker-01"), { locked: true });
    const cases: [string, string, string][] = [
      [web01, "c7.xlarge.2", "Ecs.0100"], // running
      [api02, "x9.huge.99", "Ecs.0029"], // unknown flavor
      [api02, "c7.xlarge.2", "Ecs.0810"], // its flavor already
      [id("worker-01"), "c7.large.2", "Ecs.0605"], // locked
    ];
    for (const [serverId, flavorRef, refusedWith] of cases) {
      const dry = await resize(serverId, { resize: { flavorRef }, dry_run: true });
      expect(dry.status).toBe(202);
      expect(dry.json).toEqual({});
      const real = await resize(serverId, { resize: { flavorRef } });
      expect(real.status).toBe(400);
      expect(real.json.error.code).toBe(refusedWith);
    }
    expect(sim.control.jobs()).toEqual([]);
  });
});
