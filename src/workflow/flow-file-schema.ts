import * as z from "zod";
import { boundedDurationSchema } from "../config/parse-duration.js";
import { suggestClosest } from "../config/suggest-closest.js";
import {
  APPROVAL_DECIDERS,
  CALLS,
  CALLS_OF_OPERATION,
  CHECKS_OF_OPERATION,
  CONDITIONS,
  EXPECTATION_OF_CALL,
  EXPECTATIONS,
  ON_FAILURE,
  OPERATIONS,
  PREFLIGHT_CHECKS,
  PRIMARY_CALL_OF_OPERATION,
  REPORT_ITEMS,
  REQUIRED_CHECKS,
  STEP_KINDS,
  WAIT_OF_CALL,
  WAITS,
} from "./flow-vocabulary.js";

// The on-disk shape of flows/<operation>.yml (snake_case, as written). `load-flows.ts` compiles it.

const description = z.string().trim().min(1).max(1000);

const stepId = z.string().refine((s) => /^[a-z][a-z0-9_]{0,39}$/.test(s), {
  params: { predicate: "is not a step ID; use lower-case letters, digits and _ (e.g. wait_stopped)" },
});

const MAX_WAIT_MS = 24 * 60 * 60_000;
const waitTimeout = boundedDurationSchema({ minMs: 1_000, maxMs: MAX_WAIT_MS, example: "15m" });

const onFailure = z.enum(ON_FAILURE);

const recheckStep = z.strictObject({
  id: stepId,
  kind: z.literal("recheck"),
  description,
  on_failure: onFailure,
});

const callStep = z.strictObject({
  id: stepId,
  kind: z.literal("call"),
  description,
  call: z.enum(CALLS),
  when: z.enum(CONDITIONS),
  on_failure: onFailure,
});

const waitStep = z.strictObject({
  id: stepId,
  kind: z.literal("wait"),
  description,
  wait: z.enum(WAITS),
  after: stepId,
  expect: z.enum(EXPECTATIONS),
  timeout: waitTimeout,
  on_failure: onFailure,
});

/** An unknown or missing `kind` gets a message naming the kinds, instead of zod's empty union message. */
const step = z.discriminatedUnion("kind", [recheckStep, callStep, waitStep], {
  error: (issue) => {
    if (issue.code !== "invalid_union") return undefined;
    const input = issue.input as Record<string, unknown> | undefined;
    const kind = input?.kind;
    const kinds = STEP_KINDS.map((k) => `\`${k}\``).join(", ");
    if (kind === undefined) return `missing required key \`kind\`; use one of ${kinds}`;
    const guess = typeof kind === "string" ? suggestClosest(kind, STEP_KINDS) : undefined;
    const hint = guess !== undefined ? ` (did you mean \`${guess}\`?)` : "";
    return `\`kind: ${String(kind)}\` is not a step kind; use one of ${kinds}${hint}`;
  },
});

