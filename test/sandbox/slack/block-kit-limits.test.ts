/**
 * The fake Slack refuses what real Slack refuses (Block Kit's documented limits, and the undocumented
 * `msg_blocks_too_long` at about 13,200 serialized characters): a view of the bot that broke one would fail its
 * tests here instead of failing in a real workspace with `invalid_blocks`. Each payload goes over HTTP.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeSlack, SLACK_IDS, startFakeSlack } from "../../../src/sandbox/slack/index.js";

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake?.close();
});

async function call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${fake.apiUrl}${method}`, {
    method: "POST",
    headers: { authorization: `Bearer ${fake.botToken}`, "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  return (await res.json()) as Record<string, unknown>;
}
const post = (blocks: unknown[]) => call("chat.postMessage", { channel: SLACK_IDS.ops, text: "t", blocks });
const mrkdwn = (text: string) => ({ type: "mrkdwn", text });
const plain = (text: string) => ({ type: "plain_text", text });
const option = (text: string, value: string) => ({ text: plain(text), value });
const select = (extra: Record<string, unknown>) => ({
  type: "actions",
  elements: [{ type: "static_select", action_id: "s", options: [option("a", "a")], ...extra }],
});

it("msg_blocks_too_long: 5 sections of 2,990 chars (~15,200 serialized chars) are refused", async () => {
  const blocks = Array.from({ length: 5 }, () => ({ type: "section", text: mrkdwn("x".repeat(2_990)) }));
  expect(JSON.stringify(blocks).length).toBeGreaterThan(13_300);
  expect((await post(blocks)).ok).toBe(false);
});

it("msg_blocks_too_long counts UTF-8 bytes: 5,000 Chinese characters (15,000 bytes, 5,000 characters) are refused, 4,000 ASCII ones taken", async () => {
  const chinese = Array.from({ length: 2 }, () => ({ type: "section", text: mrkdwn("服".repeat(2_500)) }));
  expect(JSON.stringify(chinese).length).toBeLessThan(13_000);
  expect(await post(chinese)).toMatchObject({ ok: false, error: "msg_blocks_too_long" });
  const ascii = Array.from({ length: 2 }, () => ({ type: "section", text: mrkdwn("x".repeat(2_500)) }));
  expect((await post(ascii)).ok).toBe(true);
});

it("a context element of 3,001 characters is refused", async () => {
  expect((await post([{ type: "context", elements: [mrkdwn("x".repeat(3_001))] }])).ok).toBe(false);
});

it("a static_select with 101 options is refused", async () => {
  const options = Array.from({ length: 101 }, (_, i) => option(`o${i}`, `v${i}`));
  expect((await post([select({ options })])).ok).toBe(false);
});

it("an option text of 76 characters is refused", async () => {
  expect((await post([select({ options: [option("x".repeat(76), "v")] })])).ok).toBe(false);
});

it("an option value of 151 characters is refused", async () => {
  expect((await post([select({ options: [option("o", "v".repeat(151))] })])).ok).toBe(false);
});

it("a select placeholder of 151 characters is refused", async () => {
  expect((await post([select({ placeholder: plain("p".repeat(151)) })])).ok).toBe(false);
});

it("a confirm dialog with a 301-character text is refused", async () => {
  const confirm = {
    title: plain("Sure?"),
    text: mrkdwn("x".repeat(301)),
    confirm: plain("Yes"),
    deny: plain("No"),
  };
  const blocks = [
    { type: "actions", elements: [{ type: "button", action_id: "b", text: plain("Go"), confirm }] },
  ];
  expect((await post(blocks)).ok).toBe(false);
});

it("a button whose text is mrkdwn (plain_text only) is refused — control: the fake does check this", async () => {
  const blocks = [{ type: "actions", elements: [{ type: "button", action_id: "b", text: mrkdwn("Go") }] }];
  expect((await post(blocks)).ok).toBe(false);
});

it("a modal whose submit label is 25 characters is refused", async () => {
  const view = {
    type: "modal",
    title: plain("T"),
    submit: plain("s".repeat(25)),
    close: plain("Cancel"),
    blocks: [{ type: "input", label: plain("L"), element: { type: "plain_text_input", action_id: "a" } }],
  };
  expect((await call("views.open", { trigger_id: fake.mintTriggerId(SLACK_IDS.alice), view })).ok).toBe(
    false,
  );
});

it("an input label of 2,001 characters is refused", async () => {
  const view = {
    type: "modal",
    title: plain("T"),
    submit: plain("OK"),
    blocks: [
      {
        type: "input",
        label: plain("l".repeat(2_001)),
        element: { type: "plain_text_input", action_id: "a" },
      },
    ],
  };
  expect((await call("views.open", { trigger_id: fake.mintTriggerId(SLACK_IDS.alice), view })).ok).toBe(
    false,
  );
});

it("a plain_text_input max_length of 3,001 is refused", async () => {
  const view = {
    type: "modal",
    title: plain("T"),
    submit: plain("OK"),
    blocks: [
      {
        type: "input",
        label: plain("L"),
        element: { type: "plain_text_input", action_id: "a", max_length: 3_001 },
      },
    ],
  };
  expect((await call("views.open", { trigger_id: fake.mintTriggerId(SLACK_IDS.alice), view })).ok).toBe(
    false,
  );
});

it("a modal larger than 250 kB is refused (view_too_large), as views.publish already is", async () => {
  const blocks = Array.from({ length: 100 }, () => ({ type: "section", text: mrkdwn("x".repeat(2_999)) }));
  const view = { type: "modal", title: plain("T"), blocks, private_metadata: "" };
  expect(JSON.stringify(view).length).toBeGreaterThan(250_000);
  expect((await call("views.open", { trigger_id: fake.mintTriggerId(SLACK_IDS.alice), view })).ok).toBe(
    false,
  );
});

it("a text object with an unknown type inside a context block is refused", async () => {
  expect((await post([{ type: "context", elements: [{ type: "markdown", text: "x" }] }])).ok).toBe(false);
});

it("at each limit, the same payloads are accepted (the checks refuse only what passes a limit)", async () => {
  const sections = Array.from({ length: 4 }, () => ({ type: "section", text: mrkdwn("x".repeat(2_990)) }));
  expect(JSON.stringify(sections).length).toBeLessThan(13_000);
  expect((await post(sections)).ok).toBe(true);
  expect((await post([{ type: "context", elements: [mrkdwn("x".repeat(3_000))] }])).ok).toBe(true);
  const options = Array.from({ length: 100 }, (_, i) =>
    option(i === 0 ? "o".repeat(75) : `o${i}`, `${i}`.repeat(1)),
  );
  options[1] = option("p", "v".repeat(150));
  expect((await post([select({ options, placeholder: plain("p".repeat(150)) })])).ok).toBe(true);
  const view = {
    type: "modal",
    title: plain("T"),
    submit: plain("s".repeat(24)),
    close: plain("c".repeat(24)),
    blocks: [
      {
        type: "input",
        label: plain("l".repeat(2_000)),
        element: { type: "plain_text_input", action_id: "a", max_length: 3_000 },
      },
    ],
  };
  expect((await call("views.open", { trigger_id: fake.mintTriggerId(SLACK_IDS.alice), view })).ok).toBe(true);
});

it("a response_url reply is held to the same limits as chat.postMessage", async () => {
  const url = fake.mintResponseUrl({ channel: SLACK_IDS.ops, user: SLACK_IDS.alice });
  const blocks = Array.from({ length: 5 }, () => ({ type: "section", text: mrkdwn("x".repeat(2_990)) }));
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: "t", blocks }),
  });
  expect(res.ok).toBe(false);
  expect(await res.json()).toMatchObject({ ok: false, error: "msg_blocks_too_long" });
});
