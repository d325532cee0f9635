/**
 * Which hosts the open-ports watcher reads (hss-list-hosts.txt, `agent_status`): online and offline agents,
 * and `installed` (HSS's umbrella status, which does not say which of those it is); not hosts whose agent
 * was never installed, is still installing or failed to install: no agent reported ports there.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { NotifierCloud } from "../../src/notify/watcher-kind.js";
import { type NotifyEnv, startNotifyEnv, testConfig } from "./helpers/start-notify-env.js";

const CONFIG = testConfig(`
version: 1
defaults:
  interval: 15m
  alert_channels: [C_OPS]
watchers:
  - id: ports
    kind: hss_open_ports
routes:
  - id: ops
    channels: [C_OPS]
`);

let env: NotifyEnv;
beforeAll(async () => {
  env = await startNotifyEnv({ sim: { servers: 20 } });
});
afterAll(async () => {
  await env?.close();
});

it("reads online, offline and `installed` hosts; skips not installed, installing and install_failed ones", async () => {
  const [installed, installing, failed, never, offline] = env.control
    .servers()
    .filter((s) => s.status === "ACTIVE" && env.control.host(s.id)?.agentStatus === "online");
  env.control.setHost(installing!.id, { agentStatus: "installing" });
  env.control.setHost(failed!.id, { agentStatus: "install_failed" });
  env.control.setHost(never!.id, { agentStatus: "not_installed" });
  env.control.setHost(offline!.id, { agentStatus: "offline" });
  const { client } = env;
  // A service answering `installed` for one host (the simulator never does).
  const cloud: NotifierCloud = {
    ecs: { listServers: (...args) => client.ecs.listServers(...args) },
    hss: {
      listHosts: async (...args) => {
        const listing = await client.hss.listHosts(...args);
        const items = listing.items.map((h) =>
          h.hostId === installed!.id ? { ...h, agentStatus: "installed" as const } : h,
        );
        return { ...listing, items };
      },
      listOpenPorts: (...args) => client.hss.listOpenPorts(...args),
      listScanTaskHosts: (...args) => client.hss.listScanTaskHosts(...args),
    },
  };
  env.control.clearRequests();
  const notifier = env.notifier(CONFIG, { cloud });
  expect(await notifier.runOnce("ports")).toMatchObject({ outcome: "baseline" });
  const read = new Set(
    env.control
      .requests()
      .filter((r) => r.path.endsWith("/asset/ports"))
      .map((r) => String(r.query.host_id)),
  );
  expect(read.has(installed!.id)).toBe(true);
  expect(read.has(offline!.id)).toBe(true);
  for (const skipped of [installing, failed, never]) expect(read.has(skipped!.id)).toBe(false);
});
