import { describe, expect, it } from "vitest";
import { BLOCK_KIT_LIMITS } from "../../src/render/block-kit-limits.js";
import { buildErrorMessage } from "../../src/render/build-error-message.js";
import { buildListMessage } from "../../src/render/build-list-message.js";
import { formatCount } from "../../src/render/escape-mrkdwn.js";
import type { ListItem, Message } from "../../src/render/message-model.js";
import {
  actions,
  bold,
  button,
  code,
  codeBlock,
  context,
  divider,
  header,
  link,
  list,
  md,
  pagination,
  section,
  select,
  userMention,
} from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import {
  collectMrkdwn,
  collectPlainText,
  countListedItems,
  expectValidBlockKit,
  toGoldenJson,
} from "./block-kit-test-helpers.js";

const STATUSES = ["ACTIVE", "SHUTOFF", "ERROR", "REBOOT", "BUILD", "SOMETHING_NEW"];

function server(i: number): ListItem {
  return {
    status: STATUSES[i % STATUSES.length]!,
    title: `ecs-prod-${String(i).padStart(5, "0")}`,
    subtitle: "s6.large.2 · cn-north-4a",
    fields: [
      { label: "IP", value: `10.0.${i >> 8}.${i & 255}` },
      { label: "ID", value: code(`3f1c${String(i).padStart(4, "0")}-9a2b-4c7d-8e1f-0b2a3c4d5e6f`) },
    ],
  };
}

const HOSTILE_NAMES = [
  "<!channel>",
  "<!here>",
  "<@U123>",
  "<https://evil.example|Approve>",
  "<#C123|general>",
  "*bold*",
  "`code`",
  "&lt;already escaped&gt;",
  "x".repeat(5000),
  "服务器-数据库-01 🚀👨‍👩‍👧‍👦",
  "line one\nline two\n> fake quote",
  ":large_green_circle: looks healthy",
  "@channel wake up",
  "\u202Eexe.txt",
];

function listMessage(items: readonly ListItem[], total?: number): Message {
  return {
    text: md`ECS servers in cn-north-4`,
    blocks: [
      header(md`ECS servers in cn-north-4`),
      context(md`Requested by ${userMention("U0LEAD42")}`),
      list(items, total === undefined ? {} : { total }),
      divider(),
      actions(
        button({ id: "servers.refresh", label: md`:arrows_counterclockwise: Refresh`, value: "cn-north-4" }),
        select({
          id: "servers.filter",
          placeholder: md`Filter by status`,
          options: ["ACTIVE", "SHUTOFF", "ERROR"].map((s) => ({ label: s, value: `status=${s}` })),
        }),
      ),
    ],
  };
}

