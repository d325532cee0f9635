/**
 * The handlers of `createOperations` with an in-memory store and stand-in chat ports (no Slack, no cloud):
 * what must hold before anything reaches the cloud.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ChatPort, Responder } from "../../src/app/ports.js";
import type { CloudClient, Server } from "../../src/cloud/types.js";
import type { MutationContext } from "../../src/commands/types.js";
import { createOperations } from "../../src/operations/index.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import type { Message } from "../../src/render/message-model.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import type { FlowSet } from "../../src/workflow/types.js";

const POLICY = `
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
rules:
  - id: reads-for-sre
    description: Only SRE may read.
    actions: ["ecs:*:list", "ecs:*:get"]
    match: { requesters: { groups: [sre] } }
    effect: allow
  - id: soft-power
    description: Soft power is fine.
    actions: [ecs:cloudServers:stop]
    match: { flags: { hard: false } }
    effect: allow
  - id: delete-needs-approval
    description: Deletes need approval.
    actions: [ecs:cloudServers:delete]
    effect: { require_approval: { min_approvals: 2 } }
`;

function policy() {
  const loaded = parsePolicy(POLICY, "test-policy.yml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.policy;
}

/** A chat port that records what it is asked and knows Alice as a member of `groups`. */
function recordingChat(groups: string[] = []) {
  const calls: string[] = [];
  const chat: ChatPort = {
    postMessage: async (channel) => {
      calls.push(`postMessage ${channel}`);
      return { channel, ts: "1.000001" };
    },
    updateMessage: async () => {
      calls.push("updateMessage");
    },
    postEphemeral: async () => {
      calls.push("postEphemeral");
    },
    openModal: async () => {
      calls.push("openModal");
    },
    userTimeZone: async () => "UTC",
    userGroupsOf: async () => {
      calls.push("userGroupsOf");
      return groups;
    },
    listUserGroups: async () => {
      calls.push("listUserGroups");
      return groups.map((handle) => ({ id: `S_${handle}`, handle, users: ["U_ALICE"] }));
    },
    recentUserGroups: async () => {
      calls.push("recentUserGroups");
      return groups.map((handle) => ({ id: `S_${handle}`, handle, users: ["U_ALICE"] }));
    },
    getPermalink: async (ref) => {
      calls.push("getPermalink");
      return `https://example.slack.com/archives/${ref.channel}/p${ref.ts}`;
    },
    postDirect: async (user) => {
      calls.push(`postDirect ${user}`);
      return { channel: user, ts: "1.000002" };
    },
    publishHome: async (user) => {
      calls.push(`publishHome ${user}`);
    },
  };
  return { chat, calls };
}

const server = {
  id: "11111111-0000-0000-0000-000000000001",
  name: "web-01",
  status: "ACTIVE",
  tags: ["env=dev"],
} as Server;

function mutationContext(chat: ChatPort, store: Store, replies: Message[]): MutationContext {
  const responder: Responder = {
    respond: async (message) => {
      replies.push(message);
    },
  };
  return {
    request: {
      actor: { userId: "U_ALICE", teamId: "T1" },
      channelId: "C_OPS",
      channelName: "ops",
      commandLine: "/ecs stop web-01",
      requestId: "ref1",
    },
    responder,
    chat,
    cloud: {} as CloudClient,
    store,
    logger: pino({ level: "silent" }),
    resolveTargets: async () => ({ ok: true, servers: [server], outcomes: [] }),
    replyWithError: async () => {},
    postToChannel: (message) => chat.postMessage("C_OPS", message),
    servers: [server],
    origin: "command",
  };
}

describe("createOperations", () => {
  it("nothing happens when the audit record of the decision cannot be written", async () => {
    const base = createMemoryStore();
    const store: Store = {
      ...base,
      namespace: base.namespace,
      append: async () => {
        throw new Error("audit stream unavailable");
      },
    };
    const ops = createOperations({
      policy: policy(),
      flows: {} as FlowSet,
      store,
      cloud: {} as CloudClient,
      logger: pino({ level: "silent" }),
    });
    const { chat, calls } = recordingChat();
    const replies: Message[] = [];
    await expect(
      ops.handlers.mutation(
        { type: "ecs.stop", targets: [{ kind: "name", name: "web-01" }], hard: false },
        mutationContext(chat, store, replies),
      ),
    ).rejects.toThrow("audit stream unavailable");
    expect(calls).toEqual(["recentUserGroups"]);
    expect(replies).toEqual([]);
    expect(await base.members("approvals:status:pending")).toEqual([]);
  });

  it("the read policy follows the policy file with the user's groups as recently read; help describes actions", async () => {
    const store = createMemoryStore();
    const sre = recordingChat(["sre"]);
    const ops = createOperations({
      policy: policy(),
      flows: {} as FlowSet,
      store,
      cloud: {} as CloudClient,
      logger: pino({ level: "silent" }),
      chat: sre.chat,
    });
    const request = { actor: { userId: "U_ALICE", teamId: "T1" }, channelId: "C_OPS" };
    expect(
      await ops.handlers.readPolicy({ type: "ecs.list", filters: { tags: [] } }, { request, servers: [] }),
    ).toEqual({
      allowed: true,
    });
    expect(sre.calls).toEqual(["recentUserGroups"]);

    const outsider = createOperations({
      policy: policy(),
      flows: {} as FlowSet,
      store,
      cloud: {} as CloudClient,
      logger: pino({ level: "silent" }),
      chat: recordingChat([]).chat,
    });
    const denied = await outsider.handlers.readPolicy(
      { type: "ecs.list", filters: { tags: [] } },
      { request, servers: [] },
    );
    expect(denied.allowed).toBe(false);

    const describe = await ops.handlers.describePolicy(request);
    expect(describe?.("ecs:cloudServers:stop")?.verdict).toBe("allowed");
    expect(describe?.("ecs:cloudServers:delete")?.verdict).toBe("needs approval");
    expect(describe?.("ecs:cloudServers:reboot")?.verdict).toBe("denied");
  });

  it("registers its action prefixes and its exact view callback ID", () => {
    const ops = createOperations({
      policy: policy(),
      flows: {} as FlowSet,
      store: createMemoryStore(),
      cloud: {} as CloudClient,
      logger: pino({ level: "silent" }),
    });
    const registered: string[] = [];
    ops.register({
      registerAction: (prefix) => registered.push(`action ${prefix}`),
      registerView: (prefix) => registered.push(`view ${prefix}`),
    });
    expect(registered).toEqual([
      "action ops.waves",
      "action ops.breakglass.ack",
      "action ops.request.details",
      "action ops.approval",
      "action ops.audit.page",
      "view ops.approval.reject",
    ]);
  });
});
