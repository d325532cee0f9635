import { createHash } from "node:crypto";
import { toCanonicalJson } from "../store/to-canonical-json.js";
import type { ApprovalRequest } from "./approval-request.js";

/** What an approval is bound to: the action, the exact servers, their expected state, the parameters. */
export interface BindingInput {
  action: string;
  /** Order does not matter: sorted before hashing. */
  serverIds: readonly string[];
  parameters: Readonly<Record<string, unknown>>;
  /**
   * Order does not matter: sorted by id before hashing. `name`, `tags` and `selectedBy` are the facts the
   * policy decided on; requests recorded before they were bound have none (and keep their v1 hash).
   */
  expectedState: ReadonlyArray<{
    id: string;
    status: string;
    flavor: string;
    name?: string;
    tags?: Readonly<Record<string, string>>;
    selectedBy?: readonly string[];
    /** Bound when known; absent (requests recorded before it was bound) it is left out, keeping their hash. */
    locked?: boolean;
  }>;
}

/**
 * Bumped when the hashed document's shape changes, so an old hash can never match a new document by
 * accident. v2 adds each target's name, tags and selecting tags.
 */
const BINDING_FORMAT_V1 = "hwc-chatops/approval-binding/v1";
const BINDING_FORMAT_V2 = "hwc-chatops/approval-binding/v2";

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * SHA-256 (lowercase hex) of the canonical JSON of the binding. Stable across processes and key orders;
 * any change to the action, the set of servers, a parameter, an expected status/flavor, or a target's
 * name, tags, selecting tags or lock changes it.
 */
export function computeBindingHash(input: BindingInput): string {
  const v2 = input.expectedState.some((t) => t.tags !== undefined);
  const document = {
    format: v2 ? BINDING_FORMAT_V2 : BINDING_FORMAT_V1,
    action: input.action,
    serverIds: [...input.serverIds].sort(),
    parameters: input.parameters,
    expectedState: [...input.expectedState]
      .map(({ id, status, flavor, name, tags, selectedBy, locked }) =>
        v2
          ? {
              id,
              status,
              flavor,
              name: name ?? "",
              tags: tags ?? {},
              selectedBy: [...(selectedBy ?? [])].sort(),
              ...(locked !== undefined && { locked }),
            }
          : { id, status, flavor },
      )
      .sort(byId),
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