export const flowFileSchema = z
  .strictObject({
    operation: z.enum(OPERATIONS),
    description,
    preflight: z.strictObject({
      description,
      checks: z.array(z.strictObject({ check: z.enum(PREFLIGHT_CHECKS), description })).min(1),
    }),
    approval: z.strictObject({ description, decided_by: z.enum(APPROVAL_DECIDERS) }),
    steps: z.array(step).min(1).max(20),
    report: z.strictObject({
      description,
      verb: z.string().refine((s) => /^[a-z][a-z ]{0,29}$/.test(s), {
        params: { predicate: "is not a past-tense verb in lower case (e.g. stopped)" },
      }),
      include: z.array(z.enum(REPORT_ITEMS)).min(1),
    }),
  })
  .superRefine((file, ctx) => {
    const op = file.operation;
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });

    // Preflight checks: known for the operation, not repeated, and the safety checks all present.
    const seenChecks = new Set<string>();
    file.preflight.checks.forEach((c, i) => {
      if (!CHECKS_OF_OPERATION[op].includes(c.check)) {
        issue(["preflight", "checks", i, "check"], `check \`${c.check}\` does not apply to ${op}`);
      }
      if (seenChecks.has(c.check))
        issue(["preflight", "checks", i, "check"], `check \`${c.check}\` is listed twice`);
      seenChecks.add(c.check);
    });
    const missing = REQUIRED_CHECKS[op].filter((c) => !seenChecks.has(c));
    if (missing.length > 0) {
      issue(
        ["preflight", "checks"],
        `a ${op} flow must run the checks ${missing.map((c) => `\`${c}\``).join(", ")}`,
      );
    }

    const include = new Set<string>();
    file.report.include.forEach((item, i) => {
      if (include.has(item)) issue(["report", "include", i], `\`${item}\` is listed twice`);
      include.add(item);
    });

    // Steps: unique IDs; a re-check first; calls the operation allows; each call followed by its one wait
    // before the next call, so no mutation is sent while the outcome of the previous one is still open.
    const ids = new Map<string, number>();
    file.steps.forEach((s, i) => {
      if (ids.has(s.id)) issue(["steps", i, "id"], `step ID \`${s.id}\` is used twice`);
      else ids.set(s.id, i);
    });
    if (file.steps[0]?.kind !== "recheck") {
      issue(["steps", 0], "the first step must be a `recheck` (targets are re-read before any call)");
    }
    let openCall: { id: string; index: number; call: (typeof CALLS)[number] } | undefined;
    let calls = 0;
    let forbidden = false;
    file.steps.forEach((s, i) => {
      if (s.kind === "recheck" && i > 0)
        issue(["steps", i, "kind"], "only the first step may be a `recheck`");
      if (s.kind === "call") {
        calls++;
        if (!CALLS_OF_OPERATION[op].includes(s.call)) {
          const allowed = CALLS_OF_OPERATION[op].map((c) => `\`${c}\``).join(", ");
          issue(["steps", i, "call"], `a ${op} flow may not call \`${s.call}\`; it may call ${allowed}`);
          forbidden = true;
        }
        if (openCall) {
          issue(["steps", i], `step \`${openCall.id}\` needs its \`wait\` before the next call`);
        }
        openCall = { id: s.id, index: i, call: s.call };
      }
      if (s.kind === "wait") {
        const target = ids.get(s.after);
        const targetStep = target === undefined ? undefined : file.steps[target];
        if (targetStep === undefined || target === undefined || target >= i) {
          issue(["steps", i, "after"], `\`after: ${s.after}\` names no call step before this one`);
        } else if (targetStep.kind !== "call") {
          issue(
            ["steps", i, "after"],
            `\`after: ${s.after}\` names a ${targetStep.kind} step; name a call step`,
          );
        } else if (openCall === undefined || openCall.id !== s.after) {
          issue(["steps", i, "after"], `step \`${s.after}\` already has its wait; a call is waited for once`);
        } else {
          const expected = EXPECTATION_OF_CALL[targetStep.call];
          if (s.expect !== expected) {
            issue(
              ["steps", i, "expect"],
              `\`${targetStep.call}\` ends with \`expect: ${expected}\`, not \`${s.expect}\``,
            );
          }
          const wait = WAIT_OF_CALL[targetStep.call];
          if (s.wait !== wait) {
            issue(
              ["steps", i, "wait"],
              wait === "job"
                ? `\`${targetStep.call}\` returns a job: wait for it with \`wait: job\``
                : `\`${targetStep.call}\` returns no job: its outcome is read from the servers with \`wait: state\``,
            );
          }
          openCall = undefined;
        }
      }
    });
    if (openCall) issue(["steps", openCall.index], `step \`${openCall.id}\` has no \`wait\` after it`);
    startStoppedRules(file, issue);
    if (calls === 0) issue(["steps"], "a flow needs at least one `call` step");
    const primary = PRIMARY_CALL_OF_OPERATION[op];
    if (calls > 0 && !forbidden && !file.steps.some((s) => s.kind === "call" && s.call === primary)) {
      issue(["steps"], `a ${op} flow must call \`${primary}\``);
    }
  });

export type FlowFile = z.output<typeof flowFileSchema>;

/**
 * Where `on_failure: start_stopped_then_stop_flow` may stand: on the operation's own change call and on its
 * wait (both, since the wait settles the call), in a flow that stops the running targets first with a stop step
 * (`when: target_was_running`) and whose operation may start servers (the start puts back what the run's stop
 * did; a flow cannot gain a call its approval does not cover).
 */
function startStoppedRules(
  file: FlowFile,
  issue: (path: (string | number)[], message: string) => void,
): void {
  const value = "start_stopped_then_stop_flow";
  const op = file.operation;
  const primary = PRIMARY_CALL_OF_OPERATION[op];
  const primaryIds = new Set(
    file.steps.flatMap((s) => (s.kind === "call" && s.call === primary ? [s.id] : [])),
  );
  file.steps.forEach((s, i) => {
    const onChange =
      (s.kind === "call" && s.call === primary) || (s.kind === "wait" && primaryIds.has(s.after));
    if (s.on_failure !== value) {
      if (s.kind === "wait" && primaryIds.has(s.after)) {
        const call = file.steps.find((c) => c.id === s.after);
        if (call?.on_failure === value)
          issue(
            ["steps", i, "on_failure"],
            `the wait of \`${s.after}\` settles it: give it the same \`on_failure: ${value}\``,
          );
      }
      return;
    }
    if (!onChange) {
      issue(
        ["steps", i, "on_failure"],
        `\`${value}\` belongs to the change itself (\`${primary}\`) and its wait; use \`stop_flow\` here`,
      );
      return;
    }
    if (!CALLS_OF_OPERATION[op].includes("ecs.batch_start")) {
      issue(
        ["steps", i, "on_failure"],
        `a ${op} flow may not call \`ecs.batch_start\`, so it cannot start servers again; use \`stop_flow\``,
      );
      return;
    }
    const stopBefore = file.steps
      .slice(0, i)
      .some((c) => c.kind === "call" && c.call === "ecs.batch_stop" && c.when === "target_was_running");
    if (!stopBefore)
      issue(
        ["steps", i, "on_failure"],
        `\`${value}\` starts again what the flow stopped: it needs an \`ecs.batch_stop\` step with \`when: target_was_running\` before it`,
      );
  });
}
