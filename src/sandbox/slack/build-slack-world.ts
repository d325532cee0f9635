/**
 * The seeded Slack workspace the fake serves: team, bot, users, user groups and channels.
 * Every ID is stable so end-to-end tests and the playground can name people and places directly.
 */

export interface FakeSlackTeam {
  id: string;
  name: string;
  domain: string;
}

export interface FakeSlackBot {
  /** The bot's user ID (`auth.test` → `user_id`). */
  userId: string;
  /** The bot ID (`auth.test` → `bot_id`, `message.bot_id`). */
  botId: string;
  appId: string;
  name: string;
}

export interface FakeSlackUser {
  id: string;
  /** The username (`@alice`). */
  name: string;
  realName: string;
  email: string;
  isAdmin: boolean;
  isOwner: boolean;
  isBot: boolean;
  deleted: boolean;
  tz: string;
}

export interface FakeSlackUserGroup {
  id: string;
  /** The mention handle without `@`, e.g. `ops-approvers`. */
  handle: string;
  name: string;
  description: string;
  users: string[];
}

export interface FakeSlackChannel {
  id: string;
  /** Name without `#`; for a DM the other user's ID. */
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  /** For a DM: the human on the other side. */
  user?: string;
  isArchived: boolean;
  /** Member user IDs; the bot is a member when `bot.userId` is listed. */
  members: string[];
}

export interface FakeSlackWorld {
  team: FakeSlackTeam;
  bot: FakeSlackBot;
  users: FakeSlackUser[];
  userGroups: FakeSlackUserGroup[];
  channels: FakeSlackChannel[];
}

/** Credentials the fake accepts by default. Not secrets: they only open the loopback fake. */
export const FAKE_SLACK_DEFAULTS = {
  botToken: "xoxb-0001-fake-bot-token",
  appToken: "xapp-1-A_APP-0001-fake-app-token",
  signingSecret: "fake-slack-signing-secret-0001",
  /** Legacy verification token, carried in payloads' `token` field. */
  verificationToken: "fake-verification-token",
} as const;

/** IDs of the default world, for readable tests. */
export const SLACK_IDS = {
  team: "T0001",
  bot: "U_BOT",
  botId: "B_BOT",
  app: "A_APP",
  alice: "U_ALICE",
  bob: "U_BOB",
  carol: "U_CAROL",
  dave: "U_DAVE",
  erin: "U_ERIN",
  opsApprovers: "S_OPS_APPROVERS",
  sre: "S_SRE",
  ops: "C_OPS",
  prod: "C_PROD",
  random: "C_RANDOM",
  dmAlice: "D_ALICE",
  dmBob: "D_BOB",
  dmCarol: "D_CAROL",
  dmDave: "D_DAVE",
  dmErin: "D_ERIN",
} as const;

function user(id: string, name: string, realName: string, extra: Partial<FakeSlackUser> = {}): FakeSlackUser {
  return {
    id,
    name,
    realName,
    email: `${name}@example.test`,
    isAdmin: false,
    isOwner: false,
    isBot: false,
    deleted: false,
    tz: "Europe/Berlin",
    ...extra,
  };
}

/**
 * Builds the default world, with any top-level part replaced by `overrides`.
 * A DM channel `D_<NAME>` (bot + user) is added for every human user that has none, so overriding
 * `users` still gives each of them a DM.
 */
export function buildSlackWorld(overrides: Partial<FakeSlackWorld> = {}): FakeSlackWorld {
  const team = overrides.team ?? { id: SLACK_IDS.team, name: "HWC Fake Team", domain: "hwc-fake" };
  const bot = overrides.bot ?? {
    userId: SLACK_IDS.bot,
    botId: SLACK_IDS.botId,
    appId: SLACK_IDS.app,
    name: "hwc-chatops",
  };
  const humans = overrides.users ?? [
    user(SLACK_IDS.alice, "alice", "Alice Operator"),
    user(SLACK_IDS.bob, "bob", "Bob Approver"),
    user(SLACK_IDS.carol, "carol", "Carol Approver"),
    user(SLACK_IDS.dave, "dave", "Dave Outsider"),
    user(SLACK_IDS.erin, "erin", "Erin Admin", { isAdmin: true, isOwner: true }),
  ];
  const users = humans.some((u) => u.id === bot.userId)
    ? humans
    : [...humans, user(bot.userId, bot.name, bot.name, { isBot: true, email: "" })];
  const userGroups = overrides.userGroups ?? [
    {
      id: SLACK_IDS.opsApprovers,
      handle: "ops-approvers",
      name: "Ops Approvers",
      description: "Approve production operations",
      users: [SLACK_IDS.bob, SLACK_IDS.carol],
    },
    {
      id: SLACK_IDS.sre,
      handle: "sre",
      name: "SRE",
      description: "Site reliability engineers",
      users: [SLACK_IDS.alice, SLACK_IDS.erin],
    },
  ];
  const everyone = humans.filter((u) => !u.isBot && !u.deleted).map((u) => u.id);
  const channels = overrides.channels
    ? [...overrides.channels]
    : [
        channel(SLACK_IDS.ops, "ops", [bot.userId, ...everyone]),
        channel(SLACK_IDS.prod, "prod-ops", [
          bot.userId,
          SLACK_IDS.alice,
          SLACK_IDS.bob,
          SLACK_IDS.carol,
          SLACK_IDS.erin,
        ]),
        channel(SLACK_IDS.random, "random", everyone),
      ];
  for (const human of humans) {
    if (human.isBot) continue;
    if (channels.some((c) => c.isIm && c.user === human.id)) continue;
    channels.push({
      id: `D_${human.name.toUpperCase()}`,
      name: human.id,
      isPrivate: true,
      isIm: true,
      user: human.id,
      isArchived: false,
      members: [human.id, bot.userId],
    });
  }
  return structuredClone({ team, bot, users, userGroups, channels });
}

function channel(id: string, name: string, members: string[]): FakeSlackChannel {
  return { id, name, isPrivate: false, isIm: false, isArchived: false, members };
}
