/**
 * The check before each wave, end to end below the chat: `runWaves` with the operations' wave gate
 * (`createWaveGate`) against the simulated cloud over loopback, a real approval service, store and audit log,
 * and a policy with a freeze and a maintenance window set relative to the simulator's clock. Only the
 * injected clock moves: a pause of 90 minutes costs no wall time.
 */
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChatPort, ChatUserGroup, MessageRef } from "../../src/app/ports.js";
import type { RequestSchedule } from "../../src/approvals/approval-request.js";
import { type ApprovalService, createApprovalService } from "../../src/approvals/approval-service.js";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import { flowSpecOf } from "../../src/operations/create-run-setup.js";
import { createWaveGate } from "../../src/operations/create-wave-gate.js";
import { POLICY_ACTOR } from "../../src/operations/describe-request.js";
import { createRequestDetailsStore } from "../../src/operations/request-details.js";
import { POLICY_ALLOWED_REQUIREMENT } from "../../src/operations/request-post-parts.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import type { Policy } from "../../src/policy/types.js";
import type { Message } from "../../src/render/message-model.js";
import { renderPlain } from "../../src/render/render-mrkdwn.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import type { WavePlan } from "../../src/waves/plan-waves.js";
import { type RunWavesDeps, runWaves, type WaveCheck } from "../../src/waves/run-waves.js";
import { type WaveRunRecord, waveRunKey } from "../../src/waves/wave-run-record.js";
import { testCalendarsYaml } from "../helpers/test-calendars.js";
import { startWorkflowEnv, type WorkflowEnv } from "../workflow/helpers/start-workflow-env.js";

const MINUTE = 60_000;
let env: WorkflowEnv;
beforeAll(async () => {
  env = await startWorkflowEnv();
});
afterAll(async () => {
  await env?.close();
});
beforeEach(() => {
  env.sim.control.reset();
});

/** A reboot allowed by the policy, a freeze and the window `maint` at minutes from now. */
function policyWith(freeze: [number, number], window: [number, number]): Policy {
  const loaded = parsePolicy(`
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
${testCalendarsYaml(env.clock.now(), freeze, window)}rules:
  - id: reboots
    description: Graceful reboots need no approval.
    actions: [ecs:cloudServers:reboot]
    effect: allow
  - id: freeze-denies-power
    description: No power changes during the freeze.
    actions: [ecs:cloudServers:reboot]
    match: { during: [test-freeze] }
    effect: { deny: "Changes are frozen." }
`);
  if (!loaded.ok) expect.fail(formatConfigErrors(loaded.errors));
  return loaded.policy;
}

interface World {
  store: Store;
  approvals: ApprovalService;
  policy: { current: Policy };
  /** What the bot said in the request's thread. */
  said: string[];
  /** The user groups as the chat platform reads them; `undefined`: reading them fails. */
  groups: { current: ChatUserGroup[] | undefined };
  gate: (requestId: string, index: number) => Promise<WaveCheck>;
  deps: RunWavesDeps;
  asked: number[];
}

function world(policy: Policy): World {
  const { store, audit, deps: flowDeps } = env.fresh(createMemoryStore({ clock: env.clock }));
  const approvals = createApprovalService({ store, clock: env.clock, audit });
  const said: string[] = [];
  const groups: World["groups"] = { current: [] };
  const chat = {
    recentUserGroups: async () => {
      if (groups.current === undefined) throw new Error("Slack is unavailable");
      return groups.current;
    },
    postMessage: async (channel: string, message: Message): Promise<MessageRef> => {
      const texts = message.blocks.flatMap((b) => ("text" in b && b.text !== undefined ? [b.text] : []));
      said.push(texts.map((t) => renderPlain(t)).join("\n"));
      return { channel, ts: String(said.length) };
    },
  } as unknown as ChatPort;
  const live = { current: policy };
  const gate = createWaveGate({
    policy: () => live.current,
    approvals,
    details: createRequestDetailsStore(store),
    audit,
    cloud: env.cloud,
    logger: pino({ level: "silent" }),
    chat: () => chat,
    refreshCard: async () => {},
    clock: env.clock,
  });
  const asked: number[] = [];
  const deps: RunWavesDeps = {
    ...flowDeps,
    cloud: env.cloud,
    holdPollMs: MINUTE,
    gate: { pollMs: 1_000, timeoutMs: 5 * MINUTE },
    beforeWave: (requestId, index) => {
      asked.push(index);
      return gate(requestId, index);
    },
  };
  return { store, approvals, policy: live, said, groups, gate, deps, asked };
}

