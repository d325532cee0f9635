/**
 * What the summary tells the reader to check when an outcome is unknown (pure, from run records through
 * `summarizeRun`): a reboot or a migration leaves the server ACTIVE either way, so `/ecs show` cannot tell and
 * the cloud's record of what was done to it can (`/ecs actions <server>`); a job still running at the deadline
 * is followed with `/ecs job <id>`; the other operations keep `/ecs show`.
 */
import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { newRunRecord } from "../../src/workflow/execute-flow.js";
import type { StepStatus } from "../../src/workflow/flow-statuses.js";
import { flowSummaryMessage } from "../../src/workflow/flow-summary-message.js";
import type { Operation } from "../../src/workflow/flow-vocabulary.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import type {
  MutationRecord,
  RunRecord,
  ServerStepResult,
  StepRecord,
} from "../../src/workflow/run-record.js";
import { summarizeRun } from "../../src/workflow/summarize-run.js";
import type { FlowSet, FlowTarget } from "../../src/workflow/types.js";
import { render } from "../views/view-test-helpers.js";

const loaded = await loadFlows("flows");
if (!loaded.ok) throw new Error("flows invalid");
const flows: FlowSet = loaded.flows;

const T = 1_000;
const LOST =
  "the cloud answered 500 Ecs.1000: A system exception occurred. (request 75e55c6a188aee8d3395e24d94eac57b)";
const REBOOT_UNCONFIRMED = "a reboot ends in the state it began in: without its job it cannot be confirmed";
const stillRunning = (jobId: string) => `job ${jobId} had not finished by the deadline (still RUNNING)`;

const target = (id: string): FlowTarget => ({
  id,
  name: `web-${id}`,
  status: "ACTIVE",
  flavor: "s6.medium.2",
});

/** How a step ended: its status, its calls, its wait's jobs and results. */
interface StepEnd {
  status: StepStatus;
  mutations?: MutationRecord[];
  jobs?: StepRecord["jobs"];
  results?: ServerStepResult[];
}

/**
 * A finished run of `operation` on `ids`: the steps in `ends` ended so, every other step succeeded before
 * them or was skipped after the first that did not succeed.
 */
function finishedRun(operation: Operation, ids: string[], ends: Record<string, StepEnd>): RunRecord {
  const r = newRunRecord(
    {
      runId: "run-1",
      requestId: "apr_1",
      operation,
      targets: ids.map(target),
      parameters: {},
      actorId: "U_BOB",
    },
    flows[operation],
    T,
  );
  let stopped = false;
  for (const s of r.steps) {
    const end = ends[s.id];
    if (stopped) {
      s.status = "skipped";
      s.skipReason = "flow_stopped";
      continue;
    }
    s.status = end?.status ?? "succeeded";
    s.mutations = end?.mutations ?? [];
    s.jobs = end?.jobs ?? [];
    s.results =
      end?.results ??
      (s.kind === "wait" ? ids.map((serverId) => ({ serverId, result: "succeeded" as const })) : []);
    if (s.kind !== "call" && s.status !== "succeeded") stopped = true;
  }
  r.status = "outcome_unknown";
  r.finishedAt = T + 902_000;
  r.finalStates = ids.map((serverId) => ({ serverId, status: "ACTIVE", flavor: "s6.medium.2" }));
  return r;
}

/** One call of `call` to `serverIds`, accepted with `jobId`, or whose answer was lost (no job). */
function mutation(
  call: MutationRecord["call"],
  serverIds: string[],
  index: number,
  jobId?: string,
): MutationRecord {
  return jobId !== undefined
    ? { index, call, serverIds, params: {}, state: "accepted", jobId }
    : {
        index,
        call,
        serverIds,
        params: {},
        state: "outcome_unknown",
        error: { code: "server-error", message: LOST },
      };
}

