import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { checkSlackPayload, SLACK_PAYLOAD_KINDS } from "../../src/slack/check-slack-payload.js";
import { parseSlackHttpBody } from "../../src/slack/parse-slack-http-body.js";
import {
  buildAppHomeOpenedPayload,
  buildBlockActionPayload,
  buildEventCallbackPayload,
  buildSlashCommandPayload,
  buildViewSubmissionPayload,
  textInputValue,
} from "../helpers/slack-payloads.js";

const click = () =>
  buildBlockActionPayload({
    user: SLACK_IDS.bob,
    message: { ts: "1700000000.000100", blocks: [] },
    actions: [{ actionId: "ops.approval.approve", value: "apr_x" }],
  });
const submission = () =>
  buildViewSubmissionPayload({
    user: SLACK_IDS.bob,
    view: { callback_id: "ops.approval.reject", private_metadata: "apr_x" },
    values: { reason: { reason: textInputValue("no") } },
  });
const mention = () =>
  buildEventCallbackPayload({
    type: "app_mention",
    user: SLACK_IDS.alice,
    channel: SLACK_IDS.ops,
    ts: "1.2",
  });

const homeOpened = () => buildAppHomeOpenedPayload({ user: SLACK_IDS.bob });
const homeClick = () =>
  buildBlockActionPayload({
    user: SLACK_IDS.bob,
    view: { id: "V0HOME", type: "home", blocks: [] },
    actions: [{ actionId: "ops.approval.approve", value: "apr_x" }],
  });

// biome-ignore lint/suspicious/noExplicitAny: the helper breaks arbitrary fields of wire JSON on purpose.
type Broken = Record<string, any>;

/** A copy of `value` with `change` applied to it (for one broken field at a time). */
function broken<T>(value: T, change: (copy: Broken) => void): Record<string, unknown> {
  const copy = structuredClone(value) as Broken;
  change(copy);
  return copy;
}

describe("checkSlackPayload", () => {
  it("accepts what Slack (and the fake Slack) sends for everything the bot handles", () => {
    expect(checkSlackPayload("slash_commands", buildSlashCommandPayload({ text: "list" }))).toEqual({
      ok: true,
    });
    expect(checkSlackPayload("interactive", click())).toEqual({ ok: true });
    expect(checkSlackPayload("interactive", submission())).toEqual({ ok: true });
    expect(checkSlackPayload("events_api", mention())).toEqual({ ok: true });
    expect(checkSlackPayload("events_api", homeOpened())).toEqual({ ok: true });
    expect(checkSlackPayload("interactive", homeClick())).toEqual({ ok: true });
    expect(checkSlackPayload("events_api", { type: "url_verification", challenge: "abc" })).toEqual({
      ok: true,
    });
    // Org-wide installs send `team: null`; extra fields Slack adds later are kept.
    expect(checkSlackPayload("interactive", { ...click(), team: null, brand_new_field: [1] })).toEqual({
      ok: true,
    });
  });

  it.each([
    ["slash_commands", null, "slash_commands payload is null, not an object"],
    ["interactive", 42, "interactive payload is a number, not an object"],
    ["events_api", [], "events_api payload is an array, not an object"],
    ["interactive", {}, "interactive payload without a type"],
    [
      "interactive",
      { type: "shortcut" },
      "interactive payload of type `shortcut` is not handled by this app",
    ],
    [
      "events_api",
      { type: "app_rate_limited" },
      "events_api payload of type `app_rate_limited` is not handled",
    ],
    ["interactive", broken(click(), (p) => delete p.actions[0].action_id), "actions.0.action_id: is missing"],
    ["interactive", broken(click(), (p) => (p.actions = [])), "actions: "],
    ["interactive", broken(click(), (p) => (p.actions[0] = null)), "actions.0: "],
    ["interactive", broken(click(), (p) => (p.user = null)), "user: "],
    ["interactive", broken(click(), (p) => (p.channel = null)), "channel: "],
    ["interactive", broken(submission(), (p) => delete p.view), "view: is missing"],
    ["interactive", broken(submission(), (p) => (p.view.callback_id = 7)), "view.callback_id: "],
    [
      "interactive",
      broken(submission(), (p) => (p.view.state.values.reason.reason = null)),
      "view.state.values",
    ],
    ["slash_commands", broken(buildSlashCommandPayload(), (p) => delete p.user_id), "user_id: is missing"],
    [
      "slash_commands",
      broken(buildSlashCommandPayload(), (p) => (p.command = ["/ecs", "/ops"])),
      "command: ",
    ],
    ["events_api", broken(mention(), (p) => delete p.event), "event: is missing"],
    ["events_api", broken(mention(), (p) => (p.event = null)), "event: "],
    ["events_api", broken(mention(), (p) => (p.event.channel = null)), "event.channel: "],
    ["events_api", broken(mention(), (p) => (p.authorizations = [null])), "authorizations.0: "],
    ["events_api", broken(homeOpened(), (p) => delete p.event.user), "event.user: is missing"],
    ["events_api", broken(homeOpened(), (p) => (p.event.user = { id: "U1" })), "event.user: is missing"],
    ["events_api", broken(homeOpened(), (p) => delete p.event.tab), "event.tab: is missing"],
    ["events_api", broken(homeOpened(), (p) => (p.event.view = "home")), "event.view: "],
  ] as const)("refuses %s %j with a reason", (kind, body, reason) => {
    const check = checkSlackPayload(kind, body);
    expect(check.ok).toBe(false);
    expect(check.ok ? "" : check.reason).toContain(reason);
  });

  it("never throws, whatever JSON arrives", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SLACK_PAYLOAD_KINDS), fc.jsonValue(), (kind, body) => {
        const check = checkSlackPayload(kind, body);
        expect(typeof check.ok).toBe("boolean");
      }),
    );
  });
});

describe("parseSlackHttpBody", () => {
  const FORM = "application/x-www-form-urlencoded";
  it("reads bodies the way Bolt reads them", () => {
    expect(parseSlackHttpBody(FORM, "ssl_check=1&token=x")).toEqual({ kind: "ssl_check" });
    expect(parseSlackHttpBody(FORM, "payload=null")).toEqual({ kind: "interactive", body: null });
    expect(parseSlackHttpBody(FORM, "command=%2Fecs&text=list")).toEqual({
      kind: "slash_commands",
      body: { command: "/ecs", text: "list" },
    });
    expect(parseSlackHttpBody("application/json", "null")).toEqual({ kind: "events_api", body: null });
    // Bolt compares the content type exactly: anything else is JSON to it.
    expect(parseSlackHttpBody(`${FORM}; charset=utf-8`, "payload=%7B%7D").kind).toBe("unparseable");
    expect(parseSlackHttpBody(FORM, "payload=%7Bnope").kind).toBe("unparseable");
    expect(parseSlackHttpBody(undefined, "").kind).toBe("unparseable");
  });
});