/** A reboot of `names` in one wave each, `pause` between them, approved (allowed) and claimed as `runId`. */
async function claimed(w: World, names: string[], pauseMs: number, schedule?: RequestSchedule) {
  const targets = names.map((name) => {
    const s = env.sim.control.server(name)!;
    return { id: s.id, name: s.name, status: s.status, flavor: s.flavorId, tags: { ...s.tags } };
  });
  const plan: WavePlan = {
    waves: targets.map((t) => [t.id]),
    pauseMs,
    maxFailures: 1,
    maxFailuresText: "1",
  };
  const request = await w.approvals.create({
    requester: { userId: "U_ALICE", teamId: "T1" },
    channel: "C_OPS",
    action: "ecs:cloudServers:reboot",
    commandText: `/ecs reboot ${names.join(" ")}`,
    targets,
    parameters: { hard: false, waves: { ...plan } },
    ruleIds: ["reboots"],
    requirement: POLICY_ALLOWED_REQUIREMENT,
    terms: { effect: "allow", minApprovals: 0, approvalRuleIds: [] },
    message: { channel: "C_OPS", ts: "1.000" },
    ...(schedule !== undefined && { schedule }),
  });
  await w.approvals.act(request.id, { type: "approve", userId: POLICY_ACTOR }, { isApprover: true });
  // Claimed at its start time.
  if (schedule !== undefined) env.sim.control.advance(schedule.runAt - env.clock.now());
  const runId = `run_${request.id.slice(4, 16)}`;
  const claim = await w.approvals.claimExecution(request.id, runId);
  if (!claim.ok) expect.fail(claim.code);
  return { request: claim.request, runId, spec: flowSpecOf(claim.request, runId), plan };
}

const reboots = () => env.mutations().filter((r) => r.mutation?.type === "batchRebootServers");
const record = async (store: Store, runId: string) =>
  (await store.get<WaveRunRecord>(waveRunKey(runId)))?.value;

describe("a run in waves scheduled in a maintenance window", () => {
  it("starts no wave once its window closed: the later waves are not run, and the thread says why", async () => {
    const w = world(policyWith([5000, 5010], [1, 61]));
    const start = env.clock.now() + MINUTE;
    const { runId, spec, plan } = await claimed(w, ["cache-02", "web-04"], 90 * MINUTE, {
      runAt: start,
      startBy: start + 60 * MINUTE,
      window: "maint",
    });
    const result = await runWaves(spec, plan, w.deps);
    expect(result.ok && result.outcome.counts).toMatchObject({ succeeded: 1, not_started: 1 });
    // Wave 1 ran at the opening, unasked (the claim's re-decision was just made); wave 2 after the pause.
    expect(w.asked).toEqual([1]);
    expect(reboots().map((r) => r.mutation?.serverIds)).toEqual([[env.id("cache-02")]]);
    const stopped = await record(w.store, runId);
    expect(stopped?.status).toBe("aborted");
    expect(stopped?.controlBy).toBeUndefined();
    expect(stopped?.waves.map((x) => x.status)).toEqual(["done", "pending"]);
    expect(w.said).toHaveLength(1);
    expect(w.said[0]).toMatch(
      /^:stopwatch: Wave 2 of 2 not started: the maintenance window maint closed at /,
    );
    expect(w.said[0]).toContain("Wave 1 ran; wave 2 was not run");
  });

  it("a window moved later, still within the approved span, holds the wave until it opens", async () => {
    const w = world(policyWith([5000, 5010], [1, 201]));
    const start = env.clock.now() + MINUTE;
    const { spec, plan } = await claimed(w, ["cache-02", "web-04"], 30 * MINUTE, {
      runAt: start,
      startBy: start + 200 * MINUTE,
      window: "maint",
    });
    // Edited during the run: the window now closes after wave 1's pause and opens again at +100.
    const iso = (minutes: number) => new Date(start + minutes * MINUTE).toISOString();
    const edited = policyWith([5000, 5010], [0, 200]);
    const maint = edited.calendars?.find((c) => c.name === "maint");
    if (maint === undefined) expect.fail("no window");
    maint.events = [
      { kind: "absolute", start: Date.parse(iso(0)), end: Date.parse(iso(20)) },
      { kind: "absolute", start: Date.parse(iso(100)), end: Date.parse(iso(200)) },
    ];
    w.policy.current = edited;
    const result = await runWaves(spec, plan, w.deps);
    expect(result.ok && result.outcome.status).toBe("succeeded");
    const second = env.sim.control.requests().filter((r) => r.mutation?.type === "batchRebootServers")[1];
    expect(second?.mutation?.serverIds).toEqual([env.id("web-04")]);
    expect(w.asked.length).toBeGreaterThan(1);
    expect(env.clock.now()).toBeGreaterThanOrEqual(start + 100 * MINUTE);
    expect(w.said).toEqual([]);
  });
});

