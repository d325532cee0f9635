import { describe, expect, it } from "vitest";
import { createJobPollGate } from "../../src/cloud/create-job-poll-gate.js";
import { createServerBoard } from "../../src/cloud/create-server-board.js";
import type { EcsApi, Job, Server } from "../../src/cloud/types.js";
import { waitForJob } from "../../src/cloud/wait-for-job.js";
import { createVirtualTime } from "./helpers/create-virtual-time.js";

/** Servers whose states the test sets; each `listServersByIds` is recorded with its time and IDs. */
function fakeServers(time: { now: () => number }) {
  const states = new Map<string, { status: string; taskState?: string } | "gone" | "unreadable">();
  const reads: { at: number; ids: string[] }[] = [];
  const ecs: Pick<EcsApi, "listServersByIds"> = {
    async listServersByIds(ids) {
      reads.push({ at: time.now(), ids: [...ids] });
      const out: Server[] = [];
      for (const id of ids) {
        const state = states.get(id);
        if (state === "unreadable") throw new Error("the cloud is slow");
        if (state === undefined || state === "gone") continue;
        out.push({ id, name: id, ...state } as unknown as Server);
      }
      return out;
    },
  };
  return { ecs, states, reads };
}

describe("createServerBoard", () => {
  it("hints once every followed server has changed into a settled state, never on the first read", async () => {
    const time = createVirtualTime();
    const { ecs, states, reads } = fakeServers(time);
    states.set("a", { status: "ACTIVE", taskState: "powering-off" });
    states.set("b", { status: "SHUTOFF" });
    const board = createServerBoard({ ecs, sleep: time.sleep });
    const hints: number[] = [];
    board.follow(["a", "b"], () => hints.push(time.now()));
    await time.run(1_500);
    // Read at 1 s: where they stand. b is already settled, but it has not been seen changing.
    expect(reads.map((r) => r.at)).toEqual([1_000]);
    states.set("a", { status: "SHUTOFF" });
    await time.run(2_500);
    expect(hints).toEqual([]);
    states.set("b", { status: "ACTIVE", taskState: "powering-on" });
    await time.run(3_500);
    expect(hints).toEqual([]);
    states.set("b", { status: "ACTIVE" });
    await time.run(10_500);
    expect(hints).toEqual([4_000]);
    expect(reads.every((r) => r.ids.join() === "a,b")).toBe(true);
  });

  it("a server gone (deleted) counts as settled", async () => {
    const time = createVirtualTime();
    const { ecs, states } = fakeServers(time);
    states.set("a", { status: "ACTIVE", taskState: "deleting" });
    const board = createServerBoard({ ecs, sleep: time.sleep });
    const hints: number[] = [];
    board.follow(["a"], () => hints.push(time.now()));
    await time.run(1_500);
    states.set("a", "gone");
    await time.run(2_500);
    expect(hints).toEqual([2_000]);
  });

  it("reads every followed server together, less often once they take more than 5 requests a second", async () => {
    const time = createVirtualTime();
    const { ecs, states, reads } = fakeServers(time);
    const ids = Array.from({ length: 1_000 }, (_, i) => `s-${i}`);
    for (const id of ids) states.set(id, { status: "ACTIVE" });
    const board = createServerBoard({ ecs, sleep: time.sleep });
    const first = board.follow(ids.slice(0, 400), () => {});
    await time.run(2_500);
    expect(reads.map((r) => [r.at, r.ids.length])).toEqual([
      [1_000, 400],
      [2_000, 400],
    ]);
    board.follow(ids.slice(400), () => {});
    first();
    await time.run(3_500);
    // 600 servers left: 6 requests of 100, at 5 a second: every 1.2 s.
    expect(reads.slice(2).map((r) => [r.at, r.ids.length])).toEqual([[3_000, 600]]);
    await time.run(5_000);
    expect(reads.slice(3).map((r) => [r.at, r.ids.length])).toEqual([[4_200, 600]]);
  });

  it("a failed read is told and the next one goes at its time", async () => {
    const time = createVirtualTime();
    const { ecs, states, reads } = fakeServers(time);
    states.set("a", "unreadable");
    const errors: unknown[] = [];
    const board = createServerBoard({ ecs, sleep: time.sleep, onError: (e) => errors.push(e) });
    const hints: number[] = [];
    board.follow(["a"], () => hints.push(time.now()));
    await time.run(2_500);
    expect(errors.map(String)).toEqual(["Error: the cloud is slow", "Error: the cloud is slow"]);
    states.set("a", { status: "ACTIVE", taskState: "powering-off" });
    await time.run(3_500);
    states.set("a", { status: "SHUTOFF" });
    await time.run(4_500);
    expect(reads.map((r) => r.at)).toEqual([1_000, 2_000, 3_000, 4_000]);
    expect(hints).toEqual([4_000]);
  });

  it("reads only while more jobs are followed than the poll schedule serves at their pace", async () => {
    const time = createVirtualTime();
    const { ecs, states, reads } = fakeServers(time);
    for (const id of ["a", "b", "c"]) states.set(id, { status: "ACTIVE", taskState: "powering-off" });
    const board = createServerBoard({ ecs, sleep: time.sleep, minFollowers: 2 });
    const hints: string[] = [];
    const a = board.follow(["a"], () => hints.push("a"));
    board.follow(["b"], () => hints.push("b"));
    await time.run(2_500);
    expect(reads).toEqual([]);
    const c = board.follow(["c"], () => hints.push("c"));
    await time.run(3_500);
    expect(reads.map((r) => [r.at, r.ids])).toEqual([[3_000, ["a", "b", "c"]]]);
    states.set("b", { status: "SHUTOFF" });
    await time.run(4_500);
    expect(hints).toEqual(["b"]);
    // Two left: their polls serve them; the board sleeps until more come.
    a();
    c();
    await time.run(10_000);
    expect(reads).toHaveLength(2);
  });

  it("a follower that throws is told as an error; the others are still told and the reads go on", async () => {
    const time = createVirtualTime();
    const { ecs, states, reads } = fakeServers(time);
    for (const id of ["a", "b"]) states.set(id, { status: "ACTIVE", taskState: "powering-off" });
    const errors: unknown[] = [];
    const board = createServerBoard({ ecs, sleep: time.sleep, onError: (e) => errors.push(e) });
    const hints: string[] = [];
    board.follow(["a"], () => {
      throw new Error("broken follower");
    });
    board.follow(["b"], () => hints.push("b"));
    await time.run(1_500);
    states.set("a", { status: "SHUTOFF" });
    states.set("b", { status: "SHUTOFF" });
    await time.run(3_500);
    expect(errors.map(String)).toEqual(["Error: broken follower"]);
    expect(hints).toEqual(["b"]);
    expect(reads.map((r) => r.at)).toEqual([1_000, 2_000, 3_000]);
  });

  it("stops reading once nobody is followed, and a server followed twice is read once", async () => {
    const time = createVirtualTime();
    const { ecs, states, reads } = fakeServers(time);
    states.set("a", { status: "ACTIVE", taskState: "powering-off" });
    const board = createServerBoard({ ecs, sleep: time.sleep });
    const hints: string[] = [];
    const first = board.follow(["a"], () => hints.push("first"));
    const second = board.follow(["a"], () => hints.push("second"));
    await time.run(1_500);
    first();
    states.set("a", { status: "SHUTOFF" });
    await time.run(2_500);
    // The first follower left: only the second is told.
    expect(hints).toEqual(["second"]);
    second();
    await time.run(60_000);
    expect(reads.map((r) => [r.at, r.ids])).toEqual([
      [1_000, ["a"]],
      [2_000, ["a"]],
    ]);
    expect(time.sleeping()).toBe(0);
  });
});

