import type { EcsClient } from "@huaweicloud/huaweicloud-sdk-ecs";
import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CloudSimulator, startCloudSimulator } from "../../../src/sandbox/cloud/index.js";
import { OS_IMAGES } from "../../../src/sandbox/cloud/os-images.js";
import { loadOfficialSdk } from "./load-official-sdk.js";
import type { Row } from "./sim-client.js";

const { core, ecs: m, signer } = loadOfficialSdk();
const BOGUS = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

/**
 * The official SDK (a test oracle) reads the simulator's answers to what the preflight of a reinstall, a
 * change of OS and a migration asks: a key pair (6.11.2, `NovaShowKeypair`), an image (11.2.3: the SDK has
 * no model for it, so the request is signed by the SDK's signer and sent as it would send it) and where a
 * server is (`os:scheduler_hints`, Tables 6-46/6-57, in `NovaShowServer` and `ShowServer`).
 */
describe("official SDK: key pairs, images and the dedicated host of a server", () => {
  let sim: CloudSimulator;
  let client: EcsClient;

  const sdkSigned = async (path: string) => {
    const endpoint = `${sim.ecsEndpoint}${path}`;
    const headers = signer.sign(
      {
        endpoint,
        method: "GET",
        headers: { "content-type": "application/json", "X-Project-Id": sim.projectId },
      },
      { getAk: () => sim.ak, getSk: () => sim.sk },
    );
    const res = await request(endpoint, { method: "GET", headers });
    return { status: res.statusCode, json: JSON.parse(await res.body.text()) as Row };
  };

  beforeAll(async () => {
    sim = await startCloudSimulator();
    client = m.EcsClient.newBuilder()
      .withCredential(new core.BasicCredentials().withAk(sim.ak).withSk(sim.sk).withProjectId(sim.projectId))
      .withEndpoint(sim.ecsEndpoint)
      .build();
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("shows a key pair of the project with the documented fields (Table 6-185)", async () => {
    const res = await client.novaShowKeypair(
      new m.NovaShowKeypairRequest().withKeypairName("KeyPair-ops").withOpenStackAPIVersion("2.2"),
    );
    expect(res.httpStatusCode).toBe(200);
    // The SDK hands back the JSON it read: snake_case fields stay as the wire has them.
    const k = res.keypair! as unknown as Row;
    expect(k.name).toBe("KeyPair-ops");
    expect(k.type).toBe("ssh");
    expect(k.deleted).toBe(false);
    expect(Number.isInteger(k.id)).toBe(true);
    expect(k.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(k.public_key).toMatch(/^ssh-rsa [A-Za-z0-9+/=]+ Generated-by-Nova\n$/);
    expect(k).toMatchObject({
      user_id: expect.any(String),
      created_at: expect.any(String),
      deleted_at: null,
    });
    // Deterministic: the same key pair reads the same after a reset.
    sim.control.reset();
    const again = await client.novaShowKeypair(new m.NovaShowKeypairRequest().withKeypairName("KeyPair-ops"));
    expect(again.keypair!.fingerprint).toBe(k.fingerprint);
    // `type` only from microversion 2.2.
    expect(again.keypair!.type).toBeUndefined();
  });

  it("answers an unknown key pair with Nova's 404 itemNotFound", async () => {
    await expect(
      client.novaShowKeypair(new m.NovaShowKeypairRequest().withKeypairName("KeyPair-nope")),
    ).rejects.toMatchObject({ httpStatusCode: 404 });
    const raw = await sdkSigned(`/v2.1/${sim.projectId}/os-keypairs/KeyPair-nope`);
    expect(raw).toEqual({
      status: 404,
      json: { itemNotFound: { code: 404, message: expect.stringContaining("KeyPair-nope") } },
    });
  });

  it("shows an image with the documented fields (Table 11-18), and 404 for an unknown one", async () => {
    const image = OS_IMAGES.hce2;
    const shown = await sdkSigned(`/v2.1/${sim.projectId}/images/${image.id}`);
    expect(shown.status).toBe(200);
    expect(shown.json.image).toMatchObject({
      id: image.id,
      name: image.name,
      status: "ACTIVE",
      progress: 100,
      minDisk: expect.any(Number),
      minRam: expect.any(Number),
      "OS-EXT-IMG-SIZE:size": expect.any(Number),
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      metadata: expect.objectContaining({ __os_type: "Linux" }),
      links: expect.arrayContaining([expect.objectContaining({ rel: "self" })]),
    });
    const unknown = await sdkSigned(`/v2.1/${sim.projectId}/images/${BOGUS}`);
    expect(unknown).toEqual({
      status: 404,
      json: { itemNotFound: { code: 404, message: "Image not found." } },
    });
  });

  it("shows the dedicated host of a server in its details, and none for one in the public pool", async () => {
    const worker = sim.control.server("worker-01")!.id;
    const [deh] = sim.control.dedicatedHosts();
    const publicPool = await client.novaShowServer(new m.NovaShowServerRequest().withServerId(worker));
    expect(publicPool.server as unknown as Row).not.toHaveProperty("os:scheduler_hints");

    sim.control.setServer(worker, { dedicatedHostId: deh! });
    const nova = await client.novaShowServer(new m.NovaShowServerRequest().withServerId(worker));
    const hints = (nova.server as unknown as Row)["os:scheduler_hints"];
    expect(hints).toEqual({ tenancy: ["dedicated"], dedicated_host_id: [deh] });
    const v1 = await client.showServer(new m.ShowServerRequest().withServerId(worker));
    expect((v1.server as unknown as Row)["os:scheduler_hints"]).toEqual({
      tenancy: ["dedicated"],
      dedicated_host_id: [deh],
    });
  });
});
