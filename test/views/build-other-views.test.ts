import { describe, expect, it } from "vitest";
import { helpFor, parseIntent } from "../../src/intents/index.js";
import { buildAmbiguityView } from "../../src/views/build-ambiguity-view.js";
import { buildCloudErrorView, buildInternalErrorView } from "../../src/views/build-cloud-error-view.js";
import { buildDeliveryErrorView } from "../../src/views/build-delivery-error-view.js";
import { buildFlavorListView } from "../../src/views/build-flavor-list-view.js";
import { buildHelpView } from "../../src/views/build-help-view.js";
import { buildHssHostListView, countHosts } from "../../src/views/build-hss-host-list-view.js";
import { buildJobView } from "../../src/views/build-job-view.js";
import { buildNotEnabledView } from "../../src/views/build-notice-view.js";
import { buildOpenPortListView, isDangerous, sortPorts } from "../../src/views/build-open-port-list-view.js";
import { buildParseErrorView } from "../../src/views/build-parse-error-view.js";
import { buildResolutionErrorView } from "../../src/views/build-resolution-error-view.js";
import { buildScanTaskView } from "../../src/views/build-scan-task-view.js";
import { collectPlainText } from "../render/block-kit-test-helpers.js";
import { HOSTILE_NAMES, JOB, makeFlavor, makeHost, makeServer, PORTS, SCAN_HOSTS } from "./fixtures.js";
import { expectHarmless, interactiveElements, render } from "./view-test-helpers.js";

