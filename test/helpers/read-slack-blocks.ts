/** Reading Block Kit payloads the bot sent, for end-to-end assertions. */

/** Every text (mrkdwn and plain_text) in blocks, joined by newlines. */
export function blocksText(blocks: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      const r = node as Record<string, unknown>;
      if ((r.type === "mrkdwn" || r.type === "plain_text") && typeof r.text === "string") out.push(r.text);
      for (const v of Object.values(r)) walk(v);
    }
  };
  walk(blocks);
  return out.join("\n");
}

/** Every mrkdwn text in blocks. */
export function mrkdwnTexts(blocks: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      const r = node as Record<string, unknown>;
      if (r.type === "mrkdwn" && typeof r.text === "string") out.push(r.text);
      for (const v of Object.values(r)) walk(v);
    }
  };
  walk(blocks);
  return out;
}

export interface FoundElement {
  action_id: string;
  type: string;
  value?: string;
  options?: { text: { text: string }; value: string }[];
}

/** The interactive element with this action ID, if any. */
export function findElement(blocks: unknown, actionId: string): FoundElement | undefined {
  let found: FoundElement | undefined;
  const walk = (node: unknown): void => {
    if (found) return;
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      const r = node as Record<string, unknown>;
      if (r.action_id === actionId) found = r as unknown as FoundElement;
      else for (const v of Object.values(r)) walk(v);
    }
  };
  walk(blocks);
  return found;
}
