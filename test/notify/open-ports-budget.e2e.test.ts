import { afterAll, beforeAll, expect, it } from "vitest";
import { buildWatchListMessage } from "../../src/notify/build-watch-list-message.js";
import type { Notifier } from "../../src/notify/notifier-types.js";
import { renderPlainText } from "../../src/render/render-plain-text.js";
import { type NotifyEnv, startNotifyEnv, testConfig } from "./helpers/start-notify-env.js";

/**
 * The open-ports watcher on a 10,000-server fleet: its per-host requests per interval stay within
 * `requests_per_run` (counted from the simulator's request log), the hosts are read in rotation, and
 * `/ops watch list` shows how long a full cycle takes.
 */
const CONFIG = testConfig(`
version: 1
defaults:
  interval: 15m
  alert_channels: [C_OPS]
watchers:
  - id: ports
    kind: hss_open_ports
    requests_per_run: 300
routes:
  - id: ops
    channels: [C_OPS]
`);

let env: NotifyEnv;
let notifier: Notifier;
beforeAll(async () => {
  env = await startNotifyEnv({ sim: { servers: 10_000 } });
  notifier = env.notifier(CONFIG);
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const portReads = () => env.control.requests().filter((r) => r.path.endsWith("/asset/ports"));
/** The listings each run makes besides the per-host reads (ECS servers for tags, HSS hosts). */
const listings = () => env.control.requests().filter((r) => !r.path.endsWith("/asset/ports"));

it("reads at most requests_per_run hosts a run, each run the next hosts, and /ops watch list shows the full cycle", async () => {
  const seen = new Set<string>();
  env.control.clearRequests();
  const first = await notifier.runOnce("ports");
  expect(first).toMatchObject({ outcome: "baseline" });
  const total = (first as { observed: number }).observed;
  expect(total).toBeGreaterThan(9_000);
  for (let run = 0; run < 3; run++) {
    if (run > 0) {
      env.clock.advance(15 * 60_000);
      env.control.clearRequests();
      await notifier.runOnce("ports");
    }
    const reads = portReads();
    expect(reads.length).toBe(300);
    // Besides its budget a run lists the fleet once: 10 ECS pages of 1,000 and the HSS host pages.
    expect(listings().length).toBeLessThanOrEqual(10 + Math.ceil(total / 100) + 10);
    // Each run reads hosts the previous runs did not.
    for (const r of reads) {
      const host = String(r.query.host_id);
      expect(seen.has(host)).toBe(false);
      seen.add(host);
    }
  }

  const [info] = await notifier.listWatchers();
  const text = renderPlainText(buildWatchListMessage([info!], [], env.clock.now()));
  const runs = Math.ceil(total / 300);
  expect(text).toContain("full cycle");
  expect(text).toContain(`300 of ${total.toLocaleString("en")} hosts a run`);
  expect(runs).toBeGreaterThan(30);
}, 120_000);
