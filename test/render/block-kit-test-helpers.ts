import { expect } from "vitest";
import { blockKitMessageSchema } from "../../src/render/block-kit-schema.js";
import type { BlockKitMessage } from "../../src/render/render-block-kit.js";

/** Every `mrkdwn` text in a payload (including confirm dialogs), plus the top-level fallback text. */
export function collectMrkdwn(message: BlockKitMessage): string[] {
  const found: string[] = [message.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
    } else if (node !== null && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (record.type === "mrkdwn" && typeof record.text === "string") found.push(record.text);
      for (const value of Object.values(record)) walk(value);
    }
  };
  walk(message.blocks);
  return found;
}

/** Every `plain_text` text in a payload. */
export function collectPlainText(message: BlockKitMessage): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
    } else if (node !== null && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (record.type === "plain_text" && typeof record.text === "string") found.push(record.text);
      for (const value of Object.values(record)) walk(value);
    }
  };
  walk(message.blocks);
  return found;
}

/** Fails the test with zod's explanation when the payload is not valid Block Kit (for the subset we emit). */
export function expectValidBlockKit(message: BlockKitMessage): void {
  const result = blockKitMessageSchema.safeParse(message);
  expect(result.success, result.success ? "" : JSON.stringify(result.error.issues, null, 2)).toBe(true);
}

/**
 * Golden-file form: pretty JSON with invisible characters spelled out (`\u200b`), so reviewers can see them.
 * Still valid JSON for the same payload.
 */
export function toGoldenJson(value: unknown): string {
  const json = JSON.stringify(value, null, 2).replace(
    /[\u200B-\u200D\u2060\uFEFF]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${json}\n`;
}

/** Items shown by a rendered list: item lines start with a status icon or a bullet, field lines are indented. */
export function countListedItems(message: BlockKitMessage): number {
  let count = 0;
  for (const block of message.blocks) {
    if (block.type !== "section" || block.text?.type !== "mrkdwn") continue;
    for (const line of block.text.text.split("\n")) {
      if (/^(:[a-z_]+:|•) /.test(line)) count++;
    }
  }
  return count;
}

/**
 * The mrkdwn outside inline code spans. Formatting, mentions and emoji are inert inside a span, so hostile
 * values shown typeable (as code) are checked by what is left around them.
 */
export function outsideCodeSpans(mrkdwn: string): string {
  return mrkdwn.replace(/`[^`\n]*`/g, "`…`");
}
