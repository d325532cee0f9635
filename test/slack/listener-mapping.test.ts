import type { BlockAction, ViewOutput } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { toActionRequest } from "../../src/slack/listeners/actions/to-action-request.js";
import { isFromBot } from "../../src/slack/listeners/events/is-from-bot.js";
import { toViewSubmission } from "../../src/slack/listeners/views/to-view-submission.js";
import {
  buildBlockActionPayload,
  buildViewSubmissionPayload,
  textInputValue,
} from "../helpers/slack-payloads.js";

describe("listener payload mapping", () => {
  it("a button click on a message", () => {
    const payload = buildBlockActionPayload({
      user: SLACK_IDS.bob,
      message: {
        ts: "1700000000.000100",
        blocks: [
          {
            type: "actions",
            block_id: "b1",
            elements: [{ type: "button", action_id: "q.page.next", value: "2:tok" }],
          },
        ],
      },
      actions: [{ actionId: "q.page.next" }],
    }) as unknown as BlockAction;
    expect(toActionRequest(payload)).toMatchObject({
      actionId: "q.page.next",
      blockId: "b1",
      value: "2:tok",
      actor: { userId: SLACK_IDS.bob, teamId: SLACK_IDS.team },
      channelId: SLACK_IDS.ops,
      message: { channel: SLACK_IDS.ops, ts: "1700000000.000100" },
      isEphemeral: false,
    });
  });

  it("a select in an ephemeral message: the selected value, no message reference", () => {
    const payload = buildBlockActionPayload({
      isEphemeral: true,
      message: { ts: "1700000000.000200" },
      actions: [
        { actionId: "pick.server", type: "static_select", extra: { selected_option: { value: "tok:id-1" } } },
      ],
    }) as unknown as BlockAction;
    const request = toActionRequest(payload);
    expect(request).toMatchObject({ actionId: "pick.server", value: "tok:id-1", isEphemeral: true });
    expect(request?.message).toBeUndefined();
  });

  it("a button on the Home tab: the view, marked as the Home's, no channel or message", () => {
    const payload = buildBlockActionPayload({
      user: SLACK_IDS.carol,
      view: {
        id: "V0HOME",
        type: "home",
        blocks: [
          {
            type: "actions",
            elements: [{ type: "button", action_id: "ops.approval.approve.2", value: "apr_x" }],
          },
        ],
      },
      actions: [{ actionId: "ops.approval.approve.2" }],
    }) as unknown as BlockAction;
    const request = toActionRequest(payload);
    expect(request).toMatchObject({
      actionId: "ops.approval.approve.2",
      value: "apr_x",
      viewId: "V0HOME",
      fromHome: true,
    });
    expect(request?.channelId).toBeUndefined();
    expect(request?.message).toBeUndefined();
    const modal = buildBlockActionPayload({
      view: { id: "V0MODAL", type: "modal", blocks: [] },
      actions: [{ actionId: "x" }],
    }) as unknown as BlockAction;
    expect(toActionRequest(modal)?.fromHome).toBeUndefined();
  });

  it("a view submission maps inputs back to their IDs", () => {
    const payload = buildViewSubmissionPayload({
      view: { id: "V1", callback_id: "approval.reject", private_metadata: "req-1" },
      values: { reason: { reason: textInputValue("too risky") }, other: { x: textInputValue("") } },
    }) as unknown as { view: ViewOutput };
    expect(toViewSubmission(payload.view, { userId: "U1", teamId: "T1" })).toEqual({
      callbackId: "approval.reject",
      viewId: "V1",
      privateMetadata: "req-1",
      values: { reason: "too risky", "other.x": undefined },
      actor: { userId: "U1", teamId: "T1" },
    });
  });

  it("recognises bot authors, including the bot itself", () => {
    expect(isFromBot({ user: "U1", bot_id: "B1" }, "U_BOT")).toBe(true);
    expect(isFromBot({ subtype: "bot_message" }, "U_BOT")).toBe(true);
    expect(isFromBot({ user: "U_BOT" }, "U_BOT")).toBe(true);
    expect(isFromBot({ user: "U1", bot_profile: {} }, "U_BOT")).toBe(true);
    expect(isFromBot({ user: "U1" }, "U_BOT")).toBe(false);
  });
});
