import { describe, expect, it } from "vitest";
import { buildBlockActionPayload, buildSlashCommandPayload } from "../../../src/sandbox/slack/index.js";
import {
  actionDeliveryKey,
  commandDeliveryKey,
  eventDeliveryKey,
  viewDeliveryKey,
} from "../../../src/slack/listeners/delivery-keys.js";

const message = {
  ts: "1700000000.000100",
  blocks: [
    {
      type: "actions",
      block_id: "b",
      elements: [{ type: "button", action_id: "ops.approval.approve", value: "apr_x" }],
    },
  ],
};
const click = (user: string, now: number) =>
  buildBlockActionPayload({ user, message, actions: [{ actionId: "ops.approval.approve" }], now });

describe("Slack delivery dedupe keys", () => {
  it("a redelivered click has the same key; another click, even by the same person, another key", () => {
    const first = click("U_BOB", 1_700_000_000_000);
    expect(actionDeliveryKey(structuredClone(first) as never)).toBe(actionDeliveryKey(first as never));
    expect(actionDeliveryKey(click("U_BOB", 1_700_000_001_000) as never)).not.toBe(
      actionDeliveryKey(first as never),
    );
    const otherUser = { ...first, user: { id: "U_CAROL" } };
    expect(actionDeliveryKey(otherUser as never)).not.toBe(actionDeliveryKey(first as never));
    const otherMessage = { ...first, message: { ts: "1700000000.000200" } };
    expect(actionDeliveryKey(otherMessage as never)).not.toBe(actionDeliveryKey(first as never));
    // Two clicks in the same instant are still two clicks: each interaction has its own trigger_id.
    const sameInstant = { ...first, trigger_id: "1.2.other" };
    expect(actionDeliveryKey(sameInstant as never)).not.toBe(actionDeliveryKey(first as never));
  });

  it("a slash command is keyed by its trigger_id and body", () => {
    const command = buildSlashCommandPayload({ text: "stop web-01" });
    expect(commandDeliveryKey({ ...command })).toBe(commandDeliveryKey(command));
    expect(commandDeliveryKey(buildSlashCommandPayload({ text: "stop web-01" }))).not.toBe(
      commandDeliveryKey(command),
    );
  });

  it("a modal submission by its whole payload, an event by its event_id", () => {
    const view = {
      type: "view_submission",
      trigger_id: "1.2.3",
      view: { id: "V1", state: { values: { a: 1 } } },
    };
    expect(viewDeliveryKey(structuredClone(view))).toBe(viewDeliveryKey(view));
    expect(viewDeliveryKey({ ...view, trigger_id: "1.2.4" })).not.toBe(viewDeliveryKey(view));
    expect(eventDeliveryKey({ event_id: "Ev1" }, { ts: "1" })).toBe(
      eventDeliveryKey({ event_id: "Ev1" }, { ts: "2" }),
    );
    expect(eventDeliveryKey({ event_id: "Ev1" }, {})).not.toBe(eventDeliveryKey({ event_id: "Ev2" }, {}));
  });
});
