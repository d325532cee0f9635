/**
 * The preflight refuses, before anything is sent, what the cloud would refuse only after a running server was
 * stopped: a key pair or image that does not exist, a migration ECS does not make. Against the simulated cloud.
 */
import { describe, expect, it } from "vitest";
import { OS_IMAGES } from "../../src/sandbox/cloud/os-images.js";
import type { Preflight } from "../../src/workflow/preflight-types.js";
import { runPreflight } from "../../src/workflow/run-preflight.js";
import { useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const ref = (...names: string[]) => names.map((name) => ({ id: env.id(name), name }));
const codes = (p: Preflight) => p.problems.map((x) => `${x.severity}:${x.code}`);
const message = (p: Preflight, code: string) => p.problems.find((x) => x.code === code)?.message;
const requests = (part: string) => env.sim.control.requests().filter((r) => r.path.includes(part));
const mutations = () => env.sim.control.requests().filter((r) => r.method !== "GET");
const BOGUS = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

describe("reinstall / change-os: the key pair exists", () => {
  it("refuses a named key pair the project does not have, naming it, with one read and nothing sent", async () => {
    const p = await runPreflight("reinstall", ref("web-03"), { keyName: "KeyPair-nope" }, env.cloud, {
      flow: env.flows.reinstall,
    });
    expect(p.blocking).toBe(true);
    expect(codes(p)).toContain("blocking:key_pair_not_found");
    expect(message(p, "key_pair_not_found")).toBe(
      "key pair KeyPair-nope does not exist in this project; name an existing one with --keypair <name>",
    );
    expect(requests("/os-keypairs/").map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", `/v2.1/${env.sim.projectId}/os-keypairs/KeyPair-nope`, 404],
    ]);
    expect(mutations()).toEqual([]);
  });

  it("passes an existing key pair, read once for every server that gets it", async () => {
    const p = await runPreflight("reinstall", ref("web-03", "web-04", "worker-01"), {}, env.cloud, {
      flow: env.flows.reinstall,
    });
    expect(codes(p).filter((c) => c.startsWith("blocking"))).toEqual([]);
    expect(p.parameters.keyName).toBe("KeyPair-ops");
    expect(requests("/os-keypairs/").map((r) => [r.path, r.status])).toEqual([
      [`/v2.1/${env.sim.projectId}/os-keypairs/KeyPair-ops`, 200],
    ]);
  });

  it("warns, without blocking, when the key pair cannot be read", async () => {
    env.sim.control.failNextRequests({ status: 500, count: 10, match: "/os-keypairs/" });
    const p = await runPreflight("reinstall", ref("worker-01"), { keyName: "KeyPair-deploy" }, env.cloud, {
      flow: env.flows.reinstall,
    });
    expect(codes(p)).toContain("warning:key_pair_unreadable");
    expect(p.blocking).toBe(false);
  });
});

describe("change-os: the image exists", () => {
  it("refuses an unknown image, naming it, with one read and nothing sent", async () => {
    const p = await runPreflight("change-os", ref("web-03"), { imageId: BOGUS }, env.cloud, {
      flow: env.flows["change-os"],
    });
    expect(p.blocking).toBe(true);
    expect(message(p, "image_not_found")).toBe(
      `image ${BOGUS} does not exist in this region; check the image ID`,
    );
    expect(requests("/images/").map((r) => [r.path, r.status])).toEqual([
      [`/v2.1/${env.sim.projectId}/images/${BOGUS}`, 404],
    ]);
    expect(requests("/os-keypairs/")).toHaveLength(1);
    expect(mutations()).toEqual([]);
  });

  it("passes an existing image and key pair", async () => {
    const p = await runPreflight("change-os", ref("api-02"), { imageId: OS_IMAGES.hce2.id }, env.cloud, {
      flow: env.flows["change-os"],
    });
    expect(p.blocking).toBe(false);
    expect(requests("/images/").map((r) => r.status)).toEqual([200]);
  });
});

describe("migrate: the direction ECS allows (5.2.3)", () => {
  it("refuses a server in the public pool without --dedicated-host, from its details alone", async () => {
    const p = await runPreflight("migrate", ref("web-03"), {}, env.cloud, { flow: env.flows.migrate });
    expect(p.blocking).toBe(true);
    expect(message(p, "migration_needs_host")).toBe(
      "web-03: is in the public resource pool, and from there it can only move to a dedicated host; name one with --dedicated-host <id>",
    );
    expect(mutations()).toEqual([]);
  });

  it("refuses a move to the dedicated host the server is on; allows the way back to the public pool", async () => {
    const [host] = env.sim.control.dedicatedHosts();
    env.sim.control.setServer(env.id("worker-01"), { dedicatedHostId: host! });
    const same = await runPreflight("migrate", ref("worker-01"), { dedicatedHostId: host! }, env.cloud, {
      flow: env.flows.migrate,
    });
    expect(codes(same)).toContain("blocking:same_dedicated_host");
    const back = await runPreflight("migrate", ref("worker-01"), {}, env.cloud, { flow: env.flows.migrate });
    expect(back.blocking).toBe(false);
  });

  it("lets a named host through for a stopped server, with no read: a refusal would leave it as it was", async () => {
    const p = await runPreflight("migrate", ref("worker-01"), { dedicatedHostId: BOGUS }, env.cloud, {
      flow: env.flows.migrate,
    });
    expect(p.blocking).toBe(false);
    expect(codes(p)).toEqual([]);
    expect(requests("/cloudservers/detail").filter((r) => r.query.server_id === undefined)).toEqual([]);
  });

  it("a running server to a named host: warns (never refuses) what a wrong ID costs, with no fleet read", async () => {
    for (const hostId of [BOGUS, env.sim.control.dedicatedHosts()[0]!]) {
      const before = requests("/cloudservers/detail").filter((r) => r.query.server_id === undefined).length;
      const p = await runPreflight("migrate", ref("web-03"), { dedicatedHostId: hostId }, env.cloud, {
        flow: env.flows.migrate,
      });
      expect(p.blocking).toBe(false);
      expect(codes(p)).toEqual(["warning:will_restart", "warning:dedicated_host_unconfirmed"]);
      expect(p.problems.map((x) => x.message)).toEqual([
        "web-03: is running; it will be stopped, migrated and started again",
        `web-03: Huawei Cloud checks dedicated host ${hostId} only after the stop: if the ID is wrong, the migration fails and the bot starts web-03 again (it stays stopped only if the outcome is unknown)`,
      ]);
      // A command about one server reads that server: never the fleet, to look for the host on others.
      expect(requests("/cloudservers/detail").filter((r) => r.query.server_id === undefined)).toHaveLength(
        before,
      );
    }
    expect(mutations()).toEqual([]);
  });
});

describe("delete: the system disk is the one with boot index 0", () => {
  it("calls a data disk attached as /dev/sda a data disk, kept", async () => {
    env.sim.control.attachDisk(env.id("web-03"), { device: "/dev/sda", sizeGb: 10 });
    const p = await runPreflight("delete", ref("web-03"), {}, env.cloud, { flow: env.flows.delete });
    expect(p.targets[0]!.attached).toMatchObject({
      volumes: [
        { device: "/dev/vda", system: true, fate: "deleted" },
        { device: "/dev/sda", system: false, fate: "kept" },
      ],
    });
  });
});
