/**
 * No request can crash or wedge the bot: correctly signed but malformed bodies over HTTP, and malformed frames
 * and envelopes over Socket Mode, against the fake Slack and the simulated cloud. Each one is refused at once
 * (HTTP 400, or an ack over Socket Mode) with a log line saying what is wrong, nothing is dispatched, and the
 * bot goes on serving. An unhandled rejection would fail this file: vitest reports them as errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { eventually } from "../helpers/eventually.js";
import { blocksText } from "../helpers/read-slack-blocks.js";
import { buildEventCallbackPayload } from "../helpers/slack-payloads.js";
import {
  sendEvent,
  sendInteraction,
  sendSignedRequest,
  sendSlashCommand,
  signSlackRequest,
} from "../helpers/slack-requests.js";
import { type BotHarness, startBotHarness } from "../helpers/start-bot-harness.js";

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

// biome-ignore lint/suspicious/noExplicitAny: the helper breaks arbitrary fields of wire JSON on purpose.
type Broken = Record<string, any>;

/** A deep copy of `value` with one thing broken. */
function broken(value: Record<string, unknown>, change: (copy: Broken) => void) {
  const copy = structuredClone(value) as Broken;
  change(copy);
  return copy;
}

/** The bot answers a command (it was not crashed or wedged by what came before). */
async function expectServing(h: BotHarness, send: () => Promise<unknown>) {
  const before = h.fake.ephemerals({ user: SLACK_IDS.alice }).length;
  await send();
  const answer = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[before]);
  expect(blocksText(answer.blocks)).toContain("/ecs");
}

