/** The key pair and image reads, and the dedicated host of a server, against the simulated cloud over loopback. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import { OS_IMAGES } from "../../src/sandbox/cloud/os-images.js";
import { scriptedCloudConfig, startScriptedServer } from "./helpers/start-scripted-server.js";
import { type SimClient, startSimClient } from "./helpers/start-sim-client.js";

let env: SimClient;
beforeAll(async () => {
  env = await startSimClient();
});
afterAll(async () => {
  await env.close();
});
beforeEach(() => {
  env.sim.control.reset();
});

const BOGUS = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const requestsTo = (part: string) => env.sim.control.requests().filter((r) => r.path.includes(part));

describe("getKeyPair (6.11.2)", () => {
  it("finds a key pair of the project, and answers 'not found' (no throw) for an unknown one", async () => {
    const found = await env.client.ecs.getKeyPair("KeyPair-deploy");
    expect(found).toEqual({
      found: true,
      value: {
        name: "KeyPair-deploy",
        fingerprint: expect.stringMatching(/^[0-9a-f:]+$/),
        createdAt: expect.any(String),
      },
    });
    expect(await env.client.ecs.getKeyPair("KeyPair-nope")).toEqual({ found: false });
    expect(requestsTo("/os-keypairs/").map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", `/v2.1/${env.sim.projectId}/os-keypairs/KeyPair-deploy`, 200],
      ["GET", `/v2.1/${env.sim.projectId}/os-keypairs/KeyPair-nope`, 404],
    ]);
  });

  it("retries a server error like any read, then answers", async () => {
    env.sim.control.failNextRequests({ status: 503, count: 1, match: "/os-keypairs/" });
    expect((await env.client.ecs.getKeyPair("KeyPair-ops")).found).toBe(true);
    expect(requestsTo("/os-keypairs/").map((r) => r.status)).toEqual([503, 200]);
  });

  it("refuses a name that would change the path, sending nothing", async () => {
    await expect(env.client.ecs.getKeyPair("a/b")).rejects.toThrow(RangeError);
    expect(requestsTo("/os-keypairs")).toEqual([]);
  });
});

describe("getImage (11.2.3)", () => {
  it("finds a public image, and answers 'not found' for an unknown one", async () => {
    const image = OS_IMAGES.centos79;
    expect(await env.client.ecs.getImage(image.id)).toEqual({
      found: true,
      value: { id: image.id, name: image.name, status: "ACTIVE", minDiskGb: 40 },
    });
    expect(await env.client.ecs.getImage(BOGUS)).toEqual({ found: false });
  });

  it("throws, rather than answering 'not found', for the gateway's 404 (no such API)", async () => {
    const scripted = await startScriptedServer(() => ({
      status: 404,
      body: { error_code: "APIG.0101", error_msg: "The API does not exist or has not been published" },
    }));
    const client = createCloudClient(scriptedCloudConfig(scripted.url));
    try {
      await expect(client.ecs.getImage("img-1")).rejects.toMatchObject({
        name: "CloudError",
        code: "APIG.0101",
      });
    } finally {
      await client.close();
      await scripted.close();
    }
  });
});

describe("the dedicated host of a server (os:scheduler_hints)", () => {
  it("reads the host from the server's details, in the Nova view and in the native listing", async () => {
    const worker = env.sim.control.server("worker-01")!.id;
    expect((await env.client.ecs.getServer(worker)).dedicatedHost).toBeUndefined();
    const [deh] = env.sim.control.dedicatedHosts();
    env.sim.control.setServer(worker, { dedicatedHostId: deh! });
    expect((await env.client.ecs.getServer(worker)).dedicatedHost).toEqual({ id: deh });
    const [listed] = await env.client.ecs.listServersByIds([worker]);
    expect(listed!.dedicatedHost).toEqual({ id: deh });
  });
});
