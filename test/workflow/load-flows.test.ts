import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import {
  CALLS_OF_OPERATION,
  OPERATIONS,
  PRIMARY_CALL_OF_OPERATION,
  REQUIRED_CHECKS,
} from "../../src/workflow/flow-vocabulary.js";
import { loadFlowFile, loadFlows, parseFlow } from "../../src/workflow/load-flows.js";
import { callPlanOf, DEFAULT_CALL_PLANS } from "../../src/workflow/operation-rules.js";

const FIXTURES = "test/workflow/fixtures";

describe("shipped flows", () => {
  it("are all present and valid", async () => {
    const result = await loadFlows("flows");
    if (!result.ok) throw new Error(formatConfigErrors(result.errors));
    expect(Object.keys(result.flows).sort()).toEqual([...OPERATIONS].sort());
  });

  it("describe the flow, every check, the approval point, every step and the report", async () => {
    const result = await loadFlows("flows");
    if (!result.ok) throw new Error("invalid");
    for (const flow of Object.values(result.flows)) {
      expect(flow.description.length).toBeGreaterThan(20);
      expect(flow.approval.decidedBy).toBe("policy");
      for (const text of [
        flow.preflight.description,
        flow.approval.description,
        flow.report.description,
        ...flow.preflight.checks.map((c) => c.description),
        ...flow.steps.map((s) => s.description),
      ]) {
        expect(text.trim().length).toBeGreaterThan(10);
      }
      expect(flow.steps[0]!.kind).toBe("recheck");
      for (const required of REQUIRED_CHECKS[flow.operation]) {
        expect(flow.preflight.checks.map((c) => c.check)).toContain(required);
      }
      const calls = flow.steps.flatMap((s) => (s.kind === "call" ? [s.call] : []));
      expect(calls).toContain(PRIMARY_CALL_OF_OPERATION[flow.operation]);
      for (const call of calls) expect(CALLS_OF_OPERATION[flow.operation]).toContain(call);
    }
  });

  it("plan the same calls as the defaults the preflight uses without a flow", async () => {
    const result = await loadFlows("flows");
    if (!result.ok) throw new Error("invalid");
    for (const op of OPERATIONS) expect(callPlanOf(result.flows[op].steps)).toEqual(DEFAULT_CALL_PLANS[op]);
  });

  it("resize stops, resizes and starts again the servers that were running, waiting for each job", async () => {
    const result = await loadFlows("flows");
    if (!result.ok) throw new Error("invalid");
    expect(
      result.flows.resize.steps.map((s) => (s.kind === "call" ? `${s.call}?${s.when}` : s.kind)),
    ).toEqual([
      "recheck",
      "ecs.batch_stop?target_was_running",
      "wait",
      "ecs.resize?always",
      "wait",
      "ecs.batch_start?target_was_running",
      "wait",
    ]);
  });
});

/** Each fixture, the text on the line the error must point at, and what the message must say. */
const REFUSED: [file: string, line: string, message: RegExp][] = [
  [
    "unknown-step-kind.yml",
    "kind: shell",
    /`kind: shell` is not a step kind; use one of `recheck`, `call`, `wait`/,
  ],
  ["unknown-call.yml", "call: ecs.batch_stop_all", /is not one of .*did you mean `ecs\.batch_stop`/],
  [
    "expression-condition.yml",
    'when: "{{',
    /is not one of `always`, `target_was_running`, `target_was_stopped`/,
  ],
  ["unknown-key.yml", "script:", /unknown key `script`/],
  ["stop-calls-delete.yml", "call: ecs.delete", /a stop flow may not call `ecs\.delete`/],
  ["missing-description.yml", "- id: stop", /missing required key `description`/],
  ["empty-description.yml", 'description: "  "', /must not be empty/],
  ["wait-names-later-step.yml", "after: wait_stopped", /names no call step before this one/],
  ["no-recheck.yml", "- id: stop", /first step must be a `recheck`/],
  [
    "unknown-on-failure.yml",
    "on_failure: retry_forever",
    /is not one of `stop_flow`, `start_stopped_then_stop_flow`/,
  ],
  [
    "start-stopped-without-start.yml",
    "on_failure: start_stopped_then_stop_flow",
    /a stop flow may not call `ecs\.batch_start`, so it cannot start servers again/,
  ],
  ["wrong-expectation.yml", "expect: deleted", /`ecs\.batch_stop` ends with `expect: stopped`/],
  ["bad-timeout.yml", "timeout: forever", /is not a duration/],
  ["too-long-timeout.yml", "timeout: 2d", /`timeout: 2d` must be between 1s and 1d; use e.g\. 15m/],
  ["missing-check.yml", "    - check: targets_exist", /must run the checks `status_allows_operation`/],
  ["duplicate-key.yml", "call: ecs.batch_start", /duplicate key `call`/],
  ["proto-key.yml", "__proto__:", /unknown key `__proto__`/],
  ["js-function-tag.yml", "!!js/function", /Unresolved tag/],
  ["call-without-wait.yml", "- id: stop", /step `stop` has no `wait` after it/],
  ["syntax-error.yml", "verb: [stopped", /YAML syntax error/],
  ["yaml-bomb.yml", "x-b:", /YAML bomb/],
  [
    "tag-waits-for-a-job.yml",
    "wait: job",
    /`ecs\.add_tags` returns no job: its outcome is read from the servers with `wait: state`/,
  ],
  ["tag-without-limit.yml", "    - check: targets_exist", /a tag flow must run the checks `tag_limit`/],
  [
    "detach-without-system-disk-check.yml",
    "    - check: targets_exist",
    /a detach flow must run the checks `volume_detachable`/,
  ],
];

