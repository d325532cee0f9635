import type {
  FakeSlackChannel,
  FakeSlackUser,
  FakeSlackUserGroup,
  FakeSlackWorld,
} from "./build-slack-world.js";
import type { FakeSlackMessage } from "./fake-slack-types.js";

/** Fixed creation time for seeded objects (2024-01-01T00:00:00Z). */
const SEED_EPOCH = 1_704_067_200;

/** A stored message as Slack's Web API shows it. */
export function formatMessage(message: FakeSlackMessage, world: FakeSlackWorld): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: "message",
    user: message.user,
    ts: message.ts,
    team: world.team.id,
  };
  if (message.text !== undefined) out.text = message.text;
  if (message.blocks !== undefined) out.blocks = message.blocks;
  if (message.attachments !== undefined) out.attachments = message.attachments;
  if (message.metadata !== undefined) out.metadata = message.metadata;
  if (message.threadTs !== undefined) out.thread_ts = message.threadTs;
  if (message.replyCount > 0) out.reply_count = message.replyCount;
  if (message.botId !== undefined) {
    out.bot_id = message.botId;
    out.app_id = world.bot.appId;
    out.bot_profile = {
      id: world.bot.botId,
      app_id: world.bot.appId,
      name: world.bot.name,
      deleted: false,
      team_id: world.team.id,
    };
  }
  const edits = message.history.length - 1;
  const last = message.history[message.history.length - 1];
  if (edits > 0 && last) {
    out.edited = { user: message.user, ts: String(Date.parse(last.at) / 1000) };
  }
  return out;
}

export function formatUser(user: FakeSlackUser, world: FakeSlackWorld): Record<string, unknown> {
  return {
    id: user.id,
    team_id: world.team.id,
    name: user.name,
    deleted: user.deleted,
    real_name: user.realName,
    tz: user.tz,
    tz_label: user.tz,
    tz_offset: 3600,
    is_admin: user.isAdmin,
    is_owner: user.isOwner,
    is_primary_owner: user.isOwner,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot,
    is_app_user: false,
    updated: SEED_EPOCH,
    profile: {
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.name,
      display_name_normalized: user.name,
      email: user.isBot ? undefined : user.email,
      team: world.team.id,
      ...(user.isBot ? { bot_id: world.bot.botId, api_app_id: world.bot.appId } : {}),
    },
  };
}

export function formatUserGroup(
  group: FakeSlackUserGroup,
  world: FakeSlackWorld,
  includeUsers: boolean,
): Record<string, unknown> {
  return {
    id: group.id,
    team_id: world.team.id,
    is_usergroup: true,
    is_subteam: true,
    name: group.name,
    description: group.description,
    handle: group.handle,
    is_external: false,
    date_create: SEED_EPOCH,
    date_update: SEED_EPOCH,
    date_delete: 0,
    auto_type: null,
    created_by: world.users.find((u) => u.isOwner)?.id ?? world.bot.userId,
    updated_by: world.users.find((u) => u.isOwner)?.id ?? world.bot.userId,
    deleted_by: null,
    prefs: { channels: [], groups: [] },
    user_count: group.users.length,
    ...(includeUsers ? { users: [...group.users] } : {}),
  };
}

export function formatChannel(channel: FakeSlackChannel, world: FakeSlackWorld): Record<string, unknown> {
  const isMember = channel.members.includes(world.bot.userId);
  if (channel.isIm) {
    return {
      id: channel.id,
      created: SEED_EPOCH,
      is_im: true,
      is_org_shared: false,
      user: channel.user,
      is_user_deleted: false,
      priority: 0,
    };
  }
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    is_channel: !channel.isPrivate,
    is_group: channel.isPrivate,
    is_im: false,
    is_mpim: false,
    is_private: channel.isPrivate,
    is_archived: channel.isArchived,
    is_general: false,
    is_shared: false,
    is_org_shared: false,
    is_ext_shared: false,
    is_member: isMember,
    created: SEED_EPOCH,
    creator: world.users.find((u) => u.isOwner)?.id ?? world.bot.userId,
    num_members: channel.members.length,
    topic: { value: "", creator: "", last_set: 0 },
    purpose: { value: "", creator: "", last_set: 0 },
  };
}