describe("renderBlockKit: 10,000-item list", () => {
  const items = Array.from({ length: 10_000 }, (_, i) => server(i));
  const rendered = renderBlockKit(listMessage(items));

  it("stays within every Block Kit limit", () => {
    expectValidBlockKit(rendered);
    expect(rendered.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(rendered.blocks).length).toBeLessThanOrEqual(13_000);
    for (const block of rendered.blocks) {
      if (block.type === "section") expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
  });

  it("says truthfully how many items were left out and keeps the buttons", () => {
    const shown = countListedItems(rendered);
    expect(shown).toBeGreaterThan(20);
    const footer = JSON.stringify(rendered.blocks.at(-3));
    expect(footer).toContain(
      `…and ${formatCount(10_000 - shown)} more (use the buttons / filters to narrow down)`,
    );
    expect(rendered.blocks.at(-1)?.type).toBe("actions");
    // Item boundaries: the last shown item is whole, including its field line.
    expect(JSON.stringify(rendered.blocks)).toContain(`ecs-prod-${String(shown - 1).padStart(5, "0")}*`);
    expect(JSON.stringify(rendered.blocks)).not.toContain(`ecs-prod-${String(shown).padStart(5, "0")}`);
  });

  it("matches the golden file", async () => {
    await expect(toGoldenJson(rendered)).toMatchFileSnapshot("./golden/list-10000-items.json");
  });

  it("counts a server-side total beyond the items given", () => {
    const page = renderBlockKit(listMessage(items.slice(0, 20), 10_000));
    expectValidBlockKit(page);
    expect(countListedItems(page)).toBe(20);
    expect(JSON.stringify(page.blocks)).toContain("…and 9,980 more");
  });
});

describe("renderBlockKit: hostile names", () => {
  const items: ListItem[] = HOSTILE_NAMES.map((name) => ({
    status: name,
    title: name,
    subtitle: name,
    fields: [{ label: "tag", value: name }],
  }));
  const message: Message = {
    text: md`Servers named ${HOSTILE_NAMES[0]!}`,
    blocks: [
      header(HOSTILE_NAMES[10]!),
      section({ text: md`Reboot ${bold(HOSTILE_NAMES[3]!)}? Requested by ${userMention("U0LEAD42")}.` }),
      list(items),
      context(...HOSTILE_NAMES.slice(0, 5)),
      actions(
        button({
          id: "reboot",
          label: md`Reboot ${HOSTILE_NAMES[0]!}`,
          value: "srv-1",
          style: "danger",
          confirm: {
            title: HOSTILE_NAMES[1]!,
            text: md`Reboot ${bold(HOSTILE_NAMES[2]!)}?`,
            confirm: "Yes",
            deny: "No",
          },
        }),
      ),
      codeBlock(HOSTILE_NAMES.join("\n")),
    ],
  };
  const rendered = renderBlockKit(message);

  it("renders them harmless", () => {
    expectValidBlockKit(rendered);
    const mrkdwn = collectMrkdwn(rendered).join("\n");
    // The only control sequence is the mention we wrote ourselves.
    expect(mrkdwn.match(/</g)).toHaveLength(1);
    expect(mrkdwn).toContain("<@U0LEAD42>");
    expect(mrkdwn).not.toMatch(/<[!#]|<http|<@U123/);
    expect(mrkdwn).toContain("&amp;lt;already escaped&amp;gt;");
    expect(mrkdwn).toContain("∗bold∗");
    expect(mrkdwn).toContain("服务器-数据库-01 🚀👨‍👩‍👧‍👦");
    expect(mrkdwn).toContain("line one↵line two↵&gt; fake quote");
    expect(mrkdwn).not.toContain("\u202E");
    for (const text of collectPlainText(rendered)) expect(text).not.toMatch(/[\n\u202E]/);
  });

  it("matches the golden file", async () => {
    await expect(toGoldenJson(rendered)).toMatchFileSnapshot("./golden/hostile-names.json");
  });
});

describe("renderBlockKit: interactive message", () => {
  const message: Message = {
    text: md`Approval needed: reboot ecs-prod-00042`,
    blocks: [
      header(md`:warning: Approval needed`),
      section({
        text: md`${userMention("U0REQUEST")} wants to *reboot* ${bold("ecs-prod-00042")} (${code("3f1c0042")}).`,
        fields: [md`*Region*\n${"cn-north-4"}`, md`*Policy*\n${"prod-change-window"}`],
        accessory: button({ id: "approval.details", label: md`Details`, value: "req-7" }),
      }),
      actions(
        button({
          id: "approval.approve",
          label: md`Approve`,
          value: "req-7",
          style: "primary",
          confirm: {
            title: md`Approve the reboot?`,
            text: md`${bold("ecs-prod-00042")} will restart now.`,
            confirm: md`Approve`,
            deny: md`Cancel`,
          },
        }),
        button({
          id: "approval.reject",
          label: md`Reject`,
          value: "req-7",
          style: "danger",
          confirm: {
            title: md`Reject?`,
            text: md`The requester is told.`,
            confirm: md`Reject`,
            deny: md`Cancel`,
          },
        }),
        select({
          id: "approval.delay",
          placeholder: md`Snooze…`,
          options: [
            { label: md`15 minutes`, value: "15m" },
            { label: md`1 hour`, value: "1h" },
          ],
          initial: "1h",
        }),
      ),
      context(md`See ${link("https://console.huaweicloud.com/ecm/?region=cn-north-4&id=42", "the console")}`),
      pagination({ id: "approvals.page", page: 3, pageCount: 500, value: "q=pending" }),
    ],
  };
  const rendered = renderBlockKit(message);

  it("renders buttons, confirms, the select and pagination", () => {
    expectValidBlockKit(rendered);
    const pager = rendered.blocks.at(-1);
    expect(
      pager?.type === "actions" && pager.elements.map((e) => [e.action_id, "value" in e && e.value]),
    ).toEqual([
      ["approvals.page.prev", "2:q=pending"],
      ["approvals.page.next", "4:q=pending"],
    ]);
    expect(JSON.stringify(rendered.blocks.at(-2))).toContain("Page 3 of 500");
    const json = JSON.stringify(rendered.blocks);
    expect(json).toContain("<https://console.huaweicloud.com/ecm/?region=cn-north-4&amp;id=42|the console>");
  });

  it("matches the golden file", async () => {
    await expect(toGoldenJson(rendered)).toMatchFileSnapshot("./golden/interactive.json");
  });
});

describe("renderBlockKit: builders", () => {
  it("renders a cloud error", async () => {
    const rendered = renderBlockKit(
      buildErrorMessage({
        userMessage: "The server <ecs-prod-1> is locked & cannot be rebooted.",
        code: "Ecs.0114",
        requestId: "0a1b2c3d-4e5f",
      }),
    );
    expectValidBlockKit(rendered);
    await expect(toGoldenJson(rendered)).toMatchFileSnapshot("./golden/error-cloud.json");
  });

  it("renders an internal error without details", async () => {
    const rendered = renderBlockKit(buildErrorMessage({ reference: "abc123" }));
    expectValidBlockKit(rendered);
    await expect(toGoldenJson(rendered)).toMatchFileSnapshot("./golden/error-internal.json");
  });

  it("renders a page of a list", async () => {
    const rendered = renderBlockKit(
      buildListMessage(
        md`ECS servers`,
        Array.from({ length: 20 }, (_, i) => server(40 + i)),
        {
          page: 3,
          pageSize: 20,
          total: 10_000,
          paginationId: "servers.page",
          paginationValue: "region=cn-north-4",
        },
      ),
    );
    expectValidBlockKit(rendered);
    await expect(toGoldenJson(rendered)).toMatchFileSnapshot("./golden/list-page-3.json");
  });
});

describe("renderBlockKit: limits of single elements", () => {
  it("splits more than 10 fields and more than 25 buttons, merges more than 10 context elements", () => {
    const rendered = renderBlockKit({
      text: "many",
      blocks: [
        section({ fields: Array.from({ length: 23 }, (_, i) => `field ${i}`) }),
        context(...Array.from({ length: 14 }, (_, i) => `note ${i}`)),
        actions(
          ...Array.from({ length: 30 }, (_, i) => button({ id: `b${i}`, label: `B${i}`, value: `${i}` })),
        ),
      ],
    });
    expectValidBlockKit(rendered);
    expect(rendered.blocks.map((b) => b.type)).toEqual([
      "section",
      "section",
      "section",
      "context",
      "actions",
      "actions",
    ]);
    expect(JSON.stringify(rendered.blocks[3])).toContain("note 9  ·  note 10  ·  note 11");
  });

  it("lists the first 100 options of a big select and says so", () => {
    const rendered = renderBlockKit({
      text: "pick",
      blocks: [
        actions(
          select({
            id: "pick",
            placeholder: "Pick a server",
            options: Array.from({ length: 250 }, (_, i) => ({ label: `srv-${i}`, value: `${i}` })),
          }),
        ),
      ],
    });
    expectValidBlockKit(rendered);
    expect(JSON.stringify(rendered.blocks)).toContain(
      "Only the first 100 of 250 choices in “Pick a server” are listed; use filters to narrow down.",
    );
  });

  it("caps long texts without breaking entities", () => {
    const rendered = renderBlockKit({
      text: "<".repeat(5000),
      blocks: [
        header("<".repeat(500)),
        section({ text: "&".repeat(5000), fields: ["<".repeat(3000)] }),
        actions(button({ id: "b", label: "x".repeat(200), value: "v" })),
      ],
    });
    expectValidBlockKit(rendered);
    for (const text of collectMrkdwn(rendered)) expect(text).toMatch(/^(?:&amp;|&lt;|&gt;)*…$/);
    expect(rendered.text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.messageText);
  });

  it("defuses emoji shortcodes from values in plain_text too", () => {
    const rendered = renderBlockKit({
      text: "x",
      blocks: [header(md`:white_check_mark: ${":large_green_circle: db-1"}`)],
    });
    expect(collectPlainText(rendered)).toEqual([":white_check_mark: :\u200Blarge_green_circle: db-1"]);
  });

  it("throws on programming faults that truncation would turn into wrong behaviour", () => {
    const render = (...buttons: ReturnType<typeof button>[]) =>
      renderBlockKit({ text: "x", blocks: [actions(...buttons)] });
    expect(() =>
      render(button({ id: "a", label: "A", value: "1" }), button({ id: "a", label: "B", value: "2" })),
    ).toThrow(/duplicate action id/);
    expect(() => render(button({ id: "a", label: "A", value: "v".repeat(2001) }))).toThrow(RangeError);
    expect(() => render(button({ id: "a".repeat(256), label: "A", value: "1" }))).toThrow(RangeError);
  });

  it("shrinks a long code block to the remaining budget", () => {
    const output = Array.from(
      { length: 2000 },
      (_, i) => `2024-05-01T00:00:${i % 60} ERROR "disk" <${i}>`,
    ).join("\n");
    const rendered = renderBlockKit(
      {
        text: "logs",
        blocks: [
          header("Logs"),
          codeBlock(output),
          actions(button({ id: "more", label: "More", value: "1" })),
        ],
      },
      { maxBlocksJsonBytes: 2_000 },
    );
    expectValidBlockKit(rendered);
    expect(JSON.stringify(rendered.blocks).length).toBeLessThanOrEqual(2_000);
    expect(rendered.blocks.at(-1)?.type).toBe("actions");
    expect(JSON.stringify(rendered.blocks[1])).toMatch(/… \([\d,]+ more lines\)```/);
  });

  it("counts the budget in UTF-8 bytes: a list of servers with Chinese names stays within it and says how many more", () => {
    const chinese = Array.from({ length: 300 }, (_, i) => ({
      ...server(i),
      title: `生产数据库服务器-华北-${String(i).padStart(4, "0")}`,
      subtitle: "s6.large.2 · 华北-北京四 可用区一",
    }));
    const rendered = renderBlockKit({ text: "servers", blocks: [header("服务器"), list(chinese)] });
    expectValidBlockKit(rendered);
    const json = JSON.stringify(rendered.blocks);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(12_000);
    // Counted in characters it would have held a third more: past what Slack takes if it counts bytes.
    expect(json.length).toBeLessThan(Buffer.byteLength(json) * 0.8);
    expect(json).toMatch(/[\d,]+ more/);
  });

  it("shares the budget between lists and keeps room for the later list's summary", () => {
    const many = Array.from({ length: 5000 }, (_, i) => server(i));
    const rendered = renderBlockKit(
      { text: "two", blocks: [list(many), list(many)] },
      { maxBlocksJsonBytes: 4_000 },
    );
    expectValidBlockKit(rendered);
    expect(JSON.stringify(rendered.blocks).length).toBeLessThanOrEqual(4_000);
    const footers = rendered.blocks.filter((b) => JSON.stringify(b).includes("more (use the buttons"));
    expect(footers).toHaveLength(2);
  });

  it("when fixed parts alone overflow, keeps blocks in order and says how many were dropped", () => {
    const rendered = renderBlockKit({
      text: "big",
      blocks: Array.from({ length: 60 }, (_, i) => section({ text: `${i} ${"y".repeat(500)}` })),
    });
    expectValidBlockKit(rendered);
    const last = JSON.stringify(rendered.blocks.at(-1));
    const kept = rendered.blocks.length - 1;
    expect(last).toContain(`…message shortened: ${60 - kept} more blocks not shown`);
  });

  it("when fixed parts alone overflow, the buttons stay: only sections are dropped, said where they were", () => {
    const rendered = renderBlockKit({
      text: "big card",
      blocks: [
        ...Array.from({ length: 30 }, (_, i) => section({ text: `${i} ${"y".repeat(2_900)}` })),
        actions(button({ id: "approve", label: "Approve", value: "apr_1", style: "primary" })),
        context("after the buttons"),
      ],
    });
    expectValidBlockKit(rendered);
    const types = rendered.blocks.map((b) => b.type);
    expect(JSON.stringify(rendered.blocks)).toContain('"action_id":"approve"');
    const notice = rendered.blocks.findIndex((b) => JSON.stringify(b).includes("message shortened"));
    const kept = types.filter((t) => t === "section").length;
    expect(JSON.stringify(rendered.blocks[notice])).toContain(`${30 - kept + 1} more blocks not shown`);
    expect(types.slice(notice + 1)).toEqual(["actions"]);
  });

  it("never lets an empty list vanish", () => {
    const rendered = renderBlockKit({ text: "none", blocks: [list([])] });
    expectValidBlockKit(rendered);
    expect(JSON.stringify(rendered.blocks)).toContain("_No items._");
  });

  it("is deterministic", () => {
    const message = listMessage(Array.from({ length: 500 }, (_, i) => server(i)));
    expect(JSON.stringify(renderBlockKit(message))).toBe(JSON.stringify(renderBlockKit(message)));
  });
});
