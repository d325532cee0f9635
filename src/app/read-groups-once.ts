import type { ChatPort, ChatUserGroup } from "./ports.js";

/** Handles of the groups `userId` is a member of, sorted: what a policy's `requesters.groups` match. */
export function groupHandlesOf(groups: readonly ChatUserGroup[], userId: string): string[] {
  return groups
    .filter((g) => g.users.includes(userId))
    .map((g) => g.handle)
    .sort();
}

/** A copy of the groups that shares nothing with them: one caller's changes never reach another. */
export function copyUserGroups(groups: readonly ChatUserGroup[]): ChatUserGroup[] {
  return groups.map((g) => ({ ...g, users: [...g.users] }));
}

/**
 * The chat port for the work of one command: the user groups are read at most once, on first use, and every
 * later question about them (the read policy, the actions a view may offer) gets that same answer; a
 * `recentUserGroups` after a read made now gets that read. Each caller gets its own copy of the groups. Not
 * for anything that outlives the command: a click is a new command and reads the groups again.
 */
export function readGroupsOnce(chat: ChatPort): ChatPort {
  let groups: Promise<ChatUserGroup[]> | undefined;
  let recent: Promise<ChatUserGroup[]> | undefined;
  const list = async () => {
    groups ??= chat.listUserGroups();
    return copyUserGroups(await groups);
  };
  // A read made now for this command is at least as recent as a kept one.
  const listRecent = async () => {
    if (groups !== undefined) return copyUserGroups(await groups);
    recent ??= chat.recentUserGroups();
    return copyUserGroups(await recent);
  };
  return {
    postMessage: (channel, message, options) => chat.postMessage(channel, message, options),
    updateMessage: (ref, message) => chat.updateMessage(ref, message),
    postEphemeral: (channel, userId, message, options) =>
      chat.postEphemeral(channel, userId, message, options),
    openModal: (triggerId, modal) => chat.openModal(triggerId, modal),
    userGroupsOf: async (userId) => groupHandlesOf(await list(), userId),
    listUserGroups: list,
    recentUserGroups: listRecent,
    userTimeZone: (userId) => chat.userTimeZone(userId),
    getPermalink: (ref) => chat.getPermalink(ref),
    postDirect: (userId, message) => chat.postDirect(userId, message),
    publishHome: (userId, view) => chat.publishHome(userId, view),
  };
}
