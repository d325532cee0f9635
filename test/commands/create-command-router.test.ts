import { Writable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChatPort, Responder } from "../../src/app/ports.js";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import type { CloudClient } from "../../src/cloud/types.js";
import { type CommandRouter, createCommandRouter } from "../../src/commands/create-command-router.js";
import type { CommandHandlers, CommandRequest } from "../../src/commands/types.js";
import { createLogger } from "../../src/log/create-logger.js";
import type { Message } from "../../src/render/message-model.js";
import { md, section } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { blocksText, findElement } from "../helpers/read-slack-blocks.js";

/**
 * The router with the simulated cloud and in-memory implementations of the chat ports (the ports are the
 * seam; nothing of ours is replaced).
 */
let sim: CloudSimulator;
let cloud: CloudClient;
const logLines: Record<string, unknown>[] = [];
const logger = createLogger({
  level: "debug",
  destination: new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split("\n")) if (l) logLines.push(JSON.parse(l));
      cb();
    },
  }),
});

interface Reply {
  message: Message;
  options?: { inChannel?: boolean; replaceOriginal?: boolean };
}

function responder(): Responder & { replies: Reply[]; text(n?: number): string } {
  const replies: Reply[] = [];
  return {
    replies,
    async respond(message, options) {
      replies.push({ message, ...(options ? { options } : {}) });
    },
    text(n = replies.length - 1) {
      const r = replies[n];
      return r ? blocksText(renderBlockKit(r.message).blocks) : "";
    },
  };
}

const chat: ChatPort = {
  postMessage: async (channel) => ({ channel, ts: "1.1" }),
  updateMessage: async () => {},
  postEphemeral: async () => {},
  openModal: async () => {},
  userGroupsOf: async () => [],
  listUserGroups: async () => [],
  recentUserGroups: async () => [],
  getPermalink: async (ref) => `https://example.slack.com/archives/${ref.channel}/p${ref.ts}`,
  postDirect: async (user) => ({ channel: user, ts: "1.2" }),
  publishHome: async () => {},
  userTimeZone: async () => "UTC",
};

const actor = { userId: "U0ALICE", teamId: "T1" };
const request = (command: string, text: string): CommandRequest => ({
  command,
  text,
  actor,
  channelId: "C1",
});

function router(handlers: CommandHandlers = {}): CommandRouter {
  return createCommandRouter({ cloud, chat, store: createMemoryStore(), logger, handlers });
}

beforeAll(async () => {
  sim = await startCloudSimulator({ edgeCases: true });
  cloud = createCloudClient({
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  });
});
afterAll(async () => {
  await cloud.close();
  await sim.close();
});
beforeEach(() => sim.control.clearRequests());

describe("createCommandRouter", () => {
  it("help shows the live policy when described, the shipped one in any case", async () => {
    const r1 = responder();
    await router({
      describePolicy: async () => (action) =>
        action === "ecs:cloudServers:stop" ? { verdict: "needs approval", serverRules: [] } : undefined,
    }).handleCommand(request("/ecs", "stop help"), r1);
    expect(r1.text()).toContain("Current policy: needs approval before it runs.");
    const r2 = responder();
    await router({ describePolicy: async () => Promise.reject(new Error("policy down")) }).handleCommand(
      request("/ecs", "help stop"),
      r2,
    );
    expect(r2.text()).toContain("Shipped policy: allowed; `--hard`: 1 approval");
    const r3 = responder();
    await router().handleCommand(request("/ecs", ""), r3);
    expect(r3.text()).toContain("/ecs: Elastic Cloud Servers");
  });

  it("a read policy can refuse a read after resolution, before any listing", async () => {
    const r = responder();
    const seen: string[] = [];
    await router({
      readPolicy: async (intent, ctx) => {
        seen.push(`${intent.type}:${ctx.servers.map((s) => s.name).join(",")}`);
        return { allowed: false, message: { text: md`no`, blocks: [section({ text: md`Not for you.` })] } };
      },
    }).handleCommand(request("/hss", "ports web-02"), r);
    expect(r.text()).toContain("Not for you.");
    expect(seen).toEqual(["hss.ports:web-02"]);
    expect(sim.control.requests().some((q) => q.path.includes("/asset/ports"))).toBe(false);
  });

  it("a page click whose token expired says so and replaces the message", async () => {
    const r = responder();
    await router().handleAction(
      { actionId: "q.page.next", value: "2:unknowntoken", actor, isEphemeral: true },
      r,
    );
    expect(r.text()).toContain("This result has expired");
    expect(r.replies[0]?.options).toEqual({ replaceOriginal: true });
  });

  it("a page click re-runs the stored query", async () => {
    const rt = router();
    const r = responder();
    await rt.handleCommand(request("/ecs", "list"), r);
    const share = findElement(renderBlockKit(r.replies[0]!.message).blocks, "q.share");
    const token = share?.value?.split(":")[1];
    sim.control.clearRequests();
    await rt.handleAction({ actionId: "q.page.prev", value: `1:${token}`, actor, isEphemeral: true }, r);
    expect(r.text(1)).toContain("ECS servers");
    expect(sim.control.requests().filter((q) => q.path.endsWith("/cloudservers/detail"))).toHaveLength(1);
  });

  it("an action nobody registered gets a polite answer", async () => {
    const r = responder();
    await router().handleAction({ actionId: "approval.approve", actor, isEphemeral: false }, r);
    expect(r.text()).toContain("not handled by this deployment");
  });

  it("a failing mutation handler becomes 'something went wrong (reference …)' with the details logged", async () => {
    const r = responder();
    await router({
      mutation: async () => {
        throw new Error("executor exploded");
      },
    }).handleCommand(request("/ecs", "reboot web-01"), r);
    const reference = /reference `([0-9a-f]{8})`/.exec(r.text())?.[1];
    expect(reference).toBeDefined();
    expect(r.text()).not.toContain("exploded");
    expect(JSON.stringify(logLines.find((l) => l.reference === reference))).toContain("executor exploded");
  });

  it("a mutation without a handler is refused before any cloud call", async () => {
    const r = responder();
    await router().handleCommand(request("/ecs", "delete web-01 --delete-volume"), r);
    expect(r.text()).toContain("`/ecs delete` is not enabled in this deployment");
    expect(sim.control.requests()).toEqual([]);
  });

  it("resize --dry-run goes to the mutation handler (policy applies to it)", async () => {
    const r = responder();
    const types: string[] = [];
    await router({ mutation: async (intent) => void types.push(intent.type) }).handleCommand(
      request("/ecs", "resize web-01 s6.xlarge.2 --dry-run"),
      r,
    );
    expect(types).toEqual(["ecs.resize"]);
  });

  it("modals nobody registered: no errors, no throw", async () => {
    const rt = router();
    const submission = { callbackId: "x.y", viewId: "V", privateMetadata: "", values: {}, actor };
    expect(rt.validateView(submission)).toBeUndefined();
    await expect(rt.handleView(submission)).resolves.toBeUndefined();
  });

  it("a reply that cannot be delivered is logged, not thrown", async () => {
    const failing: Responder = {
      respond: async () => {
        throw new Error("response_url expired");
      },
    };
    await expect(router().handleCommand(request("/ecs", "help"), failing)).resolves.toBeUndefined();
    expect(logLines.some((l) => l.msg === "could not reply to the requester")).toBe(true);
  });
});
