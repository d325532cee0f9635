import { afterEach, describe, expect, it } from "vitest";
import { type SimClient, startSimClient } from "./helpers/start-sim-client.js";

let env: SimClient | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe("credentials and project lookup against the simulated cloud", () => {
  it("AK/SK: looks the project ID up once via IAM, signed", async () => {
    env = await startSimClient({ withProjectId: false });
    const [a, b] = await Promise.all([env.client.ecs.listFlavors(), env.client.hss.listHosts()]);
    expect(a.length).toBeGreaterThan(0);
    expect(b.items.length).toBeGreaterThan(0);
    await env.client.ecs.listServers();
    expect(await env.client.projectId()).toBe(env.sim.projectId);
    const lookups = env.sim.control.requests().filter((r) => r.path === "/v3/projects");
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ query: { name: env.sim.region }, auth: "aksk", status: 200 });
    expect(env.sim.control.requests().every((r) => r.auth === "aksk")).toBe(true);
  });

  it("IAM password: issues one token, uses it, and renews it well before expiry", async () => {
    env = await startSimClient({ auth: "password", withProjectId: false, clientUsesSimClock: true });
    const sim = env.sim;
    await env.client.ecs.listServers();
    await env.client.hss.listHosts();
    expect(await env.client.projectId()).toBe(sim.projectId);
    const tokenCalls = () => sim.control.requests().filter((r) => r.path === "/v3/auth/tokens");
    expect(tokenCalls()).toHaveLength(1);
    expect(
      sim.control
        .requests()
        .filter((r) => r.path !== "/v3/auth/tokens")
        .every((r) => r.auth === "token"),
    ).toBe(true);
    sim.control.advance(11 * 3600_000);
    await env.client.ecs.listFlavors();
    expect(tokenCalls()).toHaveLength(1);
    sim.control.advance(2 * 3600_000);
    await env.client.ecs.listFlavors();
    expect(tokenCalls()).toHaveLength(2);
  });
});
