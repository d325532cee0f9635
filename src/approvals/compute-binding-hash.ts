import { createHash } from "node:crypto";
import { toCanonicalJson } from "../store/to-canonical-json.js";
import type { ApprovalRequest } from "./approval-request.js";

/** What an approval is bound to: the action, the exact servers, their expected state, the parameters. */
export interface BindingInput {
  action: string;
  /** Order does not matter: sorted before hashing. */
  serverIds: readonly string[];
  parameters: Readonly<Record<string, unknown>>;
  /** Order does not matter: sorted by id before hashing. */
  expectedState: ReadonlyArray<{ id: string; status: string; flavor: string }>;
}

/**
 * Bumped if the hashed document's shape ever changes, so an old hash can never match a new document by
 * accident.
 */
const BINDING_FORMAT = "hwc-chatops/approval-binding/v1";

/**
 * SHA-256 (lowercase hex) of the canonical JSON of the binding. Stable across processes and key orders;
 * any change to the action, the set of servers, a parameter, or an expected status/flavor changes it.
 */
export function computeBindingHash(input: BindingInput): string {
  const document = {
    format: BINDING_FORMAT,
    action: input.action,
    serverIds: [...input.serverIds].sort(),
    parameters: input.parameters,
    expectedState: [...input.expectedState]
      .map(({ id, status, flavor }) => ({ id, status, flavor }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
  return createHash("sha256").update(toCanonicalJson(document), "utf8").digest("hex");
}

/** The binding of a stored request, recomputed from its own fields. */
export function bindingInputOf(
  request: Pick<ApprovalRequest, "action" | "targets" | "parameters">,
): BindingInput {
  return {
    action: request.action,
    serverIds: request.targets.map((t) => t.id),
    parameters: request.parameters,
    expectedState: request.targets,
  };
}

/** True iff the request's action, targets and parameters still hash to its `bindingHash`. */
export function verifyBinding(
  request: Pick<ApprovalRequest, "action" | "targets" | "parameters" | "bindingHash">,
): boolean {
  return computeBindingHash(bindingInputOf(request)) === request.bindingHash;
}
