/** The preflight against the simulated cloud: what an approver is shown before approving. */
import { describe, expect, it } from "vitest";
import { buildPreflightRefusalView } from "../../src/operations/build-preflight-views.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { preflightMessageParts } from "../../src/workflow/preflight-message-parts.js";
import type { Preflight } from "../../src/workflow/preflight-types.js";
import { runPreflight } from "../../src/workflow/run-preflight.js";
import { toGoldenJson } from "../render/block-kit-test-helpers.js";
import { useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const ref = (...names: string[]) => names.map((name) => ({ id: env.id(name), name }));
const codes = (p: Preflight) => p.problems.map((x) => `${x.severity}:${x.code}`);
const rendered = (p: Preflight) =>
  JSON.stringify(renderBlockKit({ text: "preflight", blocks: preflightMessageParts(p) }));

describe("stop / start / reboot", () => {
  it("shows current → end state and the HSS posture, and snapshots the pre-state for the approval", async () => {
    const p = await runPreflight("stop", ref("web-03", "worker-01"), {}, env.cloud, { flow: env.flows.stop });
    expect(p.blocking).toBe(false);
    expect(codes(p)).toEqual(["warning:already_in_state"]);
    const [web03, worker01] = p.targets;
    expect(web03).toMatchObject({
      name: "web-03",
      current: { status: "ACTIVE", flavor: { id: "s6.medium.2", vcpus: 1, ramMb: 2048 } },
      planned: { calls: ["ecs.batch_stop"], status: "SHUTOFF" },
      hss: { state: "known", agentStatus: "online", protectStatus: "opened", baseline: 3 },
    });
    expect(worker01).toMatchObject({ planned: { calls: [], status: "SHUTOFF" } });
    expect(p.snapshot).toEqual([
      {
        id: env.id("web-03"),
        name: "web-03",
        status: "ACTIVE",
        flavor: "s6.medium.2",
        tags: { env: "staging", role: "web", team: "platform" },
        locked: false,
      },
      {
        id: env.id("worker-01"),
        name: "worker-01",
        status: "SHUTOFF",
        flavor: "s6.small.1",
        tags: { env: "dev", role: "worker", team: "data" },
        locked: false,
      },
    ]);
    const text = rendered(p);
    expect(text).toContain("ACTIVE → SHUTOFF");
    expect(text).toContain("already SHUTOFF");
  });

  it("blocks a start of servers that are all running already", async () => {
    const p = await runPreflight("start", ref("web-01", "web-02"), {}, env.cloud);
    expect(p.blocking).toBe(true);
    expect(codes(p)).toEqual([
      "blocking:nothing_to_do",
      "warning:already_in_state",
      "warning:already_in_state",
    ]);
    expect(p.problems[0]?.message).toBe("web-01 and web-02 are already running (ACTIVE): nothing to do");
  });

  it("a reboot of a server in ERROR: said in words with what a reboot needs, never 'nothing to reboot'", async () => {
    env.sim.control.setServer(env.id("web-03"), { status: "ERROR" });
    const p = await runPreflight("reboot", ref("web-03"), {}, env.cloud);
    expect(p.problems.filter((x) => x.severity === "blocking").map((x) => [x.code, x.message])).toEqual([
      ["status_not_allowed", "web-03 is in ERROR: a reboot needs it running (ACTIVE)"],
    ]);
  });

  it("a reboot leaves a stopped server out with a warning; blocks a missing server and one with a task in progress", async () => {
    await env.cloud.ecs.stopServers([env.id("web-04")]);
    env.sim.control.advance(500);
    const p = await runPreflight(
      "reboot",
      [
        ...ref("worker-01", "web-04", "web-03"),
        { id: "00000000-0000-0000-0000-000000000000", name: "ghost" },
      ],
      { hard: true },
      env.cloud,
    );
    expect(p.blocking).toBe(true);
    // web-04 is being stopped: said once as busy, with what to do (wait), before the servers' own problems.
    expect(codes(p)).toEqual([
      "blocking:task_in_progress",
      "blocking:task_in_progress",
      "blocking:server_not_found",
      "warning:left_out",
    ]);
    expect(p.problems.slice(0, 2).map((x) => x.message)).toEqual([
      "web-04 is busy with a stop: wait until it ends, then ask again (/ecs show web-04 shows its state, /ops jobs shows what the bot is running)",
      "web-04 is busy with a stop",
    ]);
    expect(p.snapshot.map((t) => t.name)).toEqual(["worker-01", "web-04", "web-03"]);
    expect(rendered(p)).toContain("ghost");
    expect(rendered(p)).toContain("worker-01: is SHUTOFF; it will be left out of the reboot");
  });

  it("a reboot asked again while one runs: the server is busy with a reboot in progress, wait; never 'nothing to do'", async () => {
    await env.cloud.ecs.rebootServers([env.id("web-03")], "SOFT");
    env.sim.control.advance(500);
    expect(env.sim.control.server("web-03")).toMatchObject({ status: "REBOOT", taskState: "reboot_started" });
    const p = await runPreflight("reboot", ref("web-03"), { hard: false }, env.cloud, {
      flow: env.flows.reboot,
    });
    expect(p.blocking).toBe(true);
    expect(codes(p)).toEqual(["blocking:task_in_progress", "blocking:task_in_progress"]);
    expect(p.problems.map((x) => x.message)).toEqual([
      "web-03 is busy with a reboot: wait until it ends, then ask again (/ecs show web-03 shows its state, /ops jobs shows what the bot is running)",
      "web-03 is busy with a reboot",
    ]);
    const text = rendered(p);
    expect(text).toContain("REBOOT — busy with a reboot · :no_entry: blocked");
    // The server's own busy line is said by the line that says to wait: once, never with the raw task state.
    expect(text).not.toContain("reboot_started");
    expect(text).not.toContain("nothing to");
    expect(text).not.toContain("needs ACTIVE");
    await expect(
      toGoldenJson(renderBlockKit(buildPreflightRefusalView("/ecs reboot web-03", p))),
    ).toMatchFileSnapshot("golden/preflight-reboot-busy.json");
  });

  it("several busy servers: one line says to wait for their tasks, each server says what it is busy with", async () => {
    await env.cloud.ecs.rebootServers([env.id("web-03")], "HARD");
    await env.cloud.ecs.stopServers([env.id("web-04")]);
    env.sim.control.advance(500);
    const p = await runPreflight("delete", ref("web-03", "web-04"), {}, env.cloud, {
      flow: env.flows.delete,
    });
    expect(p.blocking).toBe(true);
    expect(p.problems.filter((x) => x.severity === "blocking").map((x) => x.message)).toEqual([
      "2 servers are busy (web-03 with a hard reboot, web-04 with a stop): wait until their tasks end, then ask again (/ecs show shows a server's state, /ops jobs shows what the bot is running)",
      "web-03 is busy with a hard reboot",
      "web-04 is busy with a stop",
    ]);
    const text = rendered(p);
    expect(text).toContain("HARD_REBOOT — busy with a hard reboot");
    expect(text).toContain("ACTIVE — busy with a stop");
    expect(text).not.toContain("powering-off");
  });

  it("a reboot of a group with one stopped member goes ahead without it", async () => {
    const p = await runPreflight("reboot", ref("worker-01", "web-03"), { hard: false }, env.cloud);
    expect(p.blocking).toBe(false);
    expect(codes(p)).toEqual(["warning:left_out"]);
    expect(p.targets.find((t) => t.name === "worker-01")?.planned?.calls).toEqual([]);
    expect(p.targets.find((t) => t.name === "web-03")?.planned?.calls).toEqual(["ecs.batch_reboot"]);
  });

  it("says the HSS posture is unknown when HSS cannot be read, without blocking", async () => {
    env.sim.control.failNextRequests({ status: 503, count: 20, match: /host-management/ });
    const p = await runPreflight("stop", ref("web-03"), {}, env.cloud);
    expect(p.blocking).toBe(false);
    expect(codes(p)).toEqual(["warning:hss_unavailable"]);
    expect(p.targets[0]!.hss).toMatchObject({ state: "unknown" });
    expect(rendered(p)).toContain("unknown (HSS unavailable)");
  });
});

describe("resize", () => {
  it("shows current and new flavor, the restart of a running server, and the dry run (format only, 5.2.4)", async () => {
    const p = await runPreflight(
      "resize",
      ref("web-03", "worker-01"),
      { flavorRef: "s6.large.2" },
      env.cloud,
      {
        flow: env.flows.resize,
      },
    );
    expect(p.blocking).toBe(false);
    const [web03, worker01] = p.targets;
    expect(web03).toMatchObject({
      restart: true,
      resize: {
        from: { id: "s6.medium.2" },
        to: { id: "s6.large.2", vcpus: 2, ramMb: 4096 },
        // 5.2.4's dry run checks parameters and format, not the state: a running server passes it too.
        dryRun: "passed",
      },
      planned: {
        calls: ["ecs.batch_stop", "ecs.resize", "ecs.batch_start"],
        status: "ACTIVE",
        flavor: { id: "s6.large.2" },
      },
    });
    expect(worker01).toMatchObject({
      restart: false,
      resize: { dryRun: "passed" },
      planned: { calls: ["ecs.resize"], status: "SHUTOFF", flavor: { id: "s6.large.2" } },
    });
    expect(codes(p)).toEqual(["warning:will_restart"]);
    // The dry runs reached the API with dry_run, and nothing changed.
    expect(env.sim.control.requests().filter((r) => r.path.endsWith("/resize"))).toHaveLength(2);
    expect(env.sim.control.jobs()).toEqual([]);
    const text = rendered(p);
    expect(text).toContain("s6.medium.2 (1 vCPU, 2 GiB) → s6.large.2 (2 vCPU, 4 GiB)");
    expect(text).toContain("stopped, resized and started again");
  });

  it("reinstall of a stopped and a running server: each is told how its running state changes, once", async () => {
    const p = await runPreflight("reinstall", ref("worker-01", "web-03"), {}, env.cloud, {
      flow: env.flows.reinstall,
    });
    expect(p.targets.map((t) => [t.name, t.current?.status, t.planned?.status, t.restart])).toEqual([
      ["worker-01", "SHUTOFF", "ACTIVE", false],
      ["web-03", "ACTIVE", "ACTIVE", true],
    ]);
    const running = p.problems.filter((x) => x.code === "will_start" || x.code === "will_restart");
    expect(running.map((x) => `${x.code}: ${x.message}`)).toEqual([
      "will_start: worker-01: is stopped; Huawei Cloud starts it on its new system disk, so it will be running afterwards",
      "will_restart: web-03: is running; it will be stopped, then start on its new system disk",
    ]);
  });

  it("blocks a resize to the same flavor", async () => {
    const p = await runPreflight("resize", ref("web-03"), { flavorRef: "s6.medium.2" }, env.cloud);
    expect(codes(p)).toContain("blocking:same_flavor");
    expect(p.targets[0]!.resize!.dryRun).toBe("not_run");
  });

  it("blocks an unknown flavor and a missing one", async () => {
    const unknown = await runPreflight("resize", ref("worker-01"), { flavorRef: "x9.huge.99" }, env.cloud);
    expect(codes(unknown)).toEqual(["blocking:unknown_flavor"]);
    expect(unknown.problems[0]!.message).toBe(
      "flavor x9.huge.99 does not exist in this region. /ecs flavors lists them.",
    );
    const near = await runPreflight("resize", ref("worker-01"), { flavorRef: "s6.xlarge" }, env.cloud);
    expect(codes(near)).toEqual(["blocking:unknown_flavor"]);
    expect(near.problems[0]!.message).toMatch(
      /^flavor s6\.xlarge does not exist in this region\. Did you mean s6\.xlarge\.2\b.*\? \/ecs flavors lists them\.$/,
    );
    const missing = await runPreflight("resize", ref("worker-01"), {}, env.cloud);
    expect(codes(missing)).toEqual(["blocking:flavor_missing"]);
  });

  it("warns when the dry run cannot be run (a server error is not a verdict)", async () => {
    // Past the transport's four attempts: a dry run (a read) is sent again after a 500.
    env.sim.control.failNextRequests({ status: 500, count: 10, match: /\/resize$/ });
    const p = await runPreflight("resize", ref("worker-01"), { flavorRef: "s6.large.2" }, env.cloud);
    expect(p.blocking).toBe(false);
    expect(codes(p)).toEqual(["warning:dry_run_unavailable"]);
    // Said for an operator: what it means for the change, the cloud's code in parentheses.
    expect(p.problems[0]?.message).toMatch(
      /^worker-01: Huawei Cloud could not check this resize in advance \(error Common\.0001\); it may still refuse it when it runs$/,
    );
    expect(p.targets[0]!.resize).toMatchObject({
      dryRun: "unavailable",
      dryRunMessage: expect.stringContaining("Common.0001"),
    });
  });
});

describe("delete", () => {
  it("lists attached disks and EIPs as kept by default", async () => {
    const p = await runPreflight("delete", ref("db-01", "web-01"), {}, env.cloud, { flow: env.flows.delete });
    expect(p.blocking).toBe(false);
    expect(codes(p)).toEqual([]);
    const [db01, web01] = p.targets;
    expect(db01!.attached).toEqual({
      volumes: [
        { id: expect.any(String), device: "/dev/vda", system: true, fate: "deleted" },
        { id: expect.any(String), device: "/dev/vdb", system: false, fate: "kept" },
      ],
      eips: [],
    });
    expect(web01!.attached).toMatchObject({ eips: [{ address: "121.36.0.10", fate: "kept" }] });
    const text = rendered(p);
    expect(text).toContain("/dev/vdb data: kept");
    expect(text).toContain("121.36.0.10: kept");
  });

  it("shows data disks deleted and EIPs released with --delete-volume and --delete-eip", async () => {
    const p = await runPreflight(
      "delete",
      ref("db-01", "web-01"),
      { deleteVolume: true, deleteEip: true },
      env.cloud,
    );
    expect(codes(p)).toEqual(["warning:data_disks_deleted", "warning:eips_released"]);
    expect(p.targets[0]!.attached).toMatchObject({ volumes: [{ fate: "deleted" }, { fate: "deleted" }] });
    expect(p.targets[1]!.attached).toMatchObject({ eips: [{ address: "121.36.0.10", fate: "released" }] });
    expect(rendered(p)).toContain("121.36.0.10: released");
  });
});
