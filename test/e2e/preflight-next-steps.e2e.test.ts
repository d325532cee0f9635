/**
 * Over signed Slack requests: what a refused preflight says a server blocks it with, in words read at once, and
 * what to do next. A server in ERROR is said to be, with where to see its fault; a selection only some of whose
 * servers block it offers the same command naming the others (never run by the bot); a stop of a stopped server
 * is one line, nothing to do; `/ecs actions` tells a failed stop from a server status and says it was soft.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

function reply(user: string, needle: string): Promise<string> {
  return h.fake.waitFor(() => h.ephemeralTexts(user).findLast((t) => t.includes(needle)));
}
const sent = () => h.sim.control.requests().filter((r) => r.method !== "GET");

it("/ecs reboot of a server in ERROR: says it is in ERROR and what a reboot needs, and where to see its fault", async () => {
  h.sim.control.setServer(h.serverId("web-03"), { status: "ERROR" });
  await h.command("reboot web-03");
  const text = await reply(IDS.alice, "/ecs reboot web-03");
  expect(text).toContain("• web-03 is in ERROR: a reboot needs it running (ACTIVE)");
  expect(text).not.toContain("nothing to reboot");
  expect(text).toContain("`/ecs show web-03` shows its fault, `/ecs actions web-03` what was done to it.");
  expect(text).toContain("only when a reinstall or change of OS is what failed");
  expect(text).not.toContain("Fix the problems above");
  expect(text).not.toContain("can be rebooted");
  expect(sent()).toEqual([]);
});

it("/ecs reboot of a selection one server of which is in ERROR: offers the same command naming the others, and runs nothing", async () => {
  h.sim.control.setServer(h.serverId("web-03"), { status: "ERROR" });
  await h.command('reboot tag:env=staging --reason "INC-9001 checkout down"');
  const text = await reply(IDS.alice, "/ecs reboot tag:env=staging");
  expect(text).toContain("• web-03 is in ERROR: a reboot needs it running (ACTIVE)");
  // api-02 is stopped (left out of a reboot), web-03 blocks: web-04 and cache-02 can be rebooted.
  const offered =
    /2 of 4 servers can be rebooted: this names them and only them \(nothing runs until you send it\): `([^`]+)`/.exec(
      text,
    )?.[1];
  expect(offered).toBeDefined();
  expect(offered!.split(" ").slice(0, 2)).toEqual(["/ecs", "reboot"]);
  expect(offered!.split(" ").slice(2, 4).sort()).toEqual(["cache-02", "web-04"]);
  expect(offered).toMatch(/ --reason "INC-9001 checkout down"$/);
  expect(sent()).toEqual([]);

  // Sent as offered, it reboots exactly those two.
  await h.command(offered!.replace(/^\/ecs /, ""));
  await h.waitCard(offered!.replace(/ --reason .*$/, ""), (t) => t.includes("Done"));
  const rebooted = sent().flatMap((r) => r.mutation?.serverIds ?? []);
  expect(rebooted.sort()).toEqual([h.serverId("cache-02"), h.serverId("web-04")].sort());
});

it("/ecs stop of a server already stopped: one line, nothing to do; nothing requested", async () => {
  h.sim.control.setServer(h.serverId("web-04"), { status: "SHUTOFF" });
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command("stop web-04 --hard");
  const text = await reply(IDS.alice, "already stopped (SHUTOFF)");
  // Its notification text and its one block: the same line, and nothing else.
  expect(new Set(text.trim().split("\n"))).toEqual(
    new Set([":information_source: web-04 is already stopped (SHUTOFF): nothing to do."]),
  );
  expect(h.ephemeralTexts(IDS.alice).slice(before)).toHaveLength(1);
  expect(sent()).toEqual([]);
});

it("/ecs actions: a failed stop is said as failed with the cloud's reason, never as a server status, and as soft", async () => {
  h.sim.control.failNextJob({ serverIds: [h.serverId("web-04")], reason: "disk busy" });
  await h.command("stop web-04");
  await h.waitCard("/ecs stop web-04", (t) => /Failed|failed/.test(t));
  await h.ops.idle();
  await h.command("actions web-04");
  const text = await reply(IDS.alice, "Operations on web-04");
  expect(text).toContain(":x: *stop (soft)* · FAILED — ");
  expect(text).toContain("the cloud's reason: Error");
  expect(text).not.toMatch(/\*stop[^*]*\* · (ERROR|ACTIVE)/);
});