describe("read-only views", () => {
  it("flavors", async () => {
    const flavors = [
      makeFlavor("s6.small.1", 1, 1024),
      makeFlavor("s6.large.2", 2, 8192, { operationStatus: "sellout", operationAz: "cn-north-4a(sellout)" }),
      makeFlavor("c7.xlarge.2", 4, 8192, { performanceType: "computingv3" }),
    ];
    const { golden } = render(
      buildFlavorListView({
        flavors,
        total: 3,
        page: 1,
        query: { az: "cn-north-4a", minVcpus: 1 },
        controls: { token: "t" },
      }),
    );
    await expect(golden).toMatchFileSnapshot("golden/flavors.json");
  });

  it("a job with a failed sub-job shows the reason", async () => {
    const { kit, golden } = render(buildJobView({ job: JOB }));
    expect(JSON.stringify(kit)).toContain("The server is not ACTIVE.");
    await expect(golden).toMatchFileSnapshot("golden/job-failed.json");
  });

  it("HSS hosts: agent, protection, risk counts and totals", async () => {
    const hosts = Array.from({ length: 6 }, (_, i) => makeHost(i + 1));
    const { kit, golden } = render(
      buildHssHostListView({
        hosts,
        total: hosts.length,
        page: 1,
        filters: { risk: false },
        counts: countHosts(hosts),
        controls: { token: "t" },
      }),
    );
    const text = JSON.stringify(kit);
    expect(text).toContain("vuln 3 · baseline 1 · intrusion 0");
    expect(text).toContain("3 with risks");
    await expect(golden).toMatchFileSnapshot("golden/hss-hosts.json");
  });

  it("open ports: dangerous first, flagged with port/protocol, process path and PID", async () => {
    const ports = sortPorts(PORTS);
    expect(ports.map((p) => p.port)).toEqual([23, 6379, 22, 123, 443]);
    const { kit, golden } = render(
      buildOpenPortListView({
        server: { id: "3f1c0001-9a2b-4c7d-8e1f-0b2a3c4d5e6f", name: "web-01" },
        ports,
        total: ports.length,
        dangerous: ports.filter(isDangerous).length,
        page: 1,
        dangerOnly: false,
        controls: { token: "t" },
      }),
    );
    const section = kit.blocks.find((b) => b.type === "section" && JSON.stringify(b).includes("6379"));
    const lines = JSON.stringify(section).split("\\n");
    const redis = lines.findIndex((l) => l.includes("6379/TCP"));
    expect(lines[redis]).toContain(":rotating_light:");
    expect(lines[redis]).toContain("*dangerous*");
    expect(lines[redis + 1]).toContain("`/usr/bin/redis-server`");
    expect(lines[redis + 1]).toContain("PID: 1444");
    expect(JSON.stringify(kit)).toContain("2 dangerous");
    await expect(golden).toMatchFileSnapshot("golden/open-ports.json");
  });

  it("scan task hosts with failure reasons", async () => {
    const { golden } = render(
      buildScanTaskView({
        taskId: "task-001",
        hosts: SCAN_HOSTS,
        total: 3,
        page: 1,
        counts: { success: 1, failed: 1, scanning: 1 },
      }),
    );
    await expect(golden).toMatchFileSnapshot("golden/scan-task.json");
  });

  it("help for a verb and for a command", async () => {
    await expect(render(buildHelpView(helpFor({ command: "ecs", verb: "stop" }))).golden).toMatchFileSnapshot(
      "golden/help-ecs-stop.json",
    );
    await expect(render(buildHelpView(helpFor({ command: "ops" }))).golden).toMatchFileSnapshot(
      "golden/help-ops.json",
    );
    await expect(render(buildHelpView(helpFor({ command: "ecs" }))).golden).toMatchFileSnapshot(
      "golden/help-ecs.json",
    );
    await expect(render(buildHelpView(helpFor({ command: "ecs", all: true }))).golden).toMatchFileSnapshot(
      "golden/help-ecs-all.json",
    );
  });

  it("a parse error with suggestion and usage", async () => {
    const parsed = parseIntent("/ecs", "stop web-01 --hrad");
    if (parsed.ok) throw new Error("expected a parse error");
    const { kit, golden } = render(buildParseErrorView(parsed.error));
    expect(JSON.stringify(kit)).toContain("`--hard`");
    await expect(golden).toMatchFileSnapshot("golden/parse-error.json");
  });

  it("an unknown verb close to one: the corrected command and where the help is, no usage", async () => {
    const parsed = parseIntent("/ecs", "stpo web-01");
    if (parsed.ok) throw new Error("expected a parse error");
    const { kit, golden } = render(buildParseErrorView(parsed.error));
    expect(JSON.stringify(kit)).toContain("`/ecs stop web-01`");
    await expect(golden).toMatchFileSnapshot("golden/parse-error-unknown-verb.json");
  });

  it("ambiguity: a select of the candidates with token:ID values, plus their details", async () => {
    const candidates = [
      makeServer(1, { name: "dup-01", availabilityZone: "cn-north-4a" }),
      makeServer(2, { name: "dup-01", availabilityZone: "cn-north-4b" }),
    ];
    const { kit, golden } = render(
      buildAmbiguityView({
        target: { kind: "name", name: "dup-01" },
        rule: "name",
        candidates,
        token: "pick01",
        commandLabel: "/ecs show",
        mutating: false,
      }),
    );
    const [menu] = interactiveElements(kit);
    expect(menu).toMatchObject({ action_id: "pick.server", type: "static_select" });
    const options = JSON.stringify(kit.blocks).match(/"value":"pick01:[^"]+"/g);
    expect(options).toEqual(candidates.map((c) => `"value":"pick01:${c.id}"`));
    await expect(golden).toMatchFileSnapshot("golden/ambiguity.json");
  });

  it("ambiguity with hostile names: option labels are plain text and harmless", () => {
    const candidates = HOSTILE_NAMES.map((name, i) => makeServer(i, { name }));
    const { kit } = render(
      buildAmbiguityView({
        target: { kind: "name", name: "x" },
        rule: "prefix",
        candidates,
        token: "t",
        commandLabel: "/ecs stop",
        mutating: true,
      }),
    );
    expectHarmless(kit);
    expect(collectPlainText(kit).some((t) => t.includes("<!channel>"))).toBe(true);
  });

  it("not found with suggestions, tag with no match, empty selector", async () => {
    const { golden } = render(
      buildResolutionErrorView([
        { kind: "not_found", target: { kind: "name", name: "web-1" }, suggestions: ["web-01", "web-02"] },
        { kind: "not_found", target: { kind: "ip", ip: "10.9.9.9", version: 4 }, suggestions: [] },
        { kind: "no_match", target: { kind: "tag", key: "env", value: "prd" } },
        { kind: "invalid", target: { kind: "tag", key: "env", value: " " }, reason: "empty_tag_selector" },
      ]),
    );
    await expect(golden).toMatchFileSnapshot("golden/not-found.json");
  });

  it("a near miss of a command that changes servers: the exact names as buttons, hostile names harmless", async () => {
    const names = ["web-10", "web-11", ...HOSTILE_NAMES.slice(0, 3)];
    const { kit, golden } = render(
      buildResolutionErrorView(
        [{ kind: "not_found", target: { kind: "name", name: "web-1" }, suggestions: names }],
        { target: { kind: "name", name: "web-1" }, names, token: "tok", commandLabel: "/ecs stop" },
      ),
    );
    expectHarmless(kit);
    expect(interactiveElements(kit).map((e) => [e.action_id, e.value])).toEqual(
      names.map((_, i) => [`pick.name.${i}`, `tok:${i}`]),
    );
    await expect(golden).toMatchFileSnapshot("golden/not-found-offer.json");
  });

  it("a short server ID (as cards print them): asks for the whole ID, names the servers whose ID starts so", async () => {
    const web01 = { id: "d704b694-9efd-4a74-920f-e8cf2caf37eb", name: "web-01" };
    const web02 = { id: "d704b694-1111-4a74-920f-e8cf2caf37eb", name: HOSTILE_NAMES[0]! };
    const short = { kind: "name", name: "d704b694" } as const;
    const read = render(
      buildResolutionErrorView([
        { kind: "not_found", target: short, suggestions: ["web-01"], idStart: [web01] },
        { kind: "not_found", target: { kind: "name", name: "deadbeef" }, suggestions: [], idStart: [] },
      ]),
    );
    expectHarmless(read.kit);
    expect(interactiveElements(read.kit)).toEqual([]);
    await expect(read.golden).toMatchFileSnapshot("golden/not-found-short-id.json");
    const names = [web01.name, web02.name];
    const offer = render(
      buildResolutionErrorView(
        [{ kind: "not_found", target: short, suggestions: names, idStart: [web01, web02] }],
        { target: short, names, token: "tok", commandLabel: "/ecs stop" },
      ),
    );
    expectHarmless(offer.kit);
    expect(interactiveElements(offer.kit).map((e) => e.value)).toEqual(["tok:0", "tok:1"]);
    await expect(offer.golden).toMatchFileSnapshot("golden/not-found-short-id-offer.json");
    const more = render(
      buildResolutionErrorView([
        { kind: "not_found", target: short, suggestions: ["web-01"], idStart: [web01], idStartMore: 3 },
      ]),
    );
    expect(JSON.stringify(more.kit.blocks)).toContain("and of 3 more servers: give more of the ID.");
  });

  it("errors: cloud (code + request ID), internal (reference), delivery, not enabled", async () => {
    const cloud = render(
      buildCloudErrorView({
        status: 500,
        code: "Ecs.1000",
        message: "<!channel> internal",
        requestId: "req-123",
      }),
    );
    expectHarmless(cloud.kit);
    expect(JSON.stringify(cloud.kit)).toMatch(/Ecs\.1000[\s\S]*req-123/);
    await expect(cloud.golden).toMatchFileSnapshot("golden/error-cloud.json");
    await expect(render(buildInternalErrorView("ab12cd34")).golden).toMatchFileSnapshot(
      "golden/error-internal.json",
    );
    // The bot named by its user ID (auth.test at start): a mention outside the code span, which Slack renders.
    const delivery = render(buildDeliveryErrorView({ code: "not_in_channel", botUserId: "U_BOT" }));
    expect(JSON.stringify(delivery.kit)).toContain("Invite me with `/invite` <@U_BOT> and try again.");
    await expect(delivery.golden).toMatchFileSnapshot("golden/delivery-not-in-channel.json");
    // Not known (a failure before auth.test): the app's manifest name, inside the command.
    const unnamed = render(buildDeliveryErrorView({ code: "channel_not_found" }));
    expect(JSON.stringify(unnamed.kit)).toContain("invite me with `/invite @hwc-chatops`;");
    await expect(unnamed.golden).toMatchFileSnapshot("golden/delivery-channel-not-found-unnamed.json");
    await expect(render(buildNotEnabledView("/ecs stop")).golden).toMatchFileSnapshot(
      "golden/not-enabled.json",
    );
  });
});
