import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeSlackEphemeral, SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { mentionTheBot } from "../helpers/mention-the-bot.js";
import { blocksText, findElement, mrkdwnTexts } from "../helpers/read-slack-blocks.js";
import { sendBlockAction, sendSlashCommand } from "../helpers/slack-requests.js";
import { type BotHarness, startBotHarness } from "../helpers/start-bot-harness.js";

/**
 * The bot over HTTP, end to end: signed requests from the harness → our HTTP front → Bolt → router →
 * simulated Huawei Cloud; replies land in the fake Slack. Nothing of ours is mocked.
 */
let h: BotHarness;

beforeAll(async () => {
  h = await startBotHarness({ sim: { edgeCases: true } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.fake.reset();
  h.sim.control.clearFaults();
});

function command(text: string, fields: { command?: string; user?: string; channel?: string } = {}) {
  return sendSlashCommand(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildSlashCommand({ command: "/ecs", ...fields, text }),
  );
}

/** The nth reply (through response_url) to a user, once it arrives. */
function reply(n = 0, user: string = SLACK_IDS.alice): Promise<FakeSlackEphemeral> {
  return h.fake.waitFor(() => h.fake.ephemerals({ user })[n]);
}

/**
 * No broadcast, channel link or URL link in any mrkdwn text, and no user mention except the ones we
 * produce ourselves (`trustedMentions`, user IDs): each of those exactly once, as exactly `<@ID>`.
 */
function expectNoControlSequences(blocks: unknown, trustedMentions: readonly string[] = []): void {
  const texts = mrkdwnTexts(blocks);
  for (const text of texts) expect(text).not.toMatch(/<!|<#|<https?:/);
  const mentions = texts.flatMap((text) => text.match(/<@[^>]*>?/g) ?? []);
  expect(mentions).toEqual(trustedMentions.map((id) => `<@${id}>`));
}

describe("slash commands over HTTP", () => {
  it("/ecs list: signed request acked with 200, the fleet comes back to the requester", async () => {
    const result = await command("list");
    expect(result.status).toBe(200);
    const answer = await reply();
    expect(answer.via).toBe("response_url");
    const text = blocksText(answer.blocks);
    const fleet = h.sim.control.servers();
    expect(text).toContain(`${fleet.length} in total`);
    for (const server of fleet.filter((s) => /^[a-z]+-\d+$/.test(s.name))) {
      expect(text).toContain(`*\`${server.name}\`*`);
      expect(text).toContain(server.id);
    }
    expect(text).toContain(":large_green_circle:");
    expect(findElement(answer.blocks, "q.share")).toBeDefined();
  });

  it("hostile server names (edge cases) are harmless in the posted blocks", async () => {
    await command("list");
    const answer = await reply();
    expectNoControlSequences(answer.blocks);
    const text = blocksText(answer.blocks);
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).toContain("&lt;https://evil.example|Approve&gt;");
    const evil = h.sim.control.server("<https://evil.example|Approve>");
    await command(`show ${evil?.id}`);
    const detail = await reply(1);
    expectNoControlSequences(detail.blocks);
    expect(blocksText(detail.blocks)).toContain(evil?.id);
  });

  it("/hss ports web-01: ports listed, dangerous ones flagged with port/protocol, process path and PID", async () => {
    await command("ports web-01", { command: "/hss" });
    const answer = await reply();
    const web01 = h.sim.control.server("web-01");
    const ports = h.sim.control.ports(web01?.id ?? "");
    const dangerous = ports.filter((p) => p.status === "danger");
    expect(dangerous.length).toBeGreaterThan(0);
    const lines = mrkdwnTexts(answer.blocks).join("\n").split("\n");
    for (const port of ports) {
      const at = lines.findIndex((l) => l.includes(`${port.port}/${port.type}*`));
      expect(at, `port ${port.port}/${port.type}`).toBeGreaterThanOrEqual(0);
      const [title, details] = [lines[at] ?? "", lines[at + 1] ?? ""];
      if (port.status === "danger") {
        expect(title).toContain(":rotating_light:");
        expect(title).toContain("*dangerous*");
      } else {
        expect(title).not.toContain("dangerous");
      }
      expect(details).toContain(`\`${port.path}\``);
      expect(details).toContain(`PID: ${port.pid}`);
    }
    expect(blocksText(answer.blocks)).toContain(`${dangerous.length} dangerous`);
  });

  it("ambiguous name: a select for the requester; choosing shows the chosen server", async () => {
    await command("show dup-01");
    const menu = await reply();
    const select = findElement(menu.blocks, "pick.server");
    expect(select?.type).toBe("static_select");
    const twins = h.sim.control.findServers("dup-01");
    expect(select?.options?.map((o) => o.value.split(":").at(-1)).sort()).toEqual(
      twins.map((t) => t.id).sort(),
    );

    const chosen = twins[1];
    const option = select?.options?.find((o) => o.value.endsWith(`:${chosen?.id}`));
    const click = await sendBlockAction(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildBlockAction({
        user: SLACK_IDS.alice,
        message: menu,
        isEphemeral: true,
        actions: [{ actionId: "pick.server", type: "static_select", extra: { selected_option: option } }],
      }),
    );
    expect(click.status).toBe(200);
    const replaced = await h.fake.waitFor(() =>
      h.fake.responses().find((r) => r.effect.kind === "replaced_ephemeral"),
    );
    const detail = h.fake.ephemerals({ user: SLACK_IDS.alice })[0];
    expect(replaced.body.replace_original).toBe(true);
    const text = blocksText(detail?.blocks);
    expect(text).toContain(chosen?.id);
    expect(text).toContain(chosen?.availabilityZone);
    expect(text).not.toContain(twins[0]?.id);
  });

  it("someone else cannot answer the requester's menu", async () => {
    await command("show dup-01");
    const menu = await reply();
    const option = findElement(menu.blocks, "pick.server")?.options?.[0];
    await sendBlockAction(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildBlockAction({
        user: SLACK_IDS.dave,
        message: menu,
        isEphemeral: true,
        actions: [{ actionId: "pick.server", type: "static_select", extra: { selected_option: option } }],
      }),
    );
    const refusal = await reply(0, SLACK_IDS.dave);
    expect(blocksText(refusal.blocks)).toContain("Only the person who ran the command");
  });

  it("unknown server: a helpful error with the closest names", async () => {
    await command("show web-1");
    const answer = await reply();
    const text = blocksText(answer.blocks);
    expect(text).toContain("No server is named `web-1`");
    expect(text).toContain("`web-01`");
  });

  it("a cloud error reaches the user with its error code and request ID", async () => {
    h.sim.control.clearRequests();
    // More than the client retries a read (a 500 is retried): the list fails.
    h.sim.control.failNextRequests({ status: 500, count: 10, match: "servers/detail" });
    await command("list");
    const answer = await reply();
    // The answer names the last attempt's request ID (the one the user's error came from).
    const failed = h.sim.control
      .requests()
      .filter((r) => r.fault === "error")
      .at(-1);
    expect(failed).toBeDefined();
    const text = blocksText(answer.blocks);
    expect(text).toContain("Huawei Cloud had an internal error");
    expect(text).toMatch(/Error code: `[A-Za-z][\w.]*`/);
    expect(text).toContain(`Request ID: \`${failed?.requestId}\``);
  });

  it("parse errors, help, and mutations without a handler", async () => {
    await command("stpo web-01");
    expect(blocksText((await reply(0)).blocks)).toContain("Did you mean `/ecs stop web-01`?");
    await command("help", { command: "/ops" });
    expect(blocksText((await reply(1)).blocks)).toContain("/ops");
    await command("stop help");
    expect(blocksText((await reply(2)).blocks)).toContain("/ecs stop");
    await command("stop web-01");
    expect(blocksText((await reply(3)).blocks)).toContain("`/ecs stop` is not enabled in this deployment");
    await command("jobs", { command: "/ops" });
    expect(blocksText((await reply(4)).blocks)).toContain("`/ops jobs` is not enabled in this deployment");
    expect(h.sim.control.requests().filter((r) => r.mutation !== null)).toEqual([]);
  });
});

describe("sharing and posting where the bot cannot", () => {
  async function share(channel: string) {
    await command("list", { channel });
    const list = await reply();
    const button = findElement(list.blocks, "q.share");
    await sendBlockAction(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildBlockAction({
        user: SLACK_IDS.alice,
        channel,
        message: list,
        isEphemeral: true,
        actions: [{ actionId: "q.share", value: button?.value ?? "" }],
      }),
    );
  }

  it("Share in channel posts the list as the bot, attributed to the requester", async () => {
    await share(SLACK_IDS.ops);
    const posted = await h.fake.waitFor(() => h.fake.messages(SLACK_IDS.ops)[0]);
    const text = blocksText(posted.blocks);
    expect(text).toContain("web-01");
    expect(text).toMatch(/Shared by/);
    expect(findElement(posted.blocks, "q.share")).toBeUndefined();
    // The channel copy carries the edge-case names too: still no broadcasts or links, and the only
    // mention is the attribution we render ourselves.
    expect(text).toContain("&lt;!channel&gt;");
    expect(mrkdwnTexts(posted.blocks)).toContain(`Shared by <@${SLACK_IDS.alice}>`);
    expectNoControlSequences(posted.blocks, [SLACK_IDS.alice]);
  });

  it("not_in_channel: the requester is told to invite the bot", async () => {
    await share(SLACK_IDS.random);
    const explanation = await reply(1);
    expect(blocksText(explanation.blocks)).toContain("not a member");
    // Named by the user ID the fake Slack's auth.test gave at start, as a mention Slack renders.
    expect(blocksText(explanation.blocks)).toContain(`\`/invite\` <@${SLACK_IDS.bot}>`);
    expect(h.fake.calls("chat.postMessage").map((c) => c.response.body.error)).toEqual(["not_in_channel"]);
    expect(h.fake.messages(SLACK_IDS.random)).toEqual([]);
  });

  it("a DM the bot is not part of: explained too, never silence", async () => {
    await share("D_SOMEONE_ELSE");
    const explanation = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[1]);
    expect(blocksText(explanation.blocks)).toContain("direct message I'm not part of");
  });
});

describe("paging", () => {
  it("Next re-queries the cloud for the page; the button value carries only page + token", async () => {
    const added = Array.from({ length: 25 }, (_, i) =>
      h.sim.control.addServer({ name: `zz-page-${String(i).padStart(2, "0")}`, tags: { env: "paging" } }),
    );
    try {
      await command("list tag=env=paging");
      const first = await reply();
      expect(blocksText(first.blocks)).toContain("Showing 1–20 of 25");
      const next = findElement(first.blocks, "q.page.next");
      expect(next?.value).toMatch(/^2:[A-Za-z0-9_-]{12}$/);
      h.sim.control.clearRequests();
      await sendBlockAction(
        h.eventsUrl,
        h.fake.signingSecret,
        h.fake.buildBlockAction({
          user: SLACK_IDS.alice,
          message: first,
          isEphemeral: true,
          actions: [{ actionId: "q.page.next", value: next?.value ?? "" }],
        }),
      );
      await h.fake.waitFor(() => h.fake.responses().find((r) => r.effect.kind === "replaced_ephemeral"));
      const page2 = h.fake.ephemerals({ user: SLACK_IDS.alice })[0];
      expect(blocksText(page2?.blocks)).toContain("Showing 21–25 of 25");
      // By tag alone, the cloud's tag index pages the servers (newest first): the oldest are on page 2.
      expect(blocksText(page2?.blocks)).toContain("zz-page-00");
      expect(blocksText(page2?.blocks)).not.toContain("zz-page-24");
      expect(
        h.sim.control.requests().filter((r) => r.path.endsWith("/resource_instances/action")),
      ).toHaveLength(1);
    } finally {
      for (const s of added) h.sim.control.deleteServer(s.id);
    }
  });
});

describe("request verification", () => {
  const variants = [
    ["unsigned", { signature: "omit" as const }],
    ["wrong signature", { signature: "corrupt" as const }],
    ["6 minutes old", { skewSeconds: -6 * 60 }],
    ["6 minutes in the future", { skewSeconds: 6 * 60 }],
    ["no timestamp", { omitTimestamp: true }],
  ] as const;

  for (const [name, options] of variants) {
    it(`${name}: 401 and nothing posted`, async () => {
      const result = await sendSlashCommand(
        h.eventsUrl,
        h.fake.signingSecret,
        h.fake.buildSlashCommand({ text: "list" }),
        options,
      );
      expect(result.status).toBe(401);
      // Give a wrongly accepted request time to show up before concluding nothing happened.
      await command("help");
      await reply();
      expect(h.fake.responses()).toHaveLength(1);
      expect(h.fake.calls("chat.postMessage")).toEqual([]);
    });
  }

  it("a future timestamp is refused before Bolt sees it (Bolt alone would accept it)", async () => {
    const before = h.logs.length;
    await sendSlashCommand(h.eventsUrl, h.fake.signingSecret, h.fake.buildSlashCommand({ text: "list" }), {
      skewSeconds: 6 * 60,
    });
    expect(h.logs.slice(before).some((l) => l.reason === "in_future")).toBe(true);
  });

  it("within the window in either direction is accepted", async () => {
    for (const skewSeconds of [-4 * 60, 4 * 60]) {
      const result = await sendSlashCommand(
        h.eventsUrl,
        h.fake.signingSecret,
        h.fake.buildSlashCommand({ text: "help" }),
        { skewSeconds },
      );
      expect(result.status).toBe(200);
    }
  });
});

describe("HTTP front", () => {
  it("/healthz answers 200 JSON with a status; unknown paths 404", async () => {
    const health = await fetch(`${h.bot.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get("content-type")).toMatch(/application\/json/);
    expect(await health.json()).toMatchObject({ status: "ok", transport: "http" });
    expect((await fetch(`${h.bot.url}/nope`)).status).toBe(404);
    expect((await fetch(`${h.bot.url}/slack/events`)).status).toBe(405);
  });
});

describe("events", () => {
  it("answers a human's mention in its thread and ignores bots, itself included", async () => {
    const fromBot = await mentionTheBot(h, SLACK_IDS.bot, { botId: SLACK_IDS.botId });
    const human = await mentionTheBot(h);
    const answer = await h.fake.waitFor(() => h.fake.thread(SLACK_IDS.ops, human.ts)[1]);
    expect(blocksText(answer.blocks)).toContain("/ecs help");
    expect(h.fake.thread(SLACK_IDS.ops, fromBot.ts)).toHaveLength(1);
    expect(h.fake.calls("chat.postMessage")).toHaveLength(1);
  });
});