describe("over HTTP", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.fake.reset();
  });

  const raw = (body: string, contentType: string) =>
    sendSignedRequest(h.eventsUrl, h.fake.signingSecret, body, contentType);
  const click = () =>
    h.fake.buildBlockAction({
      user: SLACK_IDS.alice,
      message: { ts: "1700000000.000100", blocks: [] },
      actions: [{ actionId: "q.page.next", value: "2:tok" }],
    });
  const submission = () =>
    h.fake.buildViewSubmission({
      user: SLACK_IDS.alice,
      view: { callback_id: "ops.approval.reject", private_metadata: "apr_x" },
      values: { reason: { reason: { type: "plain_text_input", value: "no" } } },
    });
  const mention = () =>
    buildEventCallbackPayload({
      type: "app_mention",
      user: SLACK_IDS.alice,
      channel: SLACK_IDS.ops,
      ts: "1.2",
    });

  const cases: [string, () => Promise<{ status: number }>, RegExp][] = [
    ["payload=null", () => raw("payload=null", FORM), /interactive payload.*null/],
    ["a JSON body `null`", () => raw("null", JSON_TYPE), /events_api.*null/],
    ["payload=42", () => raw("payload=42", FORM), /a number, not an object/],
    ["payload=[]", () => raw("payload=%5B%5D", FORM), /an array, not an object/],
    ["payload that is not JSON", () => raw("payload=%7Bnope", FORM), /not JSON/],
    ["a JSON body `[]`", () => raw("[]", JSON_TYPE), /an array/],
    ["an empty body", () => raw("", JSON_TYPE), /neither a form nor JSON/],
    ["a form that is not a command", () => raw("token=x&team_id=T", FORM), /command: is missing/],
    [
      "a block action without action_id",
      () =>
        sendInteraction(
          h.eventsUrl,
          h.fake.signingSecret,
          broken(click(), (p) => delete p.actions[0].action_id),
        ),
      /actions\.0\.action_id: is missing/,
    ],
    [
      "a block action without actions",
      () =>
        sendInteraction(
          h.eventsUrl,
          h.fake.signingSecret,
          broken(click(), (p) => (p.actions = [])),
        ),
      /actions:/,
    ],
    [
      "a block action by a null user",
      () =>
        sendInteraction(
          h.eventsUrl,
          h.fake.signingSecret,
          broken(click(), (p) => (p.user = null)),
        ),
      /user:/,
    ],
    [
      "a view submission without a view",
      () =>
        sendInteraction(
          h.eventsUrl,
          h.fake.signingSecret,
          broken(submission(), (p) => delete p.view),
        ),
      /view: is missing/,
    ],
    [
      "a view submission with a null input state",
      () =>
        sendInteraction(
          h.eventsUrl,
          h.fake.signingSecret,
          broken(submission(), (p) => (p.view.state.values.reason.reason = null)),
        ),
      /view\.state\.values\.reason\.reason/,
    ],
    [
      "an interaction type the app does not handle",
      () => sendInteraction(h.eventsUrl, h.fake.signingSecret, { type: "shortcut", callback_id: "x" }),
      /`shortcut` is not handled/,
    ],
    [
      "a slash command without its user",
      () =>
        sendSlashCommand(
          h.eventsUrl,
          h.fake.signingSecret,
          {},
          {
            rawBody: new URLSearchParams(
              broken(h.fake.buildSlashCommand(), (p) => delete p.user_id),
            ).toString(),
          },
        ),
      /user_id: is missing/,
    ],
    [
      "an event callback without an event",
      () =>
        sendEvent(
          h.eventsUrl,
          h.fake.signingSecret,
          broken(mention(), (p) => delete p.event),
        ),
      /event: is missing/,
    ],
    [
      "a mention in a null channel",
      () =>
        sendEvent(
          h.eventsUrl,
          h.fake.signingSecret,
          broken(mention(), (p) => (p.event.channel = null)),
        ),
      /event\.channel/,
    ],
  ];

  it.each(cases)(
    "%s: 400 at once with a log line, nothing dispatched, the bot keeps serving",
    async (_, send, reason) => {
      const before = h.logs.length;
      const started = Date.now();
      const result = await send();
      expect(result.status).toBe(400);
      // Bolt's own timeout for an unacknowledged request is 3 s; a refusal does not wait for anything.
      expect(Date.now() - started).toBeLessThan(2_500);
      const line = h.logs
        .slice(before)
        .find((l) => l.msg === "refused a signed Slack request: malformed payload");
      expect(String(line?.reason)).toMatch(reason);
      expect(h.logs.slice(before).filter((l) => l.level >= 50)).toEqual([]);
      expect(h.fake.calls("chat.postMessage")).toEqual([]);
      expect(h.fake.responses()).toEqual([]);
      await expectServing(h, () =>
        sendSlashCommand(h.eventsUrl, h.fake.signingSecret, h.fake.buildSlashCommand({ text: "help" })),
      );
    },
  );

  it("an unsigned malformed body is refused as unsigned (401), before its shape is judged", async () => {
    const result = await sendSignedRequest(h.eventsUrl, h.fake.signingSecret, "payload=null", FORM, {
      signature: "corrupt",
    });
    expect(result.status).toBe(401);
  });

  it("Slack's certificate check and URL verification still work", async () => {
    const ssl = await sendSignedRequest(h.eventsUrl, "", "ssl_check=1&token=x", FORM, { signature: "omit" });
    expect(ssl.status).toBe(200);
    const verify = await sendEvent(h.eventsUrl, h.fake.signingSecret, {
      type: "url_verification",
      challenge: "c-1",
    });
    expect(verify.status).toBe(200);
    expect(JSON.parse(verify.body)).toEqual({ challenge: "c-1" });
  });

  it("a body over the limit is refused with 413", async () => {
    const body = `payload=${"x".repeat(4 * 1024 * 1024 + 1)}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(h.eventsUrl, {
      method: "POST",
      headers: {
        "content-type": FORM,
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": signSlackRequest(h.fake.signingSecret, timestamp, body),
      },
      body,
    });
    expect(response.status).toBe(413);
  });
});

describe("over Socket Mode", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ transport: "socket" });
  });
  afterAll(async () => {
    await h?.close();
  });

  const command = () => h.fake.deliverSocket("slash_commands", h.fake.buildSlashCommand({ text: "help" }));
  const asPayload = (value: unknown) => value as Record<string, unknown>;

  it.each([
    ["events_api", null, /null, not an object/],
    ["events_api", {}, /without a type/],
    ["events_api", { type: "event_callback", team_id: "T", event_id: "E" }, /event: is missing/],
    ["slash_commands", null, /null, not an object/],
    ["slash_commands", { command: "/ecs" }, /user_id: is missing/],
    ["interactive", null, /null, not an object/],
    ["interactive", { type: "view_submission", user: { id: "U" } }, /view: is missing/],
    ["interactive", { type: "block_actions", user: { id: "U" }, actions: [{ type: "button" }] }, /action_id/],
  ] as const)(
    "a %s envelope with payload %j is acked and refused with a log line",
    async (type, payload, reason) => {
      const before = h.logs.length;
      const ack = await h.fake.deliverSocket(type, asPayload(payload), { ackTimeoutMs: 2_000 });
      expect(ack).toEqual({});
      const line = h.logs
        .slice(before)
        .find((l) => l.msg === "refused a Socket Mode envelope: malformed payload");
      expect(String(line?.reason)).toMatch(reason);
      await expectServing(h, command);
    },
  );

  it.each([
    ["garbage", /not JSON/],
    ["null", /not a JSON object/],
    ["[]", /not a JSON object/],
    ['{"type":"events_api"}', /without an envelope ID/],
    ['{"type":"events_api","envelope_id":"e-1"}', /refused a Socket Mode envelope/],
    ['{"type":"interactive","envelope_id":"e-2","payload":null}', /refused a Socket Mode envelope/],
    ['{"type":"bogus","envelope_id":"e-3","payload":{}}', /refused a Socket Mode envelope/],
  ])("a raw frame %s is logged and dropped; the connection stays up", async (frame, message) => {
    const before = h.logs.length;
    expect(h.fake.sendSocketFrame(frame)).toBe(true);
    await eventually(
      () => h.logs.slice(before).find((l) => message.test(String(l.msg))),
      2_000,
      String(message),
    );
    expect(h.fake.socketConnections().filter((c) => c.open)).toHaveLength(1);
    await expectServing(h, command);
  });
});
