import { suggestClosest } from "../config/suggest-closest.js";
import type { Logger } from "../log/create-logger.js";
import { listPolicyGroups } from "../policy/list-policy-groups.js";
import type { Policy } from "../policy/types.js";
import type { ChatPort } from "./ports.js";

/**
 * Once the bot runs: one warning for each user group the policy names that the chat does not have (a misspelt
 * handle, or a group deleted since), with where the policy names it and the closest existing handle. Nobody can
 * be in such a group, so its rules would refuse or wait for nobody; the admin learns it at start rather than
 * from the first refused request. Not a refusal: the group may be created in Slack after the bot started, and a
 * request judges the groups as they are then. Resolves with the handles warned about; a chat that cannot be
 * read is logged and checked by nothing else.
 */
export async function warnUnknownPolicyGroups(
  policy: Policy,
  chat: Pick<ChatPort, "listUserGroups">,
  logger: Logger,
): Promise<string[]> {
  const named = listPolicyGroups(policy);
  if (named.length === 0) return [];
  let handles: string[];
  try {
    handles = (await chat.listUserGroups()).map((g) => g.handle.toLowerCase());
  } catch (error) {
    logger.warn({ err: error }, "could not read Slack's user groups to check the policy's groups");
    return [];
  }
  const known = new Set(handles);
  const unknown = named.filter((use) => !known.has(use.handle));
  for (const use of unknown) {
    const guess = suggestClosest(use.handle, handles);
    logger.warn(
      { group: use.handle, where: use.where, ...(guess !== undefined && { didYouMean: guess }) },
      `the policy names user group @${use.handle} (${use.where}), which Slack does not have: nobody can be in it${guess !== undefined ? ` (did you mean @${guess}?)` : ""}`,
    );
  }
  return unknown.map((use) => use.handle);
}
