import type { ListenerDeps } from "../listener-deps.js";

/**
 * `subteam_members_changed`, `subteam_updated`, `subteam_created`: the user groups the policy decides on are
 * read again for the next decision, on every replica. Not deduplicated: a redelivery forgets them once more,
 * which costs one read. Acked by Bolt on receipt; nobody is answered.
 */
export function handleUserGroupChanged(deps: ListenerDeps) {
  return async (): Promise<void> => {
    await deps.forgetUserGroups?.();
  };
}
