/**
 * `/ops audit apr_…` tells a request's whole story from the policy decision it was asked under: that first
 * `policy.decided` entry names the request (its ID is taken before the decision is recorded), then its creation,
 * approval, the decision again just before it runs and the run; for a change scheduled with `--at` too, and
 * for a recurring schedule's creation. A dry run, which never becomes a request, names none. End to end:
 * signed Slack requests over HTTP, the simulated cloud, time through the harness clock.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/audit-entry.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const MINUTE = 60_000;
const APPROVE = "ops.approval.approve";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ sweepIntervalMs: 60 * MINUTE });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
});

const idOf = (card: FakeSlackMessage) =>
  /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks))?.[0] ?? "";

/** What Erin (an onlooker) reads in `/ops audit <args>`. */
async function auditView(args: string): Promise<string> {
  const before = h.fake.ephemerals({ user: IDS.erin }).length;
  await h.command(args, { command: "/ops", user: IDS.erin });
  return textOf(await h.fake.waitFor(() => h.fake.ephemerals({ user: IDS.erin }).slice(before).at(-1)));
}

/** The request's entries as the view lists them, oldest first (the view shows the newest first). */
async function storyOf(requestId: string): Promise<AuditRecord[]> {
  return (await h.audit.query({ requestId, limit: 100 })).reverse();
}

/** Where each entry type first appears in the view's text (newest first there), for order checks. */
function positions(text: string, types: readonly string[]): number[] {
  return types.map((type) => {
    const at = text.indexOf(`\`${type}\``);
    expect(at, `${type} in the audit view`).toBeGreaterThanOrEqual(0);
    return at;
  });
}

/** The story every approved change tells, oldest first. */
const APPROVED_RUN = [
  "policy.decided",
  "request.created",
  "approval.recorded",
  "request.approved",
  "policy.redecided",
  "execution.started",
  "execution.finished",
] as const;

async function expectWholeStory(requestId: string): Promise<void> {
  const story = await storyOf(requestId);
  const types = story.map((e) => e.type);
  expect(types[0]).toBe("policy.decided");
  for (const type of APPROVED_RUN) expect(types).toContain(type);
  // The first decision is the one the request was asked under: the reference its creation names too.
  const decided = story[0]!;
  const created = story.find((e) => e.type === "request.created")!;
  expect(decided).toMatchObject({ requestId, actorId: IDS.alice, decision: "needs_approval" });
  expect(decided.detail?.reference).toBeDefined();
  expect(decided.detail?.reference).toBe(created.detail?.reference);

  const text = await auditView(`audit ${requestId} 50`);
  expect(text).toContain(`Audit log* for \`${requestId}\``);
  // Newest first: the run's end at the top, the first decision at the bottom.
  const at = positions(text, APPROVED_RUN);
  expect([...at].sort((a, b) => b - a)).toEqual(at);
  expect(new Set(text.match(/apr_[A-Za-z0-9_-]{22,}/g))).toEqual(new Set([requestId]));
}

it("an approved change: its first policy decision, the approval, the decision again and the run", async () => {
  await h.command(`reboot web-04 --hard --reason "CHG-501"`);
  const card = await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("0 of 1"));
  const id = idOf(card);
  expect((await h.click(card, APPROVE, IDS.bob)).status).toBe(200);
  await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Done"));
  await h.ops.idle();

  await expectWholeStory(id);
});

it("a change scheduled with --at: the decision as of its time, then its approval and, at its time, the run", async () => {
  const at = Math.ceil((h.clock.now() + 30 * MINUTE) / MINUTE) * MINUTE;
  const flag = `--at ${new Date(at).toISOString().slice(0, 16)}Z`;
  await h.command(`reboot web-03 --hard ${flag}`);
  const card = await h.waitCard(`/ecs reboot web-03 --hard ${flag}`, (t) => t.includes("0 of 1"));
  const id = idOf(card);
  expect((await h.click(card, APPROVE, IDS.bob)).status).toBe(200);
  await h.ops.idle();
  await h.waitCard(`/ecs reboot web-03 --hard ${flag}`, (t) => t.includes("Scheduled:"));
  h.clock.advance(31 * MINUTE);
  await h.ops.runScheduled();
  await h.ops.idle();
  await h.waitCard(`/ecs reboot web-03 --hard ${flag}`, (t) => t.includes("Done"));
  await h.ops.idle();

  await expectWholeStory(id);
  const [decided] = await storyOf(id);
  expect(decided?.detail?.schedule).toMatchObject({ runAt: at });
});

it("a recurring schedule's creation request starts at the decision it was asked under", async () => {
  const command = "/ecs stop tag:team=audit-story";
  h.sim.control.addServer({ name: "story-1", status: "ACTIVE", tags: { team: "audit-story" } });
  await h.command(`schedule add "0 3 * * *" tz=UTC ${command}`, { command: "/ops" });
  const card = await h.waitCard(command, (t) => t.includes("Schedule needs approval"));
  const id = idOf(card);
  expect((await h.click(card, APPROVE, IDS.carol)).status).toBe(200);
  await h.waitCard(command, (t) => t.includes("Schedule active"));
  await h.ops.idle();

  const story = await storyOf(id);
  expect(story.map((e) => e.type).slice(0, 2)).toEqual(["policy.decided", "request.created"]);
  expect(story[0]?.detail?.reference).toBe(story[1]?.detail?.reference);
  expect(story.map((e) => e.type)).toContain("request.approved");
  const text = await auditView(`audit ${id}`);
  expect(text).toContain("`policy.decided`");
  expect(text).toContain("`request.created`");

  // Its run at 03:00 UTC is a request of its own, whose story starts at the decision made for that run.
  const now = h.clock.now();
  const next = new Date(now);
  next.setUTCHours(3, 0, 30, 0);
  if (next.getTime() <= now) next.setUTCDate(next.getUTCDate() + 1);
  h.clock.advance(next.getTime() - now);
  expect(await h.ops.runSchedules()).toBe(1);
  await h.ops.idle();
  const decided = (await h.audit.query({ type: "policy.decided", limit: 5 })).find(
    (e) => e.detail?.scheduleId !== undefined,
  );
  expect(decided?.requestId).toMatch(/^apr_/);
  const run = await storyOf(decided!.requestId!);
  expect(run.map((e) => e.type).slice(0, 2)).toEqual(["policy.decided", "request.created"]);
});

it("a dry run never becomes a request: its decision names no request", async () => {
  await h.command("resize web-03 s6.large.2 --dry-run");
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Dry run")));
  const [decided] = await h.audit.query({ type: "policy.decided", limit: 1 });
  expect(decided?.message).toContain("--dry-run");
  expect(decided?.requestId).toBeUndefined();
});
