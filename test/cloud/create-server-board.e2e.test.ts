/**
 * The board against the simulated cloud: jobs followed on one shared schedule of one poll a second, the
 * board reading their servers together; what the cloud saw is counted from the simulator's request log.
 */
import { setMaxListeners } from "node:events";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import { createJobPollGate } from "../../src/cloud/create-job-poll-gate.js";
import { createServerBoard } from "../../src/cloud/create-server-board.js";
import type { EcsApi } from "../../src/cloud/types.js";
import { waitForJob } from "../../src/cloud/wait-for-job.js";
import {
  type CloudSimulator,
  createManualClock,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import { createSimVirtualTime } from "./helpers/create-sim-virtual-time.js";

let sim: CloudSimulator;
let cloud: ReturnType<typeof createCloudClient>;
beforeEach(async () => {
  sim = await startCloudSimulator({ servers: 60, seed: 11, clock: createManualClock() });
  cloud = createCloudClient(simulatorCloudConfig(sim), { now: () => sim.control.now() });
});
afterEach(async () => {
  await cloud.close();
  await sim.close();
});

const secondOf = (time: string) => Math.floor(Date.parse(time) / 1000);

it("a job whose servers settle is polled ahead of 30 others waiting their turn, and seen within 2 s of its end", async () => {
  const ids = sim.control
    .servers()
    .filter((s) => s.status === "ACTIVE")
    .map((s) => s.id)
    .slice(0, 31);
  expect(ids).toHaveLength(31);
  const jobIds: string[] = [];
  for (const [i, id] of ids.entries()) {
    // The last one runs 20 s; the others 10 minutes.
    sim.control.setJobTiming({ initMs: 1_000, runningMs: i === 30 ? 20_000 : 600_000 });
    jobIds.push((await cloud.ecs.stopServers([id])).jobs[0]!.jobId);
  }
  sim.control.clearRequests();
  const time = createSimVirtualTime(sim);
  const ecs: Pick<EcsApi, "getJob" | "getServer" | "listServersByIds"> = {
    getJob: (jobId, signal) => time.request(() => cloud.ecs.getJob(jobId, signal)),
    getServer: (id, signal) => time.request(() => cloud.ecs.getServer(id, signal)),
    listServersByIds: (serverIds, signal) =>
      time.request(() => cloud.ecs.listServersByIds(serverIds, signal)),
  };
  const gate = createJobPollGate({ now: time.now, sleep: time.sleep, maxPollsPerSecond: 1 });
  // As the replica composes it: reading while more jobs are followed than the budget polls at their pace.
  const board = createServerBoard({ ecs, sleep: time.sleep, minFollowers: gate.jobsAtPace });
  const stop = new AbortController();
  // 31 waits on one signal.
  setMaxListeners(100, stop.signal);
  let seenAt: number | undefined;
  const waits = jobIds.map((jobId, i) =>
    waitForJob({
      ecs,
      jobId,
      now: time.now,
      sleep: time.sleep,
      gate,
      hints: { board, serverIds: [ids[i]!] },
      signal: stop.signal,
    }).then(
      (result) => {
        if (result.outcome === "SUCCESS") seenAt = time.now();
        return result.outcome;
      },
      () => "stopped",
    ),
  );
  const short = sim.control.job(jobIds[30]!)!;
  const endAt = Date.parse(short.endAt);
  await time.run(endAt + 5_000);
  // 31 jobs on one poll a second: without the hint its turn would come about every 31 s.
  expect(seenAt).toBeDefined();
  expect(seenAt! - endAt).toBeLessThanOrEqual(2_000);
  expect(sim.control.server(ids[30]!)?.status).toBe("SHUTOFF");

  stop.abort(new Error("the run stopped"));
  await time.run();
  expect(await Promise.all(waits)).toEqual([...Array(30).fill("stopped"), "SUCCESS"]);
  const requests = sim.control.requests();
  const polls = requests.filter((r) => r.method === "GET" && r.path.includes("/jobs/"));
  const boardReads = requests.filter(
    (r) => r.path.endsWith("/cloudservers/detail") && "server_id" in r.query,
  );
  // Never more than one poll a second, whatever the hint.
  const pollSeconds = polls.map((r) => secondOf(r.time));
  expect(new Set(pollSeconds).size).toBe(pollSeconds.length);
  // One request reads all 31 servers (30 once the short job is seen), once a second, and the board stops reading once nobody is followed.
  expect(boardReads.length).toBeGreaterThanOrEqual(20);
  const serversRead = boardReads.map((r) => String(r.query.server_id).split(",").length);
  expect(serversRead.filter((n) => n !== 31 && n !== 30)).toEqual([]);
  expect(serversRead.slice(0, 20).every((n) => n === 31)).toBe(true);
  expect(new Set(boardReads.map((r) => secondOf(r.time))).size).toBe(boardReads.length);
  expect(Date.parse(boardReads.at(-1)!.time)).toBeLessThanOrEqual(endAt + 5_000);
  expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
});