describe("waitForJob with the board", () => {
  it("a job whose record lags its settled servers stays ahead of the others until the record follows", async () => {
    const time = createVirtualTime();
    const { ecs: servers, states } = fakeServers(time);
    // The server settles at 10 s; the job record says SUCCESS only at 15.5 s. 20 other jobs never end.
    states.set("s", { status: "ACTIVE", taskState: "powering-off" });
    const polls: { jobId: string; at: number }[] = [];
    const ecs = {
      ...servers,
      async getJob(jobId: string): Promise<Job> {
        polls.push({ jobId, at: time.now() });
        const done = jobId === "lagging" && time.now() >= 15_500;
        return { jobId, jobType: "batchStopServers", status: done ? "SUCCESS" : "RUNNING", subJobs: [] };
      },
      getServer: async () => {
        throw new Error("not used");
      },
    } as unknown as Pick<EcsApi, "getJob" | "getServer" | "listServersByIds">;
    const gate = createJobPollGate({ now: time.now, sleep: time.sleep, maxPollsPerSecond: 1 });
    const board = createServerBoard({ ecs, sleep: time.sleep });
    const stop = new AbortController();
    const options = { ecs, now: time.now, sleep: time.sleep, gate, signal: stop.signal };
    for (let i = 0; i < 20; i++) void waitForJob({ ...options, jobId: `other-${i}` }).catch(() => {});
    let seenAt: number | undefined;
    void waitForJob({ ...options, jobId: "lagging", hints: { board, serverIds: ["s"] } }).then(() => {
      seenAt = time.now();
    });
    await time.run(9_500);
    states.set("s", { status: "SHUTOFF" });
    await time.run(30_000);
    stop.abort(new Error("done"));
    // Settled seen at 10 s: polled at 11, 12 and 13 s (1 s apart), then every 2 s ahead of the 20 others.
    expect(polls.filter((p) => p.jobId === "lagging" && p.at >= 10_000).map((p) => p.at)).toEqual([
      11_000, 12_000, 13_000, 15_000, 17_000,
    ]);
    expect(seenAt).toBe(17_000);
  });
});
