import type { ViewOutput } from "@slack/bolt";
import type { Actor } from "../../../app/ports.js";
import type { ViewSubmission } from "../../../commands/types.js";

/**
 * A submitted Slack view as the platform-neutral {@link ViewSubmission}. Inputs built from a `ModalSpec`
 * use the input ID as both block ID and action ID, so they map back to that ID; any other input maps to
 * `<block_id>.<action_id>`.
 */
export function toViewSubmission(view: ViewOutput, actor: Actor): ViewSubmission {
  const values: Record<string, string | undefined> = {};
  for (const [blockId, actions] of Object.entries(view.state?.values ?? {})) {
    for (const [actionId, state] of Object.entries(actions ?? {})) {
      const s = state as { value?: string | null; selected_option?: { value?: string } | null };
      const value = s.value ?? s.selected_option?.value ?? undefined;
      const key = blockId === actionId ? blockId : `${blockId}.${actionId}`;
      values[key] = value === null || value === "" ? undefined : value;
    }
  }
  return {
    callbackId: view.callback_id,
    viewId: view.id,
    privateMetadata: view.private_metadata ?? "",
    values,
    actor,
  };
}
