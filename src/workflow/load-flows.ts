import { join } from "node:path";
import type { ConfigError } from "../config/format-config-errors.js";
import { loadYamlConfig, parseYamlConfig, type YamlConfigResult } from "../config/load-yaml-config.js";
import { type FlowFile, flowFileSchema } from "./flow-file-schema.js";
import { ACTION_OF_OPERATION, OPERATIONS, type Operation } from "./flow-vocabulary.js";
import type { FlowDefinition, FlowSet, FlowStep } from "./types.js";

export type FlowLoadResult = { ok: true; flow: FlowDefinition } | { ok: false; errors: ConfigError[] };
export type FlowsLoadResult = { ok: true; flows: FlowSet } | { ok: false; errors: ConfigError[] };

/** Flow files are small and hand-written. */
const MAX_FLOW_BYTES = 64 * 1024;

/**
 * Loads and validates `<dir>/{start,stop,reboot,resize,delete}.yml` (other files, e.g. `policy.yml`, are not
 * flows and are ignored). Every flow must be present and valid; all problems of all files are returned,
 * each with file, line and column (render them with `formatConfigErrors`). Call once at start and refuse to
 * run on errors.
 */
export async function loadFlows(dir: string): Promise<FlowsLoadResult> {
  const results = await Promise.all(
    OPERATIONS.map(async (operation) => {
      const file = join(dir, `${operation}.yml`);
      return { operation, result: await loadFlowFile(file, { operation }) };
    }),
  );
  const errors = results.flatMap(({ result }) => (result.ok ? [] : result.errors));
  if (errors.length > 0) return { ok: false, errors };
  const flows = Object.fromEntries(
    results.map(({ operation, result }) => [operation, (result as { ok: true; flow: FlowDefinition }).flow]),
  ) as Record<Operation, FlowDefinition>;
  return { ok: true, flows };
}

/**
 * Loads one flow file. With `operation`, the file must declare that operation (the file name decides what
 * an approval for that operation runs, so a mismatch is refused).
 */
export async function loadFlowFile(
  filePath: string,
  options: { operation?: Operation; text?: string } = {},
): Promise<FlowLoadResult> {
  const loaded = await loadYamlConfig(filePath, flowFileSchema, {
    maxBytes: MAX_FLOW_BYTES,
    ...(options.text !== undefined && { text: options.text }),
  });
  return compile(filePath, loaded, options.operation);
}

/** {@link loadFlowFile} for text in hand; `file` labels errors. */
export function parseFlow(text: string, file: string, operation?: Operation): FlowLoadResult {
  return compile(file, parseYamlConfig(file, text, flowFileSchema, { maxBytes: MAX_FLOW_BYTES }), operation);
}

function compile(
  file: string,
  loaded: YamlConfigResult<FlowFile>,
  operation: Operation | undefined,
): FlowLoadResult {
  if (!loaded.ok) return loaded;
  const { value, locate } = loaded;
  if (operation !== undefined && value.operation !== operation) {
    const at = locate(["operation"]);
    return {
      ok: false,
      errors: [
        {
          file,
          ...at,
          path: "operation",
          message: `\`operation: ${value.operation}\` does not match the file name; ${operation}.yml must declare \`operation: ${operation}\``,
        },
      ],
    };
  }
  const steps = value.steps.map((s): FlowStep => {
    const base = { id: s.id, description: s.description, onFailure: s.on_failure };
    switch (s.kind) {
      case "recheck":
        return { ...base, kind: "recheck" };
      case "call":
        return { ...base, kind: "call", call: s.call, when: s.when };
      default:
        return {
          ...base,
          kind: "wait",
          wait: s.wait,
          after: s.after,
          expect: s.expect,
          timeoutMs: s.timeout,
        };
    }
  });
  return {
    ok: true,
    flow: {
      operation: value.operation,
      action: ACTION_OF_OPERATION[value.operation],
      description: value.description,
      source: file,
      preflight: { description: value.preflight.description, checks: value.preflight.checks },
      approval: { description: value.approval.description, decidedBy: value.approval.decided_by },
      steps,
      report: {
        description: value.report.description,
        verb: value.report.verb,
        include: value.report.include,
      },
    },
  };
}
