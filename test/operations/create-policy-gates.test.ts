/**
 * The policy gates (`/ecs <op> help`, the buttons `/ecs show` offers, read commands) decide as of the bot's
 * clock, as a new request does: a freeze next month denies nothing today, a window open now grants now, and
 * both take effect when the clock reaches them. Time is the injected clock, moved by the test.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { ChatPort, ChatUserGroup } from "../../src/app/ports.js";
import type { Server } from "../../src/cloud/types.js";
import type { MutationIntent, ReadIntent } from "../../src/commands/types.js";
import { type IntentAction, parseIntent } from "../../src/intents/index.js";
import {
  createActionOffer,
  createDescribePolicy,
  createReadPolicy,
} from "../../src/operations/create-policy-gates.js";
import { decidePolicy, snapshotOf } from "../../src/operations/decide-policy.js";
import { parsePolicy } from "../../src/policy/load-policy.js";

const NOW = Date.parse("2026-06-10T12:00:00Z");
const IN_FREEZE = Date.parse("2026-07-02T12:00:00Z");
const AFTER_WINDOW = Date.parse("2026-06-11T12:00:00Z");

const loaded = parsePolicy(
  `
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
calendars:
  freeze:
    kind: freeze
    description: A freeze in July.
    events:
      - { start: "2026-07-01T00:00:00Z", end: "2026-07-08T00:00:00Z" }
  window:
    kind: window
    description: A window around noon on 2026-06-10.
    events:
      - { start: "2026-06-10T11:00:00Z", end: "2026-06-10T13:00:00Z" }
rules:
  - id: reads
    description: Listing is allowed outside the freeze.
    actions: [ecs:servers:list]
    match: { outside: [freeze] }
    effect: allow
  - id: soft-power
    description: Soft power changes are routine.
    actions: [ecs:cloudServers:start, ecs:cloudServers:stop, ecs:cloudServers:reboot]
    match: { flags: { hard: false } }
    effect: allow
  - id: freeze-denies-power
    description: No power changes during the freeze.
    actions: [ecs:cloudServers:stop, ecs:cloudServers:reboot]
    match: { during: [freeze] }
    effect: { deny: "Changes are frozen." }
  - id: migrate-in-window
    description: Migrations in the window, with one approval.
    actions: [ecs:cloudServers:migrate]
    match: { during: [window] }
    effect: { require_approval: { min_approvals: 1 } }
`,
  "gates.yml",
);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const policy = loaded.policy;

const GROUPS: ChatUserGroup[] = [{ id: "S1", handle: "ops-approvers", users: ["U_BOB", "U_CAROL"] }];
/** Only what the gates use of a chat port: the user groups. */
const chat = { recentUserGroups: async () => GROUPS } as unknown as ChatPort;
const request = { actor: { userId: "U_ALICE", teamId: "T0001" }, channelId: "C_OPS", channelName: "ops" };

function serverOf(name: string, status: Server["status"] = "ACTIVE"): Server {
  return {
    id: `id-${name}`,
    name,
    status,
    flavor: { id: "s6.medium.2" },
    addresses: [],
    tags: ["env=dev"],
    metadata: {},
    volumeIds: [],
    securityGroups: [],
  };
}
const web = serverOf("web-04");

let now = NOW;
const clock = { now: () => now };
beforeEach(() => {
  now = NOW;
});

describe("createDescribePolicy (help's Current policy)", () => {
  const describeNow = async () => {
    const describe = await createDescribePolicy({ policy: () => policy, chat: () => chat, clock })(request);
    if (describe === undefined) throw new Error("no description");
    return (action: IntentAction) => describe(action)?.verdict;
  };

  it("a freeze next month does not deny today; in the freeze it does", async () => {
    expect((await describeNow())("ecs:cloudServers:stop")).toBe("allowed");
    now = IN_FREEZE;
    expect((await describeNow())("ecs:cloudServers:stop")).toBe("denied");
  });

  it("a window open now grants with approval; once it has closed nothing grants", async () => {
    expect((await describeNow())("ecs:cloudServers:migrate")).toBe("needs approval");
    now = AFTER_WINDOW;
    expect((await describeNow())("ecs:cloudServers:migrate")).toBe("denied");
  });

  it("says what a request made now, on a server no rule singles out, gets", async () => {
    const groups = snapshotOf(GROUPS);
    for (const at of [NOW, IN_FREEZE, AFTER_WINDOW]) {
      now = at;
      const verdict = await describeNow();
      const actions = ["stop", "reboot", "start", "migrate"] as const;
      for (const action of actions.map((a) => `ecs:cloudServers:${a}` as const)) {
        const decided = decidePolicy(
          policy,
          {
            action,
            requesterId: "U_ALICE",
            channel: { id: "C_OPS", name: "ops" },
            targets: [web],
            flags: {},
            at,
          },
          groups,
        );
        const expected =
          decided.effect === "allow" ? "allowed" : decided.effect === "deny" ? "denied" : "needs approval";
        expect(verdict(action), `${action} at ${new Date(at).toISOString()}`).toBe(expected);
      }
    }
  });
});

describe("createActionOffer (/ecs show's buttons)", () => {
  const intents: MutationIntent[] = [
    { type: "ecs.stop", targets: [{ kind: "id", id: web.id }], hard: false },
    { type: "ecs.reboot", targets: [{ kind: "id", id: web.id }], hard: false },
  ];
  const offered = async () =>
    (
      await createActionOffer({ policy: () => policy, clock })(intents, { request, servers: [web], chat })
    ).map((i) => i.type);

  it("offers Stop and Reboot while the freeze is a month away, none once it is in force", async () => {
    expect(await offered()).toEqual(["ecs.stop", "ecs.reboot"]);
    now = IN_FREEZE;
    expect(await offered()).toEqual([]);
  });
});

describe("createReadPolicy", () => {
  const parsed = parseIntent("/ecs", "list");
  if (!parsed.ok) throw new Error(parsed.error.message);
  const list = parsed.intent as ReadIntent;
  const read = () =>
    createReadPolicy({ policy: () => policy, chat: () => chat, clock })(list, { request, servers: [], chat });

  it("a rule allowing reads outside the freeze allows them now, not in the freeze", async () => {
    expect(await read()).toEqual({ allowed: true });
    now = IN_FREEZE;
    expect(await read()).toMatchObject({ allowed: false });
  });
});
