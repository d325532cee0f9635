/** How an aborted run is recorded for the card and the approval record: with its true reason. */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { RequestDetails } from "../../src/operations/request-details.js";
import { settleExecution } from "../../src/operations/settle-execution.js";
import type { DriftItem } from "../../src/workflow/detect-drift.js";
import { emptyCounts, type FlowOutcome } from "../../src/workflow/summarize-run.js";
import { makeDetails, makeRequest } from "./fixtures.js";

function aborted(drift: DriftItem[]): FlowOutcome {
  return {
    runId: "run-1",
    requestId: "apr_1",
    operation: "reboot",
    status: "aborted",
    verb: "rebooted",
    include: [],
    startedAt: 0,
    finishedAt: 300,
    durationMs: 300,
    servers: [],
    counts: emptyCounts(),
    failuresByReason: [],
    unknownByReason: [],
    jobs: [],
    drift,
    resumes: 0,
  };
}

async function settle(outcome: FlowOutcome) {
  let details: RequestDetails = makeDetails();
  const finished: { outcome: string; error?: string }[] = [];
  const deps = {
    logger: pino({ level: "silent" }),
    details: {
      update: async (_id: string, change: (d: RequestDetails) => RequestDetails) => {
        details = change(details);
      },
    },
    approvals: {
      finishExecution: async (_id: string, _run: string, outcome: string, error?: string) => {
        finished.push({ outcome, ...(error !== undefined && { error }) });
        return { ok: true };
      },
    },
  } as unknown as Parameters<typeof settleExecution>[0];
  await settleExecution(deps, makeRequest({ status: "executing" }), "run-1", outcome);
  return { result: details.result, finished };
}

describe("settleExecution of an aborted run", () => {
  it("servers the cloud did not answer for: could not be read, nothing was sent (never 'changed')", async () => {
    const { result, finished } = await settle(
      aborted([
        { serverId: "a", name: "web-03", kind: "unreadable", message: "APIG.0202: Backend unavailable" },
      ]),
    );
    const why =
      "not run: the servers could not be read, so nothing was sent; ask again once the cloud answers";
    expect(result).toEqual({
      status: "aborted",
      summary: why,
      notRun: "servers_unreadable",
      durationMs: 300,
    });
    expect(finished).toEqual([{ outcome: "failed", error: why }]);
  });

  it("servers that changed since approval: said so", async () => {
    const { result, finished } = await settle(
      aborted([{ serverId: "a", name: "web-03", kind: "status", expected: "ACTIVE", actual: "SHUTOFF" }]),
    );
    const why =
      "not run: the servers changed since approval, so nothing was sent; ask again to get fresh approval";
    expect(result?.summary).toBe(why);
    expect(result?.notRun).toBe("servers_changed_since_approval");
    expect(finished).toEqual([{ outcome: "failed", error: why }]);
  });
});