describe("a run in waves with no schedule", () => {
  it("starts no wave once a freeze is in force: the policy is decided again before each wave", async () => {
    const w = world(policyWith([10, 200], [5000, 5010]));
    const { request, runId, spec, plan } = await claimed(w, ["cache-02", "web-03"], 30 * MINUTE);
    const result = await runWaves(spec, plan, w.deps);
    expect(result.ok && result.outcome.counts).toMatchObject({ succeeded: 1, not_started: 1 });
    expect(reboots()).toHaveLength(1);
    expect((await record(w.store, runId))?.status).toBe("aborted");
    // What changed is named (the freeze and its end), not "the policy".
    expect(w.said[0]).toContain(
      ":no_entry: *Wave 2 of 2 not started, the freeze test-freeze is in force.* Checked again before this wave:",
    );
    expect(w.said[0]).toMatch(
      /this reboot is not allowed during the freeze test-freeze \(in force until [^)]+\): Changes are frozen\./,
    );
    // Audited: the re-decision, and the run's stop with its reason.
    const audit = env.fresh(w.store).audit;
    const redecided = await audit.query({ type: "policy.redecided", limit: 5 });
    expect(redecided.filter((e) => e.requestId === request.id).map((e) => e.decision)).toEqual(["deny"]);
    const steps = await audit.query({ type: "execution.step", limit: 50 });
    expect(steps.find((e) => e.detail?.phase === "waves_check")).toMatchObject({
      executionId: runId,
      message: expect.stringMatching(
        /^wave 2 not started, nor the later ones: this reboot is not allowed during the freeze test-freeze \(in force until [^)]+\): Changes are frozen\.$/,
      ),
      serverIds: [env.id("web-03")],
    });
  });

  it("the audit log refusing the stop's entry never keeps the run from stopping: logged at error, tried again alone", async () => {
    for (const refuses of ["rider", "both"] as const) {
      env.sim.control.reset();
      const w = world(policyWith([10, 200], [5000, 5010]));
      const { runId, spec, plan } = await claimed(w, ["cache-02", "web-03"], 30 * MINUTE);
      const audit = env.fresh(w.store).audit;
      const isStop = (e: { detail?: unknown }) =>
        (e.detail as { phase?: string } | undefined)?.phase === "waves_check";
      const errors: string[] = [];
      const result = await runWaves(spec, plan, {
        ...w.deps,
        audit: {
          ...w.deps.audit,
          prepare: (e) => {
            if (isStop(e)) throw new Error("audit log unavailable");
            return w.deps.audit.prepare(e);
          },
          record: async (e) => {
            if (isStop(e) && refuses === "both") throw new Error("audit log unavailable");
            return w.deps.audit.record(e);
          },
        },
        logger: { error: (_obj: unknown, msg?: string) => errors.push(msg ?? "") },
      });
      // Stopped all the same: wave 2 never sent.
      expect(result.ok && result.outcome.counts).toMatchObject({ succeeded: 1, not_started: 1 });
      expect(reboots()).toHaveLength(1);
      expect((await record(w.store, runId))?.status).toBe("aborted");
      const stops = (await audit.query({ type: "execution.step", limit: 50 })).filter(
        (e) => e.executionId === runId && isStop(e),
      );
      if (refuses === "rider") {
        expect(errors).toEqual(["could not audit the check that stopped the waves"]);
        expect(stops.map((e) => e.message)).toEqual([expect.stringMatching(/^wave 2 not started/)]);
      } else {
        expect(errors).toEqual([
          "could not audit the check that stopped the waves",
          "the waves stopped before a wave, but the audit log does not say so",
        ]);
        expect(stops).toEqual([]);
      }
    }
  });

  it("while the policy cannot be decided (groups unreadable) the wave waits; once it can, it runs", async () => {
    const w = world(policyWith([5000, 5010], [5000, 5010]));
    const { spec, plan } = await claimed(w, ["cache-02", "web-03"], 0);
    w.groups.current = undefined;
    let holds = 0;
    const deps: RunWavesDeps = {
      ...w.deps,
      beforeWave: async (requestId, index) => {
        const check = await w.gate(requestId, index);
        if (check.kind === "hold" && ++holds === 3) w.groups.current = [];
        return check;
      },
    };
    const result = await runWaves(spec, plan, deps);
    expect(holds).toBe(3);
    expect(result.ok && result.outcome.status).toBe("succeeded");
    expect(reboots()).toHaveLength(2);
  });

  it("a resumed run asks before its first wave too; a check that throws holds the wave", async () => {
    const w = world(policyWith([5000, 5010], [5000, 5010]));
    const { runId, spec, plan } = await claimed(w, ["cache-02"], 0);
    // The run's record exists (written by a replica that stopped before its first wave).
    await runWaves(spec, plan, { ...w.deps, signal: AbortSignal.abort() }).catch(() => undefined);
    const calls: number[] = [];
    expect((await record(w.store, runId))?.waves[0]?.status).toBe("pending");
    const result = await runWaves(spec, plan, {
      ...w.deps,
      beforeWave: async (_id, index) => {
        calls.push(index);
        if (calls.length === 1) throw new Error("store unavailable");
        return { kind: "go" };
      },
    });
    expect(calls).toEqual([0, 0]);
    expect(result.ok && result.outcome.status).toBe("succeeded");
  });
});
