/**
 * What an auditor reads from the audit log alone, end to end (signed Slack requests over HTTP, the simulated
 * cloud): which server failed and what the cloud answered, who acted, the requester's reason, a change that was
 * refused before it became a request, the decision tied to its request, break-glass on every entry, and no
 * password in an entry.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ sweepIntervalMs: 60 * 60_000 });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol, IDS.dave]);
});

async function auditView(args: string, user = IDS.erin): Promise<string> {
  const before = h.fake.ephemerals({ user }).length;
  await h.command(args, { command: "/ops", user });
  const e = await h.fake.waitFor(() => h.fake.ephemerals({ user }).slice(before).at(-1));
  return textOf(e);
}

const idOf = (card: { blocks?: unknown[] }) =>
  /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks))?.[0] ?? "";

it("a partial failure names the server that failed, the cloud's code and reason, and each server's final state", async () => {
  const w3 = h.serverId("web-03");
  const w4 = h.serverId("web-04");
  h.sim.control.failNextJob({ serverIds: [w4], reason: "disk busy" });
  await h.command(`stop web-03 web-04 --reason "INC-1 partial"`);
  const card = await h.waitCard("/ecs stop web-03 web-04", (t) => t.includes("Failed"));
  await h.ops.idle();
  const entries = await h.audit.query({ requestId: idOf(card), limit: 100 });
  const finished = entries.find(
    (e) => e.detail?.phase === "step_finished" && e.detail.stepId === "wait_stopped",
  );
  expect(finished?.detail?.problems).toEqual([
    expect.objectContaining({ serverId: w4, result: "failed", reason: expect.stringContaining("disk busy") }),
  ]);
  const run = entries.find((e) => e.detail?.phase === "run_finished");
  expect(run?.detail?.finalStates).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ serverId: w3, status: "SHUTOFF" }),
      expect.objectContaining({ serverId: w4 }),
    ]),
  );
  // A step that went well lists no problems.
  const recheck = entries.find((e) => e.detail?.phase === "step_finished" && e.detail.stepId === "recheck");
  expect(recheck?.detail?.problems).toBeUndefined();
});

it("what ran is the bot's doing, on the requester's history; who started it is on the run's first entry", async () => {
  await h.command(`reboot web-04 --hard --reason "INC-4 hang"`);
  const card = await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Approval needed"));
  await h.click(card, "ops.approval.approve", IDS.bob);
  await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Done"));
  await h.ops.idle();
  const requestId = idOf(card);
  const runEntries = (await h.audit.query({ requestId, limit: 100 })).filter((e) =>
    ["execution.step", "execution.job"].includes(e.type),
  );
  expect(runEntries.length).toBeGreaterThan(3);
  for (const e of runEntries) {
    expect(e.actorId).toBe("system:executor");
    expect(e.requesterId).toBe(IDS.alice);
  }
  expect(runEntries.find((e) => e.detail?.phase === "run_created")?.detail?.startedBy).toBe(IDS.bob);
  const job = runEntries.find((e) => e.type === "execution.job");
  expect(job?.jobId).toBeDefined();
  const history = await auditView(`audit <@${IDS.alice}> 50`);
  expect(history).toContain(job?.jobId ?? "no job");
});

it("/ops audit shows the requester's --reason, and a refused click in words", async () => {
  await h.command(`resize web-03 s6.large.2 --reason "INC-3 capacity"`);
  const card = await h.waitCard("/ecs resize web-03", (t) => t.includes("Approval needed"));
  await h.click(card, "ops.approval.cancel", IDS.alice);
  await h.waitCard("/ecs resize web-03", (t) => t.includes("ancel"));
  await h.click(card, "ops.approval.approve", IDS.bob);
  await h.ops.idle();
  await h.bot.idle();
  const view = await auditView("audit web-03 5");
  expect(view).toContain("Request created");
  expect(view).toContain("— reason: INC-3 capacity");
  expect(view).toContain(
    "Approve refused: the request was no longer waiting for approval (it was cancelled)",
  );
  expect(view).not.toContain("not_pending");
});

it("a change the preflight refuses is recorded as not requested, after its decision and with the same reference", async () => {
  const w3 = h.serverId("web-03");
  h.sim.control.setServer(w3, { locked: true });
  try {
    await h.command(`stop web-03 --reason "INC-2 locked"`);
    await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("is locked")));
    await h.ops.idle();
    const [refused, decided] = await h.audit.query({ serverId: w3, limit: 2 });
    expect(refused?.type).toBe("request.refused");
    expect(refused?.detail).toMatchObject({
      refusedBy: "preflight",
      reason: expect.stringContaining("locked"),
    });
    expect(decided?.type).toBe("policy.decided");
    expect(refused?.detail?.reference).toBe(decided?.detail?.reference);
    const view = await auditView("audit web-03 2");
    expect(view).toContain("Request refused by the preflight");
  } finally {
    h.sim.control.setServer(w3, { locked: false });
  }
});

it("the policy decision is tied to the request it created by its reference", async () => {
  await h.command(`resize api-02 s6.large.2 --reason "INC-6"`);
  const card = await h.waitCard("/ecs resize api-02", (t) => t.includes("Approval needed"));
  const [decided] = await h.audit.query({ type: "policy.decided", serverId: h.serverId("api-02"), limit: 1 });
  const [created] = await h.audit.query({ type: "request.created", requestId: idOf(card), limit: 1 });
  expect(decided?.detail?.reference).toEqual(expect.any(String));
  expect(created?.detail?.reference).toBe(decided?.detail?.reference);
});

it("every audit entry of a break-glass request says so, the re-decision and the cloud job included", async () => {
  const shipped = await readFile("flows/policy.yml", "utf8");
  await h.setUserGroupMembers("sre", [IDS.alice, IDS.erin]);
  await h.policy.replace(`${shipped.replace(/^# break_glass:[\s\S]*?(?=^\S)/m, "")}
break_glass:
  groups: [sre]
  alert_channel: ${IDS.prod}
  remind_every: 1h
`);
  try {
    await h.command(`reboot web-03 --hard --break-glass "web tier down, INC-4711 rollback"`, {
      user: IDS.erin,
    });
    await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Done"));
    await h.ops.idle();
    const [used] = await h.audit.query({ type: "break_glass.used", limit: 1 });
    const entries = await h.audit.query({ requestId: used?.requestId ?? "none", limit: 100 });
    expect(entries.map((e) => e.type)).toEqual(
      expect.arrayContaining(["policy.redecided", "execution.step", "execution.job"]),
    );
    expect(entries.filter((e) => e.detail?.breakGlass === undefined).map((e) => e.type)).toEqual([]);
  } finally {
    await h.policy.replace(shipped);
  }
});

it("a password given in a sentence of --reason is refused: nothing is requested, decided or kept", async () => {
  const w3 = h.serverId("web-03");
  const [before] = await h.audit.query({ serverId: w3, limit: 1 });
  await h.command(`stop web-03 --reason "the root password is Hunter2Secret"`);
  const refusal = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("never takes a password")),
  );
  expect(refusal).not.toContain("Hunter2Secret");
  await h.ops.idle();
  const [after] = await h.audit.query({ serverId: w3, limit: 1 });
  expect(after?.seq).toBe(before?.seq);
  expect(JSON.stringify(h.logs)).not.toContain("Hunter2Secret");
});
