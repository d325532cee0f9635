/**
 * The lists of issue 11 §2 end to end over signed Slack requests, the fake Slack, the simulated cloud and the
 * shipped policy: `/ecs list` with the env tag and names shown as they can be typed back (hostile ones too),
 * `/ecs show` with HSS status and the power actions the policy lets the viewer request (a click runs the
 * command through the normal path), `/hss scan` without an ID, `/ops jobs` with thread links, `/ops audit` by
 * mention or member ID, and "Share in channel" replacing the private copy.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { findElement } from "../helpers/read-slack-blocks.js";
import { sendBlockAction } from "../helpers/slack-requests.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
let shipped: string;
const seen = new Map<string, number>();

beforeAll(async () => {
  h = await startOperationsHarness();
  const { readFile } = await import("node:fs/promises");
  shipped = await readFile("flows/policy.yml", "utf8");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  await h.policy.replace(shipped);
  h.sim.control.reset();
  for (const user of [IDS.alice, IDS.bob]) seen.set(user, h.fake.ephemerals({ user }).length);
});

/** The first ephemeral `user` received since the test started whose text includes `needle`. */
function ephemeral(needle: string, user: string = IDS.alice) {
  return h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user })
      .slice(seen.get(user) ?? 0)
      .find((e) => textOf(e).includes(needle)),
  );
}

function clickEphemeral(
  message: { ts: string; blocks?: unknown[] },
  actionId: string,
  user: string = IDS.alice,
) {
  const element = findElement(message.blocks, actionId);
  return sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({
      user,
      channel: IDS.ops,
      message,
      isEphemeral: true,
      actions: [{ actionId, ...(element?.value !== undefined && { value: element.value }) }],
    }),
  );
}

function actionIds(message: { blocks?: unknown[] }): string[] {
  return (JSON.stringify(message.blocks ?? []).match(/"action_id":"([^"]+)"/g) ?? []).map((m) =>
    m.slice(13, -1),
  );
}

const BACKTICK = "<!date^0^{_}|`>";

it("/ecs list shows each server's env tag, and names exactly as they can be typed back", async () => {
  h.sim.control.addServer({ name: "_canary_", status: "ACTIVE", tags: { env: "qa" } });
  h.sim.control.addServer({ name: "*bold* _x_", status: "ACTIVE", tags: { env: "qa" } });
  h.sim.control.addServer({ name: "a`b<c>&d", status: "SHUTOFF", tags: { env: "qa" } });
  await h.command("list tag:env=qa");
  const list = textOf(await ephemeral("ECS servers"));
  expect(list).toContain("`env=qa`");
  expect(list).toContain("*`_canary_`*");
  expect(list).toContain("*`*bold* _x_`*");
  // Slack's own escaping (entities) in a code span; the backtick as an unformattable date's plain fallback.
  expect(list).toContain(`*\`a\`${BACKTICK}\`b&lt;c&gt;&amp;d\`*`);
  // Never look-alike characters.
  expect(list).not.toMatch(/[∗ˍˋ∼]/);

  // What the list showed is what the operator types back: `_canary_` resolves to that server.
  await h.command("show _canary_");
  const shown = textOf(await ephemeral("Availability zone"));
  expect(shown).toContain(h.serverId("_canary_"));
});

it("/ecs show shows HSS agent and protection and offers the power actions that fit the state", async () => {
  h.sim.control.addServer({
    name: "app-31",
    status: "ACTIVE",
    tags: { env: "dev" },
    host: { agentStatus: "online", protectStatus: "opened" },
  });
  h.sim.control.addServer({ name: "app-32", status: "SHUTOFF", tags: { env: "dev" } });
  await h.command("show app-31");
  const active = await ephemeral("app-31");
  expect(textOf(active)).toContain("agent :large_green_circle: online");
  expect(textOf(active)).toMatch(/protection .* on$/m);
  expect(actionIds(active)).toEqual(["q.act.stop", "q.act.reboot", "q.share"]);
  // Each action confirms with the server's name before anything is asked of the policy.
  expect(JSON.stringify(active.blocks)).toContain("Stop `app-31`");

  await h.command("show app-32");
  const stopped = await ephemeral("app-32");
  expect(textOf(stopped)).toContain("HSS");
  expect(actionIds(stopped)).toEqual(["q.act.start", "q.share"]);
});

it("an action the policy denies this viewer is not offered", async () => {
  await h.policy.replace(
    shipped.replace(
      "rules:\n",
      `rules:
  - id: held-servers
    description: Servers on hold are not rebooted.
    actions: [ecs:cloudServers:reboot]
    match:
      targets: { tags: { hold: "true" } }
    effect:
      deny: "This server is on hold."
`,
    ),
  );
  h.sim.control.addServer({ name: "app-33", status: "ACTIVE", tags: { env: "dev", hold: "true" } });
  await h.command("show app-33");
  const shown = await ephemeral("app-33");
  expect(actionIds(shown)).toEqual(["q.act.stop", "q.share"]);
});

