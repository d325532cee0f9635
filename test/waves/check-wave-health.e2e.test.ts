/**
 * The health gate against the simulated cloud (over loopback, on its manual clock): servers in the expected
 * state and HSS agents back online in time, or counted unhealthy at the deadline; only the wave's servers read.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { checkWaveHealth, expectedStatusOf } from "../../src/waves/check-wave-health.js";
import { type SimClient, startSimClient } from "../cloud/helpers/start-sim-client.js";

let s: SimClient;
beforeAll(async () => {
  s = await startSimClient();
});
afterAll(async () => {
  await s?.close();
});
beforeEach(() => {
  s.sim.control.reset();
});

const id = (name: string) => s.sim.control.server(name)!.id;
const deps = () => ({ cloud: s.client, clock: { now: () => s.sim.control.now() } });
const sleep = async (ms: number) => {
  s.sim.control.advance(ms);
};

it("healthy servers pass at once, reading only the wave's servers", async () => {
  const wave = [id("web-03"), id("web-04")];
  s.sim.control.clearRequests();
  const health = await checkWaveHealth(deps(), wave, expectedStatusOf("reboot", []), wave, {
    until: s.sim.control.now() + 60_000,
    pollMs: 5_000,
    sleep,
  });
  expect(health).toEqual({ unhealthy: [] });
  const paths = s.sim.control.requests().map((r) => r.path);
  expect(paths.some((p) => p.includes(id("web-01")))).toBe(false);
});

it("an HSS agent that does not come back online by the deadline makes its server unhealthy", async () => {
  const wave = [id("web-03"), id("web-04")];
  s.sim.control.setHost(id("web-04"), { agentStatus: "offline" });
  const start = s.sim.control.now();
  const health = await checkWaveHealth(deps(), wave, expectedStatusOf("reboot", []), wave, {
    until: start + 60_000,
    pollMs: 5_000,
    sleep,
  });
  expect(health).toEqual({ unhealthy: [id("web-04")] });
  expect(s.sim.control.now() - start).toBeGreaterThanOrEqual(60_000);
});

it("an agent that comes back during the gate passes; one offline before the wave is not waited for", async () => {
  const wave = [id("web-03"), id("web-04")];
  s.sim.control.setHost(id("web-04"), { agentStatus: "offline" });
  let polls = 0;
  const health = await checkWaveHealth(deps(), wave, expectedStatusOf("reboot", []), wave, {
    until: s.sim.control.now() + 60_000,
    pollMs: 5_000,
    sleep: async (ms) => {
      polls++;
      if (polls === 2) s.sim.control.setHost(id("web-04"), { agentStatus: "online" });
      await sleep(ms);
    },
  });
  expect(health).toEqual({ unhealthy: [] });
  s.sim.control.setHost(id("web-04"), { agentStatus: "offline" });
  const notWaited = await checkWaveHealth(deps(), wave, expectedStatusOf("reboot", []), [id("web-03")], {
    until: s.sim.control.now() + 60_000,
    pollMs: 5_000,
    sleep,
  });
  expect(notWaited).toEqual({ unhealthy: [] });
});

it("a stop wave expects SHUTOFF: a server still running at the deadline is unhealthy", async () => {
  const health = await checkWaveHealth(deps(), [id("web-03")], expectedStatusOf("stop", []), [], {
    until: s.sim.control.now() + 10_000,
    pollMs: 5_000,
    sleep,
  });
  expect(health).toEqual({ unhealthy: [id("web-03")] });
});
