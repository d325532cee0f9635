import { describe, expect, it } from "vitest";
import { correlateServerActions } from "../../src/commands/read/correlate-server-actions.js";
import { buildConsoleLogView } from "../../src/views/build-console-log-view.js";
import { buildQuotasView } from "../../src/views/build-quotas-view.js";
import { buildServerActionsView } from "../../src/views/build-server-actions-view.js";
import { buildServerGroupListView, buildServerGroupView } from "../../src/views/build-server-group-views.js";
import {
  buildSecurityGroupsView,
  buildServerNicsView,
  describeRule,
} from "../../src/views/build-server-network-views.js";
import { buildProjectTagsView, buildServerTagsView } from "../../src/views/build-server-tags-view.js";
import { HOSTILE_NAMES, makeServer } from "./fixtures.js";
import { expectHarmless, interactiveElements, render } from "./view-test-helpers.js";

const server = makeServer(1, { name: "web-01" });

describe("operator's-day views", () => {
  it("a server's tags, sorted, with how many more it may have", async () => {
    const { kit, golden } = render(
      buildServerTagsView({
        server,
        tags: [
          { key: "team", value: "core" },
          { key: "env", value: "prod" },
          { key: "flag", value: "" },
        ],
        controls: { token: "t" },
      }),
    );
    expect(JSON.stringify(kit)).toContain("3 tags of at most 10");
    await expect(golden).toMatchFileSnapshot("golden/server-tags.json");
  });

  it("the project's tag keys with their values", async () => {
    const { golden } = render(
      buildProjectTagsView({
        tags: [
          { key: "env", values: ["prod", "dev", "staging"] },
          { key: "team", values: ["core"] },
        ],
        total: 2,
        page: 1,
        controls: { token: "t" },
      }),
    );
    await expect(golden).toMatchFileSnapshot("golden/project-tags.json");
  });

  it("a console log: no buttons, hostile lines defused, the newest lines kept when it does not fit", async () => {
    const { kit, golden } = render(
      buildConsoleLogView({
        server,
        lines: ["[  OK  ] Started sshd", ...HOSTILE_NAMES, "```", "login:"],
        requested: 50,
      }),
    );
    expect(interactiveElements(kit)).toEqual([]);
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/console-log.json");

    const long = Array.from({ length: 200 }, (_, i) => `line ${i + 1} ${"x".repeat(80)}`);
    const big = render(buildConsoleLogView({ server, lines: long, requested: 200 })).kit;
    const text = JSON.stringify(big);
    expect(text).toContain("line 200 ");
    expect(text).not.toContain("line 1 x");
    expect(text).toMatch(/The last \d+ of 200 lines \(all that fit in one message\)/);
  });

  it("quotas: used of the limit, unlimited ones said so", async () => {
    const { kit, golden } = render(
      buildQuotasView({
        quotas: {
          maxTotalInstances: 2048,
          totalInstancesUsed: 12,
          maxTotalCores: 20_480,
          totalCoresUsed: 40,
          maxTotalRAMSize: 25_165_824,
          totalRAMUsed: 112_640,
          maxTotalKeypairs: -1,
          maxSecurityGroups: 10,
          totalSecurityGroupsUsed: 4,
        },
        controls: { token: "t" },
      }),
    );
    const text = JSON.stringify(kit);
    expect(text).toContain("40 of 20,480 (0.2%)");
    expect(text).toContain("(no limit)");
    await expect(golden).toMatchFileSnapshot("golden/quotas.json");
  });

  it("NICs and security groups", async () => {
    await expect(
      render(
        buildServerNicsView({
          server,
          nics: [
            {
              portId: "7a1b2c3d-0000-4000-8000-000000000001",
              portState: "ACTIVE",
              netId: "net-1",
              macAddr: "fa:16:3e:00:00:01",
              fixedIps: [{ ipAddress: "192.168.0.10", subnetId: "subnet-1" }],
            },
          ],
        }),
      ).golden,
    ).toMatchFileSnapshot("golden/server-nics.json");
    const rules = [
      { id: "r1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidr: "0.0.0.0/0" },
      { id: "r2", ipProtocol: "tcp", fromPort: 8000, toPort: 8080, remoteGroup: "sg-web" },
      { id: "r3", ipProtocol: "icmp", fromPort: -1, toPort: -1, cidr: "192.168.0.0/16" },
      { id: "r4" },
    ];
    expect(rules.map(describeRule)).toEqual([
      "tcp 443 from 0.0.0.0/0",
      "tcp 8000-8080 from group sg-web",
      "icmp from 192.168.0.0/16",
      "any from anywhere",
    ]);
    const { kit, golden } = render(
      buildSecurityGroupsView({
        server,
        groups: [{ id: "sg-1", name: HOSTILE_NAMES[0]!, description: HOSTILE_NAMES[2]!, rules }],
      }),
    );
    expectHarmless(kit);
    expect(JSON.stringify(kit)).toContain("some rules allow traffic from anywhere");
    await expect(golden).toMatchFileSnapshot("golden/security-groups.json");
  });

  it("ECS groups, and one with its members (one that could not be read said so)", async () => {
    const group = {
      id: "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
      name: "SvrGrp-db",
      policies: ["anti-affinity"],
      members: [server.id, "0000dead-0000-4000-8000-000000000000"],
      metadata: {},
    };
    await expect(
      render(buildServerGroupListView({ groups: [group], total: 1, page: 1, controls: { token: "t" } }))
        .golden,
    ).toMatchFileSnapshot("golden/server-groups.json");
    const { kit, golden } = render(buildServerGroupView({ group, members: new Map([[server.id, server]]) }));
    expect(JSON.stringify(kit)).toContain("could not be read");
    await expect(golden).toMatchFileSnapshot("golden/server-group.json");
  });

  it("a server's history: the cloud's record, each operation through the bot or not, and the bot's calls it lacks", async () => {
    const at = Date.parse("2024-05-22T07:48:53Z");
    const { rows, botOnly } = correlateServerActions(
      [
        { action: "lock", requestId: "req-3", startTime: "2024-05-22T09:00:00.000000" },
        { action: "stop", requestId: "req-2", startTime: "2024-05-22T07:48:55.000000", message: "Error" },
        { action: "create", requestId: "req-1", startTime: "2023-01-01T00:00:00.000000" },
      ],
      [
        { at, call: "ecs.batch_stop", requestId: "apr_stop", requesterId: "U0ALICE", type: "HARD" },
        { at: at + 60_000, call: "ecs.add_tags", requestId: "apr_tags", requesterId: "U0ALICE" },
        // A stop long before: not the one the cloud recorded.
        { at: at - 86_400_000, call: "ecs.batch_stop", requestId: "apr_old" },
      ],
    );
    expect(rows.map((r) => r.via?.requestId)).toEqual([undefined, "apr_stop", undefined]);
    expect(botOnly.map((c) => c.requestId)).toEqual(["apr_tags", "apr_old"]);
    const { kit, golden } = render(
      buildServerActionsView({ server, rows, botOnly, controls: { token: "t" } }),
    );
    const text = JSON.stringify(kit);
    expect(text).toContain("3 operations in the cloud's record, 1 through the bot, 2 not");
    // The stop failed: said as its outcome with the cloud's reason, and as hard; never as a server status.
    expect(text).toContain(":x: *stop (hard)* · FAILED — 2024-05-22 07:48 UTC · the cloud's reason: Error");
    expect(text).not.toContain("· ERROR");
    await expect(golden).toMatchFileSnapshot("golden/server-actions.json");
  });
});