describe("malformed and hostile flow files", () => {
  it("accept the valid base the fixtures are derived from", async () => {
    const result = await loadFlowFile(join(FIXTURES, "valid-stop.yml"));
    expect(result.ok).toBe(true);
  });

  it.each(REFUSED)("%s is refused at the offending line", async (file, needle, message) => {
    const path = join(FIXTURES, file);
    const text = await readFile(path, "utf8");
    const result = await loadFlowFile(path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = text.split("\n");
    const expectedLine = lines.findIndex((l) => l.includes(needle)) + 1;
    expect(expectedLine).toBeGreaterThan(0);
    const hit = result.errors.find((e) => message.test(e.message));
    expect(hit, formatConfigErrors(result.errors)).toBeDefined();
    // A syntax error may be detected on the line after the broken one.
    if (file === "syntax-error.yml") expect(Math.abs(hit!.line - expectedLine)).toBeLessThanOrEqual(1);
    else expect(hit!.line).toBe(expectedLine);
    expect(hit!.file).toBe(path);
    expect(formatConfigErrors([hit!])).toMatch(new RegExp(`^${path.replace(/[.]/g, "\\.")}:\\d+:\\d+: `));
  });

  it("refuses a flow filed under another operation's name", async () => {
    const text = await readFile("flows/stop.yml", "utf8");
    const result = parseFlow(text, "flows/start.yml", "start");
    expect(result).toMatchObject({
      ok: false,
      errors: [{ file: "flows/start.yml", line: 2, path: "operation" }],
    });
  });

  it("refuses a directory with a flow missing, naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flows-"));
    try {
      for (const op of OPERATIONS.filter((o) => o !== "delete")) {
        await writeFile(join(dir, `${op}.yml`), await readFile(`flows/${op}.yml`, "utf8"));
      }
      const result = await loadFlows(dir);
      expect(result).toMatchObject({
        ok: false,
        errors: [{ file: join(dir, "delete.yml"), line: 1, message: "file not found" }],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a flow saved as .yaml instead of .yml: refused, and the message names the file to rename", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flows-"));
    try {
      for (const op of OPERATIONS) {
        const name = op === "stop" ? "stop.yaml" : `${op}.yml`;
        await writeFile(join(dir, name), await readFile(`flows/${op}.yml`, "utf8"));
      }
      const result = await loadFlows(dir);
      expect(result).toMatchObject({
        ok: false,
        errors: [
          {
            file: join(dir, "stop.yml"),
            line: 1,
            message: "file not found; stop.yaml is there: rename it to stop.yml",
          },
        ],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses an oversized flow file", () => {
    const result = parseFlow(`description: "${"x".repeat(70_000)}"\n`, "big.yml");
    expect(result).toMatchObject({
      ok: false,
      errors: [{ line: 1, message: expect.stringContaining("bytes") }],
    });
  });
});
