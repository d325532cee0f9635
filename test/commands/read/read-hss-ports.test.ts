/**
 * `/hss ports <server> danger` against both editions of "Querying the Open Port List of a Single Server":
 * the current one filters by `status=danger`; the older one (hss-list-open-ports-older-edition.txt, Table 2)
 * has no `status` parameter and lists every port, so the command filters the answer itself.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { CloudClient, HssApi } from "../../../src/cloud/types.js";
import { readHssPorts } from "../../../src/commands/read/read-hss-ports.js";
import { renderPlainText } from "../../../src/render/render-plain-text.js";
import { type SimClient, startSimClient } from "../../cloud/helpers/start-sim-client.js";

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

/** The client, its open-port reads sent as to a service of the older edition (no `status` parameter). */
function olderEdition(client: CloudClient): CloudClient {
  const listOpenPorts: HssApi["listOpenPorts"] = (hostId, filter = {}, options) => {
    const { status: _notInThisEdition, ...documented } = filter;
    return client.hss.listOpenPorts(hostId, documented, options);
  };
  return { ...client, hss: { ...client.hss, listOpenPorts } };
}

async function danger(cloud: CloudClient, server: { id: string; name: string }) {
  const message = await readHssPorts(
    { type: "hss.ports", server: { kind: "id", id: server.id }, danger: true },
    { page: 1, server: await cloud.ecs.getServer(server.id) },
    { cloud },
  );
  return renderPlainText(message);
}

it("lists only dangerous ports, whichever edition answers", async () => {
  const server = env.sim.control.servers()[0]!;
  env.sim.control.addPort(server.id, { port: 5999, type: "TCP", status: "unknow", path: "/usr/bin/thing" });
  env.sim.control.addPort(server.id, { port: 2375, type: "TCP", status: "danger", path: "/usr/bin/dockerd" });

  env.sim.control.clearRequests();
  const older = await danger(olderEdition(env.client), server);
  const sent = env.sim.control.requests().filter((r) => r.path.endsWith("/asset/ports"));
  expect(sent.length).toBeGreaterThan(0);
  for (const r of sent) expect(r.query.status).toBeUndefined();
  expect(older).toContain("2375/TCP");
  expect(older).not.toContain("5999/TCP");
  expect(older).toContain("Filters: dangerous only");

  const current = await danger(env.client, server);
  expect(current).toBe(older);
});
