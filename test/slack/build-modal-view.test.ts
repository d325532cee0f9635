import { describe, expect, it } from "vitest";
import { md, section } from "../../src/render/message-model.js";
import { buildModalView } from "../../src/slack/build-modal-view.js";

describe("buildModalView", () => {
  it("inputs use their ID as block and action ID; titles are capped", () => {
    const view = buildModalView({
      id: "approval.reject",
      title: "Reject the request for web-01 and friends",
      submitLabel: "Reject",
      privateMetadata: "req-1",
      intro: [section({ text: md`Rejecting *stop* of ${"<!channel>"}` })],
      inputs: [
        { id: "reason", label: "Why?", multiline: true, maxLength: 500 },
        { id: "note", label: "Note", required: false },
      ],
    });
    expect(view).toMatchObject({
      type: "modal",
      callback_id: "approval.reject",
      private_metadata: "req-1",
      submit: { type: "plain_text", text: "Reject" },
    });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.blocks[0]).toMatchObject({ type: "section" });
    expect(JSON.stringify(view.blocks[0])).not.toContain("<!channel>");
    expect(view.blocks.slice(1)).toEqual([
      {
        type: "input",
        block_id: "reason",
        optional: false,
        label: { type: "plain_text", text: "Why?", emoji: true },
        element: { type: "plain_text_input", action_id: "reason", multiline: true, max_length: 500 },
      },
      {
        type: "input",
        block_id: "note",
        optional: true,
        label: { type: "plain_text", text: "Note", emoji: true },
        element: { type: "plain_text_input", action_id: "note", multiline: false },
      },
    ]);
  });
});
