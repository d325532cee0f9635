import type { FakeSlack, FakeSlackEphemeral, FakeSlackMessage } from "../slack/index.js";
import type { CommandHint } from "./build-command-hints.js";
import type { OpenView } from "./create-interaction-driver.js";

export interface PlaygroundUser {
  id: string;
  name: string;
  realName: string;
  isAdmin: boolean;
  /** User-group handles, e.g. `ops-approvers`. */
  groups: string[];
}

export interface PlaygroundChannel {
  id: string;
  /** Without `#`; for a DM the human's user ID. */
  name: string;
  isIm: boolean;
  /** For a DM: the human on the other side. */
  user?: string;
  members: string[];
}

/** Everything the page needs to draw itself (`GET /api/state`); SSE events keep it current. */
export interface PlaygroundState {
  /** `domain`: the page opens this workspace's permalinks (`https://<domain>.slack.com/archives/…`) itself. */
  team: { id: string; name: string; domain: string };
  bot: { userId: string; name: string };
  users: PlaygroundUser[];
  /** User groups, so `<!subteam^ID>` mentions show their handle. */
  groups: { id: string; handle: string }[];
  channels: PlaygroundChannel[];
  /** Every live message of every channel, thread replies included, oldest first per channel. */
  messages: FakeSlackMessage[];
  /** Every live ephemeral; the page shows each only to its user. */
  ephemerals: FakeSlackEphemeral[];
  views: OpenView[];
  /** Every user's Home tab as last published; the page shows each only to its user. */
  homes: { id: string; user: string; view: Record<string, unknown> }[];
  hints: CommandHint[];
}

export function buildPlaygroundState(
  slack: FakeSlack,
  views: OpenView[],
  hints: CommandHint[],
): PlaygroundState {
  const world = slack.world();
  return {
    team: { id: world.team.id, name: world.team.name, domain: world.team.domain },
    bot: { userId: world.bot.userId, name: world.bot.name },
    users: world.users
      .filter((u) => !u.isBot && !u.deleted)
      .map((u) => ({
        id: u.id,
        name: u.name,
        realName: u.realName,
        isAdmin: u.isAdmin,
        groups: world.userGroups.filter((g) => g.users.includes(u.id)).map((g) => g.handle),
      })),
    groups: world.userGroups.map((g) => ({ id: g.id, handle: g.handle })),
    channels: world.channels
      .filter((c) => !c.isArchived)
      .map((c) => ({
        id: c.id,
        name: c.name,
        isIm: c.isIm,
        ...(c.user !== undefined ? { user: c.user } : {}),
        members: [...c.members],
      })),
    messages: world.channels.flatMap((c) => slack.messages(c.id, { includeReplies: true })),
    ephemerals: slack.ephemerals().filter((e) => !e.deleted),
    views,
    homes: slack.homeViews().map((h) => ({ id: h.id, user: h.user, view: h.view })),
    hints,
  };
}
