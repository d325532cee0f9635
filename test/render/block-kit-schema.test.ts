import { describe, expect, it } from "vitest";
import { blockKitMessageSchema } from "../../src/render/block-kit-schema.js";

const ok = { type: "section", text: { type: "mrkdwn", text: "hi" } };

describe("blockKitMessageSchema", () => {
  it("accepts a valid message", () => {
    expect(blockKitMessageSchema.safeParse({ text: "t", blocks: [ok] }).success).toBe(true);
  });

  it.each([
    ["too many blocks", { text: "t", blocks: Array.from({ length: 51 }, () => ok) }],
    [
      "section text too long",
      { text: "t", blocks: [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }] },
    ],
    ["empty section", { text: "t", blocks: [{ type: "section" }] }],
    ["unknown key", { text: "t", blocks: [{ ...ok, extra: 1 }] }],
    [
      "header too long",
      { text: "t", blocks: [{ type: "header", text: { type: "plain_text", text: "x".repeat(151) } }] },
    ],
    [
      "duplicate action ids",
      {
        text: "t",
        blocks: [
          {
            type: "actions",
            elements: ["a", "a"].map((id) => ({
              type: "button",
              action_id: id,
              text: { type: "plain_text", text: "B" },
            })),
          },
        ],
      },
    ],
    ["empty text", { text: "", blocks: [ok] }],
  ])("rejects %s", (_name, payload) => {
    expect(blockKitMessageSchema.safeParse(payload).success).toBe(false);
  });
});
