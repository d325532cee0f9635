/**
 * Entries as older bots wrote them (the log is a hash chain: they are never rewritten) read in operator words:
 * a run's calls, answers and steps without the flow file's words, a break-glass request's reasons labelled
 * once each, a step's start on its end's line; a golden of such a page.
 */
import { expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/audit-entry.js";
import { buildAuditView } from "../../src/operations/build-audit-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

const AT = Date.UTC(2026, 11, 7, 3, 45);
const HASH = "974d62e4a0ca5e6f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7";
const REQ = "apr_hr2MXbBSb2d4a1dQ2Sx5Vg";
const SERVER = "d704b694-9efd-4a74-920f-e8cf2caf37eb";
let seq = 0;
function entry(e: Partial<AuditRecord> & Pick<AuditRecord, "type" | "actorId">): AuditRecord {
  seq += 1;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    seq,
    at: AT + seq * 1_000,
    requestId: REQ,
    serverIds: [SERVER],
    ruleIds: [],
    ...e,
  };
}
const run = { actorId: "system:executor", executionId: "run_1" } as const;
const step = (message: string, detail: Record<string, unknown>) =>
  entry({ ...run, type: "execution.step", message, detail: detail as AuditRecord["detail"] });

// Oldest first, as they were written; the view takes them newest first.
const TRAIL: AuditRecord[] = [
  entry({
    type: "request.created",
    actorId: "U_ALICE",
    bindingHash: HASH,
    message: "/ecs stop web-01 --hard",
    detail: { breakGlass: true, reason: "approver asleep, exposed docker", why: "INC-9: docker 2375 open" },
  }),
  entry({
    type: "break_glass.used",
    actorId: "U_ALICE",
    bindingHash: HASH,
    message: "approver asleep, exposed docker",
    detail: {
      breakGlass: true,
      reason: "approver asleep, exposed docker",
      alertChannel: "C_PROD",
      channel: "C_OPS",
    },
  }),
  entry({
    type: "approval.recorded",
    actorId: "system:policy",
    bindingHash: HASH,
    detail: { breakGlass: true },
  }),
  entry({
    type: "request.approved",
    actorId: "system:policy",
    bindingHash: HASH,
    detail: { breakGlass: true },
  }),
  entry({
    type: "policy.redecided",
    actorId: "system:policy",
    decision: "allow",
    bindingHash: HASH,
    message: "same or laxer: runs as approved",
    detail: { stricter: false, tightenings: [], changed: [] },
  }),
  entry({ ...run, type: "execution.started", bindingHash: HASH }),
  step("run of stop created (flow flows/stop.yml)", {
    phase: "run_created",
    operation: "stop",
    flow: "flows/stop.yml",
  }),
  step("step recheck started", { phase: "step_started", stepId: "recheck", kind: "recheck" }),
  step("step recheck succeeded", { phase: "step_finished", stepId: "recheck", status: "succeeded" }),
  step("step stop started", { phase: "step_started", stepId: "stop", kind: "call" }),
  step("ecs.batch_stop about to be sent for 1 server", {
    phase: "intent",
    stepId: "stop",
    call: "ecs.batch_stop",
  }),
  step(
    "ecs.batch_stop outcome unknown (HTTP_503: Service Unavailable); not resent, to be reconciled from the servers",
    {
      phase: "call_outcome_unknown",
      stepId: "stop",
      call: "ecs.batch_stop",
      code: "HTTP_503",
    },
  ),
  step("ecs.batch_stop (outcome unknown) reconciled from the servers' state: 1 of 1 settled", {
    phase: "reconciled",
    stepId: "wait_stopped",
    call: "ecs.batch_stop",
  }),
  step("step stop outcome_unknown", {
    phase: "step_finished",
    stepId: "stop",
    status: "outcome_unknown",
    counts: { succeeded: 0, failed: 0, unknown: 1 },
  }),
  step("step wait_stopped skipped (the flow stopped)", {
    phase: "step_skipped",
    stepId: "wait_stopped",
    reason: "stopped",
  }),
  step("run succeeded", { phase: "run_finished", status: "succeeded" }),
  entry({ ...run, type: "execution.finished", outcome: "succeeded", bindingHash: HASH }),
];
const NEWEST_FIRST = [...TRAIL].reverse();

function render(entries: readonly AuditRecord[]) {
  return renderBlockKit(
    buildAuditView({
      query: { subject: { kind: "request", requestId: REQ }, limit: 50, offset: 0 },
      entries,
    }),
  );
}

it("an older break-glass trail reads in operator words: reasons labelled once, approval by break-glass", () => {
  const text = collectMrkdwn(render(NEWEST_FIRST)).join("\n");
  const line = (needle: string) => text.split("\n").find((l) => l.includes(needle)) ?? "";
  expect(line("Break-glass used").split("approver asleep, exposed docker")).toHaveLength(2);
  expect(line("Request created")).toContain(
    "— reason: INC-9: docker 2375 open — break-glass reason: approver asleep, exposed docker",
  );
  expect(line("Request approved")).toContain("by break-glass (no approver)");
  expect(line("Approval counted")).toContain("by break-glass (no approver)");
  expect(text).toContain("the policy still allows it as approved");
  expect(text).not.toMatch(/the bot \(|ecs\.batch_stop|flows\/stop|wait_stopped|laxer|why:/);
});

it("a run's calls and answers in words; a step's start folded into its end; every entry's number shown", async () => {
  const kit = render(NEWEST_FIRST);
  expectValidBlockKit(kit);
  const text = collectMrkdwn(kit).join("\n");
  expect(text).toContain("Stop sent to Huawei Cloud for 1 server");
  expect(text).toContain("The stop outcome unknown (HTTP_503: Service Unavailable)");
  expect(text).toContain("Stop the servers: outcome not known (1 not known) — also #10");
  // A skipped step never started: the page cannot say what kind it was, and does not guess from its ID.
  expect(text).toContain("A step of the run: the run had stopped");
  for (const e of TRAIL) expect(text).toContain(`#${e.seq} `);
  expect(text.split("\n").filter((l) => l.startsWith("• "))).toHaveLength(TRAIL.length - 4);
  await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/audit-view-operator-words.json");
});

it("a step whose start is on an older page keeps its own line there, and its end is said by what the page shows of it", () => {
  const text = collectMrkdwn(render(NEWEST_FIRST.slice(1, 6))).join("\n");
  expect(text).not.toContain("also #");
  expect(text).toContain("Run ended* — by the bot: the run succeeded");
  // Its call's answer is on this page: the step is said by it.
  expect(text).toContain("Stop the servers: outcome not known (1 not known)\n");
  expect(text).not.toContain("— reason:");
});