const unknown = (serverId: string, reason: string, jobId?: string): ServerStepResult => ({
  serverId,
  result: "unknown",
  status: "ACTIVE",
  source: jobId !== undefined ? "job" : "servers",
  reason,
  ...(jobId !== undefined && { jobId }),
});

/** A reboot whose answer was lost (no job): its wait cannot confirm it from the servers. */
function rebootAnswerLost(): RunRecord {
  return finishedRun("reboot", ["a"], {
    reboot: { status: "outcome_unknown", mutations: [mutation("ecs.batch_reboot", ["a"], 0)] },
    wait_rebooted: { status: "outcome_unknown", results: [unknown("a", REBOOT_UNCONFIRMED)] },
  });
}

/** A reboot whose job was still RUNNING when the wait's deadline came. */
function rebootJobStuck(): RunRecord {
  return finishedRun("reboot", ["a", "b"], {
    reboot: { status: "succeeded", mutations: [mutation("ecs.batch_reboot", ["a", "b"], 0, "job-1")] },
    wait_rebooted: {
      status: "outcome_unknown",
      jobs: [{ jobId: "job-1", status: "RUNNING" }],
      results: [unknown("a", stillRunning("job-1"), "job-1"), unknown("b", stillRunning("job-1"), "job-1")],
    },
  });
}

const summaryOf = (r: RunRecord) => flowSummaryMessage(summarizeRun(r));
const text = (r: RunRecord) => JSON.stringify(renderBlockKit(summaryOf(r)));

