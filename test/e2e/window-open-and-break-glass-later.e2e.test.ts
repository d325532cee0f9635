/**
 * Over signed Slack requests, on the harness clock: `--window` asked while that window is open is this opening
 * (the change runs once approved, before the window closes; allowed outright, at once), and `--break-glass`
 * with `--at` / `--window` is refused before anything is requested (break-glass acts now; a change for later
 * asks for approval).
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { testCalendarsYaml } from "../helpers/test-calendars.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
const REASON = "web tier down, INC-4711 rollback";

let h: OperationsHarness;
let shipped: string;
beforeAll(async () => {
  h = await startOperationsHarness();
  shipped = await readFile("flows/policy.yml", "utf8");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
  await h.setUserGroupMembers("sre", [IDS.alice]);
  // The window `maint` opened 10 minutes ago and closes in two hours, once: it has no next opening. Break-glass
  // is on for @sre, so that only the schedule can refuse it.
  await h.policy.replace(`${shipped
    .replace(/^# break_glass:[\s\S]*?(?=^\S)/m, "")
    .replace(/^calendars:\n/m, testCalendarsYaml(h.clock.now(), [100_000, 100_010], [-10, 120]))}
break_glass:
  groups: [sre]
  alert_channel: ${IDS.prod}
`);
});

function ephemeral(needle: string, from: number): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(from)
      .find((t) => t.includes(needle) || t.includes("was not requested")),
  );
}

it("--window while the window is open: this opening, run once approved", async () => {
  const from = h.ephemeralTexts(IDS.alice).length;
  await h.command("reboot web-03 --hard --window maint");
  const notice = await ephemeral("is open now", from);
  expect(notice).toContain("Your change needs 1 approval: the maintenance window `maint` is open now, until");
  expect(notice).toContain("it runs once approved, if that is before");
  const card = await h.waitCard("/ecs reboot web-03 --hard --window maint", (t) => t.includes("0 of 1"));
  expect(textOf(card)).toContain("Runs once approved, in the maintenance window `maint`, open since");

  h.clock.advance(5 * 60_000);
  expect((await h.click(card, APPROVE, IDS.bob)).status).toBe(200);
  await h.ops.idle();
  // The periodic pass starts it; the execution gate finds it approved in time, in its window.
  await h.ops.runScheduled();
  await h.ops.idle();
  await h.waitCard("/ecs reboot web-03 --hard --window maint", (t) => t.includes("Done"));
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
});

it("--window while the window is open, allowed outright: it starts at once", async () => {
  const from = h.ephemeralTexts(IDS.alice).length;
  await h.command("stop web-04 --window maint");
  expect(await ephemeral("is open now", from)).toContain("so your change starts now");
  await h.ops.runScheduled();
  await h.ops.idle();
  await h.waitCard("/ecs stop web-04 --window maint", (t) => t.includes("Done"));
  expect(h.mutations("batchStopServers")).toHaveLength(1);
});

it("--break-glass with --window or --at is refused: nothing requested, no alert, no use to review", async () => {
  const created = (await h.audit.query({ type: "request.created", limit: 50 })).length;
  const reboots = h.mutations("batchRebootServers").length;
  for (const schedule of ["--window maint", "--at 23:30"]) {
    const from = h.ephemeralTexts(IDS.alice).length;
    await h.command(`reboot web-04 --hard ${schedule} --break-glass "${REASON}"`);
    const answer = await h.fake.waitFor(() =>
      h
        .ephemeralTexts(IDS.alice)
        .slice(from)
        .find((t) => t.includes("break-glass") || t.includes("Break-glass")),
    );
    expect(answer).toContain("`--break-glass` acts now, without approval, in an emergency");
    expect(answer).toContain(`drop \`${schedule.split(" ")[0]}\` to act now`);
  }
  await h.ops.idle();
  expect(h.fake.messages(IDS.prod).filter((m) => m.user === IDS.bot)).toHaveLength(0);
  expect(await h.audit.query({ type: "break_glass.used", limit: 5 })).toHaveLength(0);
  expect(await h.audit.query({ type: "request.created", limit: 50 })).toHaveLength(created);
  expect(h.mutations("batchRebootServers")).toHaveLength(reboots);
});
