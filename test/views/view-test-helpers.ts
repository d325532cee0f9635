import { expect } from "vitest";
import { BLOCK_KIT_LIMITS } from "../../src/render/block-kit-limits.js";
import { LITERAL_BACKTICK } from "../../src/render/escape-mrkdwn.js";
import type { Message } from "../../src/render/message-model.js";
import { type BlockKitMessage, renderBlockKit } from "../../src/render/render-block-kit.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

/** Renders a view, checks it is valid Block Kit within limits, and returns it with its golden form. */
export function render(message: Message): { kit: BlockKitMessage; golden: string } {
  const kit = renderBlockKit(message);
  expectValidBlockKit(kit);
  expect(kit.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blocksPerMessage);
  expect(JSON.stringify(kit.blocks).length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blocksJsonChars);
  return { kit, golden: toGoldenJson(kit) };
}

/** No Slack control sequence or live formatting from untrusted values survives in mrkdwn. */
export function expectHarmless(kit: BlockKitMessage): void {
  for (const text of collectMrkdwn(kit)) {
    // A backtick in a name is an unformattable date's plain fallback: the one control sequence allowed.
    expect(text.split(LITERAL_BACKTICK).join("")).not.toMatch(/<!|<@|<#|<https?:/);
    expect(text).not.toContain("\u202E");
  }
  // plain_text (headers, buttons, option labels) is never parsed by Slack: a literal `<!channel>` there is
  // shown as typed. Every mrkdwn object must be verbatim, so Slack adds no links or mentions of its own.
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      const r = node as Record<string, unknown>;
      if (r.type === "mrkdwn") expect(r.verbatim).toBe(true);
      Object.values(r).forEach(walk);
    }
  };
  walk(kit.blocks);
}

/** Action IDs and values of every interactive element. */
export function interactiveElements(
  kit: BlockKitMessage,
): { action_id: string; value?: string; type: string }[] {
  const found: { action_id: string; value?: string; type: string }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      const r = node as Record<string, unknown>;
      if (typeof r.action_id === "string") {
        found.push({
          action_id: r.action_id,
          type: String(r.type),
          ...(typeof r.value === "string" ? { value: r.value } : {}),
        });
      }
      Object.values(r).forEach(walk);
    }
  };
  walk(kit.blocks);
  return found;
}