describe("the summary's advice for servers whose outcome is unknown", () => {
  it("a reboot whose answer was lost: `/ecs actions <server>`, not `/ecs show`", async () => {
    const { kit, golden } = render(summaryOf(rebootAnswerLost()));
    expect(kit.text).toBe("reboot: outcome unknown for 1 server");
    expect(text(rebootAnswerLost())).toContain(
      "*Outcome unknown* (not sent again): check each of these servers with `/ecs actions &lt;server&gt;`, the cloud's record of what was done to it (`/ecs show` cannot tell: the server is ACTIVE before and after the reboot), then ask again if the change is still needed",
    );
    expect(text(rebootAnswerLost())).not.toContain("/ecs job");
    await expect(golden).toMatchFileSnapshot("golden/summary-unknown-reboot-actions.json");
  });

  it("a migration whose answer was lost: `/ecs actions <server>`", async () => {
    const r = finishedRun("migrate", ["a"], {
      migrate: { status: "outcome_unknown", mutations: [mutation("ecs.migrate", ["a"], 0)] },
      wait_migrated: {
        status: "outcome_unknown",
        results: [
          unknown("a", "a migration ends in the state it began in: without its job it cannot be confirmed"),
        ],
      },
    });
    const { kit, golden } = render(summaryOf(r));
    expect(kit.text).toBe("migrate: outcome unknown for 1 server");
    expect(text(r)).toContain(
      "with `/ecs actions &lt;server&gt;`, the cloud's record of what was done to it (`/ecs show` cannot tell: the server is ACTIVE before and after the migration)",
    );
    await expect(golden).toMatchFileSnapshot("golden/summary-unknown-migrate-actions.json");
  });

  it("a job still RUNNING at the deadline: `/ecs job <id>` with its ID", async () => {
    const { kit, golden } = render(summaryOf(rebootJobStuck()));
    expect(kit.text).toBe("reboot: outcome unknown for 2 servers");
    expect(text(rebootJobStuck())).toContain(
      "*Outcome unknown* (not sent again): the cloud's job was still running when the bot stopped waiting: follow it with `/ecs job job-1`, then ask again if the change is still needed",
    );
    expect(text(rebootJobStuck())).not.toContain("/ecs show");
    expect(text(rebootJobStuck())).not.toContain("/ecs actions");
    await expect(golden).toMatchFileSnapshot("golden/summary-unknown-job-running.json");
  });

  it("one batch's job still running, another's answer lost: the servers' check, and the job on its group", async () => {
    const r = finishedRun("reboot", ["a", "b", "c"], {
      reboot: {
        status: "outcome_unknown",
        mutations: [
          mutation("ecs.batch_reboot", ["a", "b"], 0, "job-1"),
          mutation("ecs.batch_reboot", ["c"], 1),
        ],
      },
      wait_rebooted: {
        status: "outcome_unknown",
        jobs: [{ jobId: "job-1", status: "RUNNING" }],
        results: [
          unknown("a", stillRunning("job-1"), "job-1"),
          unknown("b", stillRunning("job-1"), "job-1"),
          unknown("c", REBOOT_UNCONFIRMED),
        ],
      },
    });
    const { golden } = render(summaryOf(r));
    const said = text(r);
    expect(said).toContain("check each of these servers with `/ecs actions &lt;server&gt;`");
    expect(said).toContain(
      "• web-a, web-b: job job-1 had not finished by the deadline (still RUNNING)\\n    Still running when the bot stopped waiting: follow it with `/ecs job job-1`",
    );
    // The lost answer's group has no job to follow.
    expect(said).toContain(`• web-c: ${REBOOT_UNCONFIRMED}\\n    The reboot: ${LOST}"`);
    await expect(golden).toMatchFileSnapshot("golden/summary-unknown-mixed.json");
  });

  it("two jobs still running (two batches): each is followed with `/ecs job <id>`, their IDs in the reasons", () => {
    const r = finishedRun("reboot", ["a", "b"], {
      reboot: {
        status: "succeeded",
        mutations: [
          mutation("ecs.batch_reboot", ["a"], 0, "job-1"),
          mutation("ecs.batch_reboot", ["b"], 1, "job-2"),
        ],
      },
      wait_rebooted: {
        status: "outcome_unknown",
        jobs: [
          { jobId: "job-1", status: "RUNNING" },
          { jobId: "job-2", status: "INIT" },
        ],
        results: [
          unknown("a", stillRunning("job-1"), "job-1"),
          unknown("b", "job job-2 had not finished by the deadline (still INIT)", "job-2"),
        ],
      },
    });
    const said = text(r);
    expect(said).toContain(
      "the cloud's jobs were still running when the bot stopped waiting: follow each with `/ecs job &lt;id&gt;` (the IDs are below)",
    );
    expect(said).toContain("job job-1 had not finished");
    expect(said).toContain("job job-2 had not finished");
  });

  it("a job that could not be read, or had ended, is not 'still running': a reboot's servers are checked", () => {
    const unread = "job job-1 could not be read (Ecs.1000: A system exception occurred.)";
    for (const status of ["UNKNOWN", "SUCCESS"]) {
      const r = finishedRun("reboot", ["a"], {
        reboot: { status: "succeeded", mutations: [mutation("ecs.batch_reboot", ["a"], 0, "job-1")] },
        wait_rebooted: {
          status: "outcome_unknown",
          jobs: [{ jobId: "job-1", status }],
          results: [unknown("a", unread, "job-1")],
        },
      });
      expect(text(r)).toContain("check each of these servers with `/ecs actions &lt;server&gt;`");
      expect(text(r)).not.toContain("/ecs job");
    }
  });

  it("a stop keeps `/ecs show`: its servers' state answers", () => {
    const r = finishedRun("stop", ["a"], {
      stop: { status: "outcome_unknown", mutations: [mutation("ecs.batch_stop", ["a"], 0)] },
      wait_stopped: {
        status: "outcome_unknown",
        results: [
          unknown("a", "still ACTIVE after 15m of waiting, not yet SHUTOFF; the call may not have arrived"),
        ],
      },
    });
    expect(text(r)).toContain(
      "*Outcome unknown* (not sent again): check each of these servers with `/ecs show`, then ask again if the change is still needed",
    );
    expect(text(r)).not.toContain("/ecs actions");
  });
});