it("a Stop click runs /ecs stop on exactly the shown server through the policy, once; not for someone else", async () => {
  h.sim.control.addServer({ name: "app-34", status: "ACTIVE", tags: { env: "dev" } });
  h.sim.control.addServer({ name: "app-34b", status: "ACTIVE", tags: { env: "dev" } });
  const id = h.serverId("app-34");
  await h.command("show app-34");
  const shown = await ephemeral("app-34");

  // Bob clicking Alice's copy changes nothing.
  expect((await clickEphemeral(shown, "q.act.stop", IDS.bob)).status).toBe(200);
  expect(textOf(await ephemeral("", IDS.bob))).not.toContain("Continuing");
  await h.ops.idle();
  expect(h.mutations()).toEqual([]);

  expect((await clickEphemeral(shown, "q.act.stop")).status).toBe(200);
  // Soft stop is allowed by the shipped policy: the normal path announces it in the channel and runs it.
  // The private copy says what was chosen; the command continues on the normal path.
  await ephemeral("Chosen: Stop");
  const card = await h.waitCard("stop* app-34", (t) => t.includes("Done"));
  expect(textOf(card)).toContain(`<@${IDS.alice}>`);
  await h.ops.idle();
  const stops = h.mutations("batchStopServers");
  expect(stops).toHaveLength(1);
  expect(stops[0]?.mutation?.serverIds).toEqual([id]);
  expect(h.sim.control.server("app-34")?.status).toBe("SHUTOFF");

  // A second click on the same copy does not run it again.
  await clickEphemeral(shown, "q.act.stop");
  await ephemeral("Run the command again");
  await h.ops.idle();
  expect(h.mutations("batchStopServers")).toHaveLength(1);
});

it("the policy decides again at the click: an action denied since the show is refused and not run", async () => {
  h.sim.control.addServer({ name: "app-35", status: "ACTIVE", tags: { env: "dev" } });
  await h.command("show app-35");
  const shown = await ephemeral("app-35");
  expect(actionIds(shown)).toContain("q.act.reboot");
  await h.policy.replace(
    shipped.replace(
      "rules:\n",
      `rules:
  - id: no-reboots
    description: No reboots today.
    actions: [ecs:cloudServers:reboot]
    effect:
      deny: "No reboots today."
`,
    ),
  );
  await clickEphemeral(shown, "q.act.reboot");
  await ephemeral("No reboots today");
  await h.ops.idle();
  expect(h.mutations()).toEqual([]);
});

it("/hss scan without an ID lists the recent scan tasks, newest first", async () => {
  const now = Date.now();
  h.sim.control.addScanTask({
    id: "task-old-0001",
    status: "finished",
    startTime: now - 86_400_000,
    hosts: [],
  });
  h.sim.control.addScanTask({ id: "task-new-0002", status: "running", startTime: now - 60_000, hosts: [] });
  await h.command("scan", { command: "/hss" });
  const text = textOf(await ephemeral("Vulnerability scans"));
  expect(text).toContain("`task-new-0002`");
  expect(text.indexOf("task-new-0002")).toBeLessThan(text.indexOf("task-old-0001"));
  expect(text).toContain("/hss scan &lt;task_id&gt;");
  // A host status filter without a task is refused with what to do.
  await h.command("scan status=failed", { command: "/hss" });
  expect(textOf(await ephemeral("give its ID"))).toContain("/hss scan");
});

it("/ops jobs links each run to its thread", async () => {
  h.sim.control.addServer({ name: "app-36", status: "ACTIVE", tags: { env: "dev" } });
  await h.command("stop app-36");
  const card = await h.waitCard("/ecs stop app-36", (t) => t.includes("Done"));
  await h.ops.idle();
  await h.command("jobs", { command: "/ops" });
  const jobs = textOf(await ephemeral("Recent"));
  expect(jobs).toContain("`app-36`");
  const permalink = `/archives/${IDS.ops}/p${card.ts.replace(".", "")}`;
  expect(jobs).toMatch(new RegExp(`<https://[^|>]*${permalink.replace(/[/.]/g, "\\$&")}\\|Open the thread>`));
});

it("/ops audit takes a user as a mention (with or without the name) or as a bare member ID", async () => {
  h.sim.control.addServer({ name: "app-37", status: "ACTIVE", tags: { env: "dev" } });
  await h.command("stop app-37", { user: IDS.bob });
  await h.waitCard("/ecs stop app-37", (t) => t.includes("Done"));
  await h.ops.idle();
  for (const who of [`<@${IDS.bob}|bob>`, `<@${IDS.bob}>`, IDS.bob, `@${IDS.bob}`]) {
    seen.set(IDS.alice, h.fake.ephemerals({ user: IDS.alice }).length);
    await h.command(`audit ${who}`, { command: "/ops" });
    const text = textOf(await ephemeral("Audit"));
    expect(text).toContain(`<@${IDS.bob}>`);
    expect(text).toContain("app-37");
  }
});

it("Share in channel posts the shared copy and deletes the private one", async () => {
  h.sim.control.addServer({ name: "app-38", status: "ACTIVE", tags: { env: "shared" } });
  await h.command("list tag:env=shared");
  const mine = await ephemeral("app-38");
  expect((await clickEphemeral(mine, "q.share")).status).toBe(200);
  const posted = await h.fake.waitFor(() => h.latest("Shared by"));
  expect(textOf(posted)).toContain("app-38");
  // Deleted through the click's response_url (`delete_original`), as Slack removes an ephemeral.
  await h.fake.waitFor(() =>
    h.fake.ephemerals({ user: IDS.alice }).find((e) => e.ts === mine.ts && e.deleted === true),
  );
  expect(h.fake.responses().filter((r) => r.effect.kind === "deleted_ephemeral")).toHaveLength(1);
});
