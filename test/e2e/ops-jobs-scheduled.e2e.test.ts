/**
 * `/ops jobs` lists the approved changes waiting for their time, for anyone (a change manager declaring a
 * freeze asks "what runs tonight?"), end to end over signed Slack requests, the fake Slack, the simulated cloud
 * and the shipped policy: when, what, who asked and who approved; gone once it runs or is cancelled; soonest
 * first, the soonest few listed and the rest counted. `/ops approvals` counts a scheduled change as such.
 * Time only moves through the injected clock.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { IDS, type OperationsHarness, startOperationsHarness } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
const CANCEL = "ops.approval.cancel";
const MINUTE = 60_000;

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
});

/** The first answer `user` gets to `/ops <text>`. */
async function ask(user: string, text: string): Promise<string> {
  const n = h.ephemeralTexts(user).length;
  await h.command(text, { command: "/ops", user });
  return h.fake.waitFor(() => h.ephemeralTexts(user).slice(n)[0]);
}

/** `--at` that many minutes from the harness's now, as an exact UTC time (whole minutes). */
function atIn(minutes: number): { flag: string; at: number } {
  const at = Math.ceil((h.clock.now() + minutes * MINUTE) / MINUTE) * MINUTE;
  return { flag: `--at ${new Date(at).toISOString().slice(0, 16)}Z`, at };
}

/** The Slack date token of a moment, as the bot writes it. */
function dateToken(at: number): string {
  return `<!date^${String(Math.floor(at / 1000))}^`;
}

/** Alice asks for a hard reboot of `server` at `flag`; Bob approves it: it waits for its time. */
async function scheduleApproved(server: string, flag: string): Promise<FakeSlackMessage> {
  await h.command(`reboot ${server} --hard ${flag}`);
  const card = await h.waitCard(`/ecs reboot ${server} --hard ${flag}`, (t) => t.includes("0 of 1"));
  expect((await h.click(card, APPROVE, IDS.bob)).status).toBe(200);
  await h.ops.idle();
  return h.waitCard(`/ecs reboot ${server} --hard ${flag}`, (t) => t.includes("Scheduled:"));
}

/** The Scheduled section of `/ops jobs` (up to the Recent runs one). */
function scheduledPart(jobs: string): string {
  const start = jobs.indexOf("*Scheduled*");
  expect(start).toBeGreaterThanOrEqual(0);
  return jobs.slice(start, jobs.indexOf("*Recent runs*", start));
}

it("an approved change scheduled for tonight is in /ops jobs for anyone: when, what, who asked, who approved", async () => {
  const { flag, at } = atIn(6 * 60);
  const card = await scheduleApproved("web-03", flag);

  for (const viewer of [IDS.dave, IDS.alice]) {
    const jobs = await ask(viewer, "jobs");
    const part = scheduledPart(jobs);
    expect(part).toContain("*Scheduled* (1)");
    expect(part).toContain(`:calendar: ${dateToken(at)}`);
    expect(part).toContain(
      `|${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC>: reboot 1 server`,
    );
    expect(part).toContain("`web-03`");
    expect(part).toContain(`by <@${IDS.alice}>`);
    expect(part).toContain(`Approved by: <@${IDS.bob}>`);
    expect(part).toContain("forced (hard)");
    expect(part).toContain("Open the thread");
    expect(jobs).toContain("1 scheduled");
  }
  // Read-only there: Dave, who may not cancel, gets no button for it.
  const forDave = h.fake.ephemerals({ user: IDS.dave }).at(-1);
  expect(JSON.stringify(forDave?.blocks ?? [])).not.toContain(CANCEL);

  // Alice's /ops approvals counts it as what it is, not "0 of your requests pending".
  const approvals = await ask(IDS.alice, "approvals");
  expect(approvals).toContain("1 scheduled change you may cancel");
  expect(approvals).not.toContain("0 of your requests pending");

  // Cancelled by its requester: no longer scheduled, for anyone.
  expect((await h.click(card, CANCEL, IDS.alice)).status).toBe(200);
  await h.ops.idle();
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Cancelled"));
  const after = scheduledPart(await ask(IDS.dave, "jobs"));
  expect(after).toContain("*Scheduled* (0)");
  expect(after).not.toContain("web-03");
});

it("a scheduled change leaves the list once it runs: it is then a recent run", async () => {
  const { flag } = atIn(30);
  await scheduleApproved("web-04", flag);
  expect(scheduledPart(await ask(IDS.dave, "jobs"))).toContain("`web-04`");

  h.clock.advance(31 * MINUTE);
  await h.ops.runScheduled();
  await h.ops.idle();
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Done"));
  await h.ops.idle();
  const jobs = await ask(IDS.dave, "jobs");
  expect(scheduledPart(jobs)).toContain("*Scheduled* (0)");
  expect(scheduledPart(jobs)).not.toContain("web-04");
  expect(jobs.slice(jobs.indexOf("*Recent runs*"))).toContain("`web-04`");
});

it("soonest first, the soonest ten listed and the later ones counted", async () => {
  // Soft reboots of staging servers: the policy allows them, so each is approved (by the policy) as asked.
  const offsets = [300, 120, 660, 60, 540, 240, 720, 180, 480, 420, 360, 600];
  const asked: { server: string; at: number }[] = [];
  for (const [i, minutes] of offsets.entries()) {
    // Staging servers (a prod one would need an approval); one server may have several.
    const server = ["web-03", "web-04", "cache-02"][i % 3] ?? "web-03";
    const { flag, at } = atIn(minutes);
    await h.command(`reboot ${server} ${flag}`);
    await h.waitCard(`/ecs reboot ${server} ${flag}`, (t) => t.includes("Scheduled:"));
    asked.push({ server, at });
  }
  await h.ops.idle();
  const jobs = await ask(IDS.dave, "jobs");
  const part = scheduledPart(jobs);
  expect(part).toContain("*Scheduled* (12)");
  expect(jobs).toContain("12 scheduled");
  const soonest = [...asked].sort((a, b) => a.at - b.at);
  const positions = soonest.slice(0, 10).map(({ at }) => part.indexOf(dateToken(at)));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  for (const { at } of soonest.slice(10)) expect(part).not.toContain(dateToken(at));
  expect(part).toContain("…and 2 more (scheduled later than these)");
  expect(part).toContain("Approved by: the policy (no approval needed)");
});
