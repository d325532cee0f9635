import { formatCount } from "./escape-mrkdwn.js";
import type { Action, ListItem, Message, Part, Text } from "./message-model.js";
import { renderPlain } from "./render-mrkdwn.js";
import { statusIcon } from "./status-icon.js";

export interface RenderPlainTextOptions {
  /** Items shown per list before "…and N more"; default 100. */
  maxListItems?: number;
}

const one = (text: Text) => renderPlain(text);

function actionText(action: Action): string {
  if (action.kind === "button") return `[${one(action.label)}]`;
  const chosen = action.options.find((o) => o.value === action.initial);
  return `[${chosen ? one(chosen.label) : one(action.placeholder)} ▾]`;
}

function itemText(item: ListItem): string {
  const icon = item.status === undefined ? "•" : statusIcon(item.status);
  let line = `${icon} ${one(item.title)}`;
  if (item.status !== undefined && item.status.trim() !== "") line += ` · ${renderPlain(item.status.trim())}`;
  if (item.subtitle !== undefined) line += ` — ${one(item.subtitle)}`;
  const fields = (item.fields ?? []).map((f) => `${one(f.label)}: ${one(f.value)}`);
  return fields.length === 0 ? line : `${line}\n    ${fields.join(" · ")}`;
}

function partText(part: Part, maxListItems: number): string[] {
  switch (part.kind) {
    case "header":
      return [`# ${one(part.text)}`];
    case "section": {
      const lines: string[] = [];
      if (part.text !== undefined)
        lines.push(renderPlain(part.text, Number.POSITIVE_INFINITY, { multiline: true }));
      for (const field of part.fields ?? []) lines.push(`  ${one(field)}`);
      if (part.accessory) lines.push(actionText(part.accessory));
      return lines;
    }
    case "context":
      return [part.elements.map(one).join(" | ")];
    case "divider":
      return ["---"];
    case "list": {
      const total = Math.max(part.total ?? part.items.length, part.items.length);
      if (total === 0) return ["(no items)"];
      const shown = part.items.slice(0, maxListItems).map(itemText);
      if (shown.length < total) shown.push(`…and ${formatCount(total - shown.length)} more`);
      return shown;
    }
    case "actions":
      return [part.elements.map(actionText).join(" ")];
    case "pagination": {
      if (part.pageCount <= 1) return [];
      const buttons = [part.page > 1 ? "[◀ Previous]" : "", part.page < part.pageCount ? "[Next ▶]" : ""];
      return [`Page ${formatCount(part.page)} of ${formatCount(part.pageCount)} ${buttons.join(" ").trim()}`];
    }
    case "code":
      return ["```", renderPlain(part.text, Number.POSITIVE_INFINITY, { multiline: true }), "```"];
  }
}

/**
 * A readable plain-text rendering for logs and tests: no markup, no escaping (values appear as they are, minus
 * control characters), lists cut at `maxListItems`.
 */
export function renderPlainText(message: Message, options: RenderPlainTextOptions = {}): string {
  const maxListItems = options.maxListItems ?? 100;
  return message.blocks.flatMap((part) => partText(part, maxListItems)).join("\n");
}
