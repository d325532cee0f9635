import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Server } from "../../src/cloud/types.js";
import type { MutationContext, MutationIntent, OpsIntent } from "../../src/commands/types.js";
import { actions, button, md, section } from "../../src/render/message-model.js";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { blocksText, findElement } from "../helpers/read-slack-blocks.js";
import { registerReasonModal, SHORT_REASON_ERROR, submitReason } from "../helpers/reason-modal.js";
import { sendBlockAction, sendSlashCommand } from "../helpers/slack-requests.js";
import { type BotHarness, startBotHarness } from "../helpers/start-bot-harness.js";

/**
 * The seams another engineer plugs policy/approvals/execution into: the mutation and ops handlers and
 * the action/modal registries, exercised through the real bot.
 */
const mutations: {
  intent: MutationIntent;
  servers: Server[];
  origin: MutationContext["origin"];
  user: string;
}[] = [];
const ops: OpsIntent[] = [];
let submissions: Record<string, string | undefined>[];
let h: BotHarness;

beforeAll(async () => {
  h = await startBotHarness({
    sim: { edgeCases: true },
    handlers: {
      async mutation(intent, ctx) {
        mutations.push({
          intent,
          servers: [...ctx.servers],
          origin: ctx.origin,
          user: ctx.request.actor.userId,
        });
        // A handler posts in the channel (e.g. an approval request); where it cannot, the requester is told.
        await ctx.postToChannel({
          text: md`approval needed`,
          blocks: [
            section({ text: md`Approve ${intent.type} of ${ctx.servers.map((s) => s.name).join(", ")}?` }),
            actions(button({ id: "approval.approve", label: md`Approve`, value: "req-1" })),
          ],
        });
      },
      async ops(intent, ctx) {
        ops.push(intent);
        await ctx.responder.respond({
          text: md`ops handled`,
          blocks: [section({ text: md`ops: ${intent.type}` })],
        });
      },
    },
  });
  h.bot.registerAction("approval", async (action, ctx) => {
    await ctx.responder?.respond(
      { text: md`approved`, blocks: [section({ text: md`Approved ${action.value ?? ""}` })] },
      { replaceOriginal: true },
    );
  });
  submissions = registerReasonModal(h.bot, "approval.reject");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.fake.reset();
  mutations.length = 0;
});

function command(text: string, fields: { command?: string; channel?: string } = {}) {
  return sendSlashCommand(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildSlashCommand({ command: "/ecs", ...fields, text }),
  );
}

describe("mutation handler", () => {
  it("receives the parsed intent with targets resolved to servers (IDs), once each", async () => {
    await command("stop web-01 tag:role=db web-01 --hard");
    await h.fake.waitFor(() => mutations[0]);
    const [call] = mutations;
    expect(call?.intent).toMatchObject({ type: "ecs.stop", hard: true });
    expect(call?.servers.map((s) => s.name)).toEqual(["web-01", "db-01", "db-02"]);
    expect(call?.servers[0]?.id).toBe(h.sim.control.server("web-01")?.id);
    expect(call?.origin).toBe("command");
    await h.fake.waitFor(() => h.fake.messages(SLACK_IDS.ops)[0]);
  });

  it("is not called for unresolved targets: the requester gets the error instead", async () => {
    await command("reboot web-01 tag:env=nowhere");
    const answer = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    expect(blocksText(answer.blocks)).toContain("No server has the tag `env=nowhere`");
    expect(mutations).toEqual([]);
  });

  it("an ambiguous target is settled by the requester first; nothing runs before", async () => {
    await command("start dup-01 web-02");
    const menu = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    expect(blocksText(menu.blocks)).toContain("Nothing runs until you choose");
    expect(mutations).toEqual([]);
    const option = findElement(menu.blocks, "pick.server")?.options?.[0];
    const chosenId = option?.value.split(":").at(-1);
    await sendBlockAction(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildBlockAction({
        user: SLACK_IDS.alice,
        message: menu,
        isEphemeral: true,
        actions: [{ actionId: "pick.server", type: "static_select", extra: { selected_option: option } }],
      }),
    );
    await h.fake.waitFor(() => mutations[0]);
    expect(mutations[0]?.origin).toBe("pick");
    expect(mutations[0]?.servers.map((s) => s.id)).toEqual([chosenId, h.sim.control.server("web-02")?.id]);

    // The same choice cannot continue the command twice.
    await sendBlockAction(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildBlockAction({
        user: SLACK_IDS.alice,
        message: menu,
        isEphemeral: true,
        actions: [{ actionId: "pick.server", type: "static_select", extra: { selected_option: option } }],
      }),
    );
    await h.fake.waitFor(() => h.fake.responses().filter((r) => r.effect.kind !== "rejected").length >= 3);
    expect(mutations).toHaveLength(1);
  });

  it("a handler posting where the bot is not a member explains it to the requester", async () => {
    await command("stop web-03", { channel: SLACK_IDS.random });
    const answer = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    // Named by the user ID the fake Slack's auth.test gave at start, as a mention Slack renders.
    expect(blocksText(answer.blocks)).toContain(`\`/invite\` <@${SLACK_IDS.bot}>`);
  });
});

describe("ops handler and registries", () => {
  it("/ops verbs go to the ops handler; /ops help stays with the router", async () => {
    await command("audit web-01 5", { command: "/ops" });
    await h.fake.waitFor(() => ops[0]);
    expect(ops[0]).toMatchObject({ type: "ops.audit", limit: 5 });
    await command("help", { command: "/ops" });
    const help = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[1]);
    expect(blocksText(help.blocks)).toContain("/ops policy explain");
    expect(ops).toHaveLength(1);
  });

  it("a registered action prefix receives its clicks", async () => {
    await command("stop web-04");
    const posted = await h.fake.waitFor(() => h.fake.messages(SLACK_IDS.ops)[0]);
    await sendBlockAction(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildBlockAction({
        user: SLACK_IDS.bob,
        message: posted,
        actions: [{ actionId: "approval.approve" }],
      }),
    );
    await h.fake.waitFor(() => h.fake.responses().find((r) => r.effect.kind === "replaced_message"));
    expect(blocksText(h.fake.message(SLACK_IDS.ops, posted.ts)?.blocks)).toContain("Approved req-1");
  });

  it("a registered modal: validation errors in the ack, then the handler", async () => {
    const view = { id: "V_REJECT", callback_id: "approval.reject", private_metadata: "req-1" };
    const short = await submitReason(h, view, "no");
    expect(short.json).toEqual({ response_action: "errors", errors: { reason: SHORT_REASON_ERROR } });
    const good = await submitReason(h, view, "kernel patch pending");
    expect(good.status).toBe(200);
    expect(good.body).toBe("");
    await h.fake.waitFor(() => submissions.length === 1 || undefined);
    expect(submissions).toEqual([{ reason: "kernel patch pending" }]);
  });

  it("a prefix can be registered once", () => {
    expect(() => h.bot.registerAction("approval", async () => {})).toThrow(/already registered/);
    expect(() => h.bot.registerAction("q.page", async () => {})).toThrow(/already registered/);
  });
});
