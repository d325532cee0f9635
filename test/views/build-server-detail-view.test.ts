import { describe, expect, it } from "vitest";
import { buildServerDetailView } from "../../src/views/build-server-detail-view.js";
import { HOSTILE_NAMES, makeHost, makeServer } from "./fixtures.js";
import { expectHarmless, interactiveElements, render } from "./view-test-helpers.js";

describe("buildServerDetailView", () => {
  it("status, ID, flavor, AZ, IPs, tags and a share button", async () => {
    const { kit, golden } = render(
      buildServerDetailView({ server: makeServer(4), controls: { token: "tok" } }),
    );
    const text = JSON.stringify(kit);
    for (const part of [
      "3f1c0004-9a2b-4c7d-8e1f-0b2a3c4d5e6f",
      "s6.large.2",
      "8 GiB",
      "cn-north-4b",
      "10.0.0.4",
      "121.36.0.4",
    ]) {
      expect(text).toContain(part);
    }
    expect(interactiveElements(kit)).toEqual([{ action_id: "q.share", type: "button", value: "1:tok" }]);
    await expect(golden).toMatchFileSnapshot("golden/server-detail.json");
  });

  it("an ERROR server shows its fault; hostile values stay harmless", async () => {
    const server = makeServer(5, {
      name: "<https://evil.example|Approve>",
      status: "ERROR",
      fault: { code: 500, message: "<!channel> disk *failure*" },
      tags: ["note=<@U0ADMIN>"],
      taskState: "<!here>",
    });
    const { kit, golden } = render(buildServerDetailView({ server }));
    expectHarmless(kit);
    expect(interactiveElements(kit)).toEqual([]);
    await expect(golden).toMatchFileSnapshot("golden/server-detail-error-hostile.json");
  });

  it("lists each attached disk: device and system/data when the details carry them, and its volume ID", async () => {
    const server = makeServer(6, {
      volumeIds: ["9c1e0001-aaaa-4bbb-8ccc-000000000001", "9c1e0002-aaaa-4bbb-8ccc-000000000002"],
      volumes: [
        { id: "9c1e0001-aaaa-4bbb-8ccc-000000000001", bootIndex: 0, device: "/dev/vda" },
        { id: "9c1e0002-aaaa-4bbb-8ccc-000000000002", bootIndex: 1, device: "/dev/vdb" },
      ],
    });
    const { kit, golden } = render(buildServerDetailView({ server }));
    const text = JSON.stringify(kit);
    expect(text).toContain("*Disks* (2 attached)");
    expect(text).toContain("• `/dev/vda` · system disk · volume ID `9c1e0001-aaaa-4bbb-8ccc-000000000001`");
    expect(text).toContain("• `/dev/vdb` · data disk · volume ID `9c1e0002-aaaa-4bbb-8ccc-000000000002`");
    await expect(golden).toMatchFileSnapshot("golden/server-detail-disks.json");

    // Nova's details (what `/ecs show` reads by ID) carry only the IDs: those are listed, nothing is guessed.
    const bare = JSON.stringify(render(buildServerDetailView({ server: makeServer(6) })).kit);
    expect(bare).toContain("*Disks* (1 attached)\\n• volume ID `vol-1`");
    expect(bare).not.toMatch(/system disk|data disk/);

    // Many disks: the first 20, then a count; a hostile ID stays harmless.
    const many = Array.from({ length: 23 }, (_, i) => `vol-${i} <!channel> *x*`);
    const crowded = render(buildServerDetailView({ server: makeServer(6, { volumeIds: many }) })).kit;
    expectHarmless(crowded);
    expect(JSON.stringify(crowded)).toContain("… and 3 more");
  });

  it("every hostile name is harmless as a header", () => {
    for (const name of HOSTILE_NAMES)
      expectHarmless(render(buildServerDetailView({ server: makeServer(1, { name }) })).kit);
  });

  it("HSS status and the power actions offered to the viewer, each with a confirm naming the server", async () => {
    const server = makeServer(1, { status: "ACTIVE" });
    const { kit, golden } = render(
      buildServerDetailView({
        server,
        hss: makeHost(1, { hostId: server.id, agentStatus: "online", protectStatus: "opened" }),
        offer: { token: "pend1", actions: ["stop", "reboot"] },
        controls: { token: "tok" },
      }),
    );
    expect(interactiveElements(kit)).toEqual([
      { action_id: "q.act.stop", type: "button", value: "pend1:stop" },
      { action_id: "q.act.reboot", type: "button", value: "pend1:reboot" },
      { action_id: "q.share", type: "button", value: "1:tok" },
    ]);
    const text = JSON.stringify(kit);
    expect(text).toContain("agent :large_green_circle: online");
    expect(text).toContain("protection");
    expect(text).toContain("Stop `ecs-prod-00001` (`3f1c0001…`)?");
    await expect(golden).toMatchFileSnapshot("golden/server-detail-actions.json");
  });

  it("a server HSS does not know, or HSS unreadable, says so; a shared copy offers nothing", () => {
    const server = makeServer(2, { status: "SHUTOFF" });
    const unknown = JSON.stringify(render(buildServerDetailView({ server, hss: null })).kit);
    expect(unknown).toContain("not known to HSS");
    const down = JSON.stringify(render(buildServerDetailView({ server, hss: "unavailable" })).kit);
    expect(down).toContain("could not be read just now");
    const shared = render(
      buildServerDetailView({ server, offer: { token: "p", actions: ["start"] }, sharedBy: "U012ALICE" }),
    ).kit;
    expect(interactiveElements(shared)).toEqual([]);
  });

  it("a hostile name is shown exactly as it can be typed back, in the confirm too", async () => {
    const name = "*bold* _x_ `tick` <b>&";
    const server = makeServer(3, { name, status: "SHUTOFF" });
    const { kit, golden } = render(
      buildServerDetailView({ server, hss: null, offer: { token: "p", actions: ["start"] } }),
    );
    expectHarmless(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("`*bold* _x_ `<!date^0^{_}|`>`tick`<!date^0^{_}|`>` &lt;b&gt;&amp;`");
    expect(text).not.toMatch(/[∗ˍˋ∼]/);
    await expect(golden).toMatchFileSnapshot("golden/server-detail-hostile-actions.json");
  });
});
