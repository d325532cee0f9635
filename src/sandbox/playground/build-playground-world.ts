import { buildSlackWorld, type FakeSlackWorld, SLACK_IDS } from "../slack/index.js";

/** IDs of the people the playground adds to the fake Slack's default world. */
export const PLAYGROUND_IDS = {
  /** Frank Approver, the third member of @ops-approvers. */
  frank: "U_FRANK",
  dmFrank: "D_FRANK",
} as const;

/**
 * The playground's workspace: the fake Slack's default world (Alice the requester, Bob and Carol in
 * @ops-approvers, Dave in no group, Erin the admin) plus Frank Approver, a third member of @ops-approvers, in
 * #ops, #prod-ops and #random. The shipped policy asks 3 approvals for a delete of a server tagged env=prod
 * (`delete-needs-two-approvals` and `prod-needs-one-more`), and nobody approves their own request: with two
 * approvers, the bot refuses it as one nobody could approve; with three, a visitor requests it as Alice and
 * approves it as Bob, Carol and Frank. The end-to-end tests keep the default world.
 */
export function buildPlaygroundWorld(): FakeSlackWorld {
  const base = buildSlackWorld();
  const frank = {
    id: PLAYGROUND_IDS.frank,
    name: "frank",
    realName: "Frank Approver",
    email: "frank@example.test",
    isAdmin: false,
    isOwner: false,
    isBot: false,
    deleted: false,
    tz: "Europe/Berlin",
  };
  const shared = new Set<string>([SLACK_IDS.ops, SLACK_IDS.prod, SLACK_IDS.random]);
  // The DM with the bot (D_FRANK) is added by buildSlackWorld, as for every person without one.
  return buildSlackWorld({
    ...base,
    // Before the bot, so the person switcher lists the people first.
    users: [...base.users.filter((u) => !u.isBot), frank, ...base.users.filter((u) => u.isBot)],
    userGroups: base.userGroups.map((g) =>
      g.id === SLACK_IDS.opsApprovers ? { ...g, users: [...g.users, frank.id] } : g,
    ),
    channels: base.channels.map((c) => (shared.has(c.id) ? { ...c, members: [...c.members, frank.id] } : c)),
  });
}
