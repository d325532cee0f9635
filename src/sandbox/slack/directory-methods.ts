import { formatChannel, formatUser, formatUserGroup } from "./format-slack-objects.js";
import {
  type ApiAnswer,
  boolArg,
  fail,
  type MethodContext,
  stringArg,
  type WebApiMethod,
} from "./web-api-method.js";

const NO_MORE_PAGES = { next_cursor: "" };

function authTest({ state }: MethodContext): ApiAnswer {
  const { team, bot } = state.world;
  return {
    ok: true,
    url: `https://${team.domain}.slack.com/`,
    team: team.name,
    user: bot.name,
    team_id: team.id,
    user_id: bot.userId,
    bot_id: bot.botId,
    is_enterprise_install: false,
  };
}

function usersInfo({ state, args }: MethodContext): ApiAnswer {
  const id = stringArg(args, "user");
  const user = id === undefined ? undefined : state.findUser(id);
  if (!user) return fail("user_not_found");
  return { ok: true, user: formatUser(user, state.world) };
}

function usersList({ state }: MethodContext): ApiAnswer {
  return {
    ok: true,
    members: state.world.users.map((u) => formatUser(u, state.world)),
    cache_ts: Math.floor(state.now() / 1000),
    response_metadata: NO_MORE_PAGES,
  };
}

function usergroupsList({ state, args }: MethodContext): ApiAnswer {
  const includeUsers = boolArg(args, "include_users");
  return {
    ok: true,
    usergroups: state.world.userGroups.map((g) => formatUserGroup(g, state.world, includeUsers)),
  };
}

function usergroupsUsersList({ state, args }: MethodContext): ApiAnswer {
  const id = stringArg(args, "usergroup");
  const group = state.world.userGroups.find((g) => g.id === id);
  if (!group) return fail("no_such_subteam");
  return { ok: true, users: [...group.users] };
}

/** A channel the bot may see: public channels always, private ones and DMs only as a member. */
function visibleChannel({ state, args }: MethodContext) {
  const ref = stringArg(args, "channel");
  const channel = ref === undefined ? undefined : state.resolveChannel(ref);
  if (!channel) return undefined;
  if ((channel.isPrivate || channel.isIm) && !state.isBotMember(channel)) return undefined;
  return channel;
}

function conversationsInfo(ctx: MethodContext): ApiAnswer {
  const channel = visibleChannel(ctx);
  if (!channel) return fail("channel_not_found");
  return { ok: true, channel: formatChannel(channel, ctx.state.world) };
}

function conversationsMembers(ctx: MethodContext): ApiAnswer {
  const channel = visibleChannel(ctx);
  if (!channel) return fail("channel_not_found");
  return { ok: true, members: [...channel.members], response_metadata: NO_MORE_PAGES };
}

function conversationsJoin(ctx: MethodContext): ApiAnswer {
  const channel = visibleChannel(ctx);
  if (!channel) return fail("channel_not_found");
  if (channel.isPrivate || channel.isIm) return fail("method_not_supported_for_channel_type");
  if (channel.isArchived) return fail("is_archived");
  const botId = ctx.state.world.bot.userId;
  const already = channel.members.includes(botId);
  if (!already) channel.members.push(botId);
  return {
    ok: true,
    channel: formatChannel(channel, ctx.state.world),
    ...(already
      ? { warning: "already_in_channel", response_metadata: { warnings: ["already_in_channel"] } }
      : {}),
  };
}

function conversationsOpen({ state, args }: MethodContext): ApiAnswer {
  const users = (stringArg(args, "users") ?? "").split(",").filter((u) => u.length > 0);
  if (users.length !== 1) {
    // Group DMs are not part of the fake world.
    return users.length === 0 ? fail("users_list_not_supplied") : fail("not_implemented");
  }
  const userId = users[0] as string;
  if (!state.findUser(userId)) return fail("user_not_found");
  const dm = state.resolveChannel(userId);
  if (!dm) return fail("user_not_found");
  return { ok: true, channel: { id: dm.id } };
}

export const DIRECTORY_METHODS: Record<string, WebApiMethod> = {
  "auth.test": { token: "bot", handle: authTest },
  "users.info": { token: "bot", handle: usersInfo },
  "users.list": { token: "bot", handle: usersList },
  "usergroups.list": { token: "bot", handle: usergroupsList },
  "usergroups.users.list": { token: "bot", handle: usergroupsUsersList },
  "conversations.info": { token: "bot", handle: conversationsInfo },
  "conversations.members": { token: "bot", handle: conversationsMembers },
  "conversations.join": { token: "bot", handle: conversationsJoin },
  "conversations.open": { token: "bot", handle: conversationsOpen },
};
