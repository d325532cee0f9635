import type { types } from "@slack/bolt";
import { BLOCK_KIT_LIMITS as L } from "./block-kit-limits.js";
import { ELLIPSIS, escapeCodeBlock, escapeUntrustedMrkdwn, formatCount } from "./escape-mrkdwn.js";
import type { ListItem, Message, Part, Text } from "./message-model.js";
import { md, toSpans } from "./message-model.js";
import {
  contextBlock,
  FIELD_SEPARATOR,
  mrkdwnObject,
  plainField,
  plainObject,
  RenderContext,
  renderActions,
  renderContext,
  renderPagination,
  renderSection,
} from "./render-block-kit-parts.js";
import { renderMrkdwn } from "./render-mrkdwn.js";
import { statusIcon } from "./status-icon.js";

type KnownBlock = types.KnownBlock;

/** What `chat.postMessage` needs. */
export interface BlockKitMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface RenderBlockKitOptions {
  /** Default 50 (Slack's limit). */
  maxBlocks?: number;
  /**
   * Budget for the UTF-8 bytes of `JSON.stringify(blocks)`; default 12,000 (Slack's practical limit is about
   * 13,000, measured on ASCII text and undocumented: counted in bytes, a message of Chinese server names, three
   * bytes a character, fits whether Slack counts characters or bytes).
   */
  maxBlocksJsonBytes?: number;
}

/** A view's limits (the Home tab): Slack's 100 blocks, and our budget far below its 250 kB. */
export const VIEW_RENDER_OPTIONS = {
  maxBlocks: L.blocksPerView,
  maxBlocksJsonBytes: L.defaultViewJsonBudget,
} as const satisfies RenderBlockKitOptions;

interface Budget {
  /** Serialized bytes (UTF-8), counting one separator comma per block. */
  bytes: number;
  blocks: number;
}

/** Fixed parts render whole; elastic parts (lists, code) fill the space the fixed parts leave. */
type Slot =
  | { kind: "fixed"; blocks: KnownBlock[] }
  | { kind: "elastic"; min: Budget; render: (budget: Budget) => KnownBlock[] };

const LIST_ITEM_LIMITS = { title: 150, status: 40, subtitle: 200, label: 40, value: 200, fields: 6 } as const;
/** A list item's subtitle is cut at this many rendered characters: a view that must keep a part whole checks. */
export const LIST_SUBTITLE_LIMIT = LIST_ITEM_LIMITS.subtitle;
const DEFAULT_MORE_HINT = md`use the buttons / filters to narrow down`;
/** Two em spaces: an indent Slack does not collapse. */
const INDENT = "\u2003\u2003";

/**
 * Each block's serialized length, measured once: a rendering measures its blocks when it packs them and again
 * when it checks the whole message (a 20-server list page renders in about a ninth less time). Blocks are
 * complete (never changed) by the time they are measured.
 */
const costs = new WeakMap<KnownBlock, number>();

function blockCost(block: KnownBlock): number {
  let cost = costs.get(block);
  if (cost === undefined) {
    cost = Buffer.byteLength(JSON.stringify(block)) + 1;
    costs.set(block, cost);
  }
  return cost;
}

/** `block`, whose serialized length (plus its comma) is known to be `cost` without measuring it. */
function withCost(block: KnownBlock, cost: number): KnownBlock {
  costs.set(block, cost);
  return block;
}

function blocksCost(blocks: readonly KnownBlock[]): number {
  return blocks.reduce((sum, b) => sum + blockCost(b), 0);
}

/** UTF-8 bytes of `s` once inside a JSON string literal. */
function jsonLength(s: string): number {
  return Buffer.byteLength(JSON.stringify(s)) - 2;
}

const SECTION_OVERHEAD = blockCost({ type: "section", text: mrkdwnObject("") });

/** One list item as compact mrkdwn: `icon *title* · STATUS — subtitle` and an indented line of fields. */
function renderListItem(item: ListItem): string {
  const icon = item.status === undefined ? "•" : statusIcon(item.status);
  const title =
    renderMrkdwn({ t: "bold", v: toSpans(item.title) }, LIST_ITEM_LIMITS.title) ||
    renderMrkdwn(md`_(unnamed)_`);
  let line = `${icon} ${title}`;
  if (item.status !== undefined && item.status.trim() !== "") {
    line += ` · ${escapeUntrustedMrkdwn(item.status.trim(), LIST_ITEM_LIMITS.status)}`;
  }
  const subtitle = item.subtitle === undefined ? "" : renderMrkdwn(item.subtitle, LIST_ITEM_LIMITS.subtitle);
  if (subtitle !== "") line += ` — ${subtitle}`;
  const fields = item.fields ?? [];
  if (fields.length === 0) return line;
  const shown = fields.slice(0, LIST_ITEM_LIMITS.fields).map((f) => {
    const label = renderMrkdwn(f.label, LIST_ITEM_LIMITS.label);
    const value = renderMrkdwn(f.value, LIST_ITEM_LIMITS.value);
    return label === "" ? value : `${label}: ${value}`;
  });
  const hidden = fields.length - shown.length;
  if (hidden > 0) shown.push(`+${formatCount(hidden)} more ${hidden === 1 ? "field" : "fields"}`);
  return `${line}\n${INDENT}${shown.join(FIELD_SEPARATOR)}`;
}

function listFooter(omitted: number, hint: Text): KnownBlock {
  return contextBlock(renderMrkdwn(md`…and ${formatCount(omitted)} more (${toSpans(hint)})`, 500));
}

/**
 * Packs items into as few sections as possible (several items per section, each section ≤ 3,000 chars), stopping
 * at an item boundary when the budget is spent, and ends with a truthful "…and N more" line.
 */
function listSlot(part: Extract<Part, { kind: "list" }>): Slot {
  const n = part.items.length;
  const total = Math.max(Math.trunc(part.total ?? n), n);
  const hint = part.moreHint ?? DEFAULT_MORE_HINT;
  const footerCost = blockCost(listFooter(total, hint));
  const empty = contextBlock(renderMrkdwn(md`_No items._`));
  return {
    kind: "elastic",
    min: { bytes: Math.max(footerCost, blockCost(empty)), blocks: 1 },
    render(budget) {
      // Never vanish silently: with no room at all the list still says what it left out, and the final
      // trim (which also reports what it drops) keeps the message within limits.
      if (total === 0) return [empty];
      const closed: string[] = [];
      // Each closed section's length inside a JSON string, as the open one's was when it closed.
      const closedJson: number[] = [];
      let closedCost = 0;
      let open: string | undefined;
      // The open section's length inside a JSON string, kept as items join it: measuring the whole section
      // again for every item was most of a 20-server page's rendering. Escaping is per character, and the
      // line break between two items (2 characters escaped) keeps a surrogate of one from pairing with the
      // next, so the lengths add up exactly.
      let openJson = 0;
      let shown = 0;
      for (const item of part.items) {
        const text = renderListItem(item);
        const textJson = jsonLength(text);
        const joins = open !== undefined && open.length + 1 + text.length <= L.sectionText;
        const nextOpen = joins ? `${open}\n${text}` : text;
        const nextOpenJson = joins ? openJson + 2 + textJson : textJson;
        const nextClosedCost =
          joins || open === undefined ? closedCost : closedCost + SECTION_OVERHEAD + openJson;
        const nextClosedCount = joins || open === undefined ? closed.length : closed.length + 1;
        const more = shown + 1 < total;
        const cost = nextClosedCost + SECTION_OVERHEAD + nextOpenJson + (more ? footerCost : 0);
        const count = nextClosedCount + 1 + (more ? 1 : 0);
        if (cost > budget.bytes || count > budget.blocks) break;
        if (!joins && open !== undefined) {
          closed.push(open);
          closedJson.push(openJson);
        }
        closedCost = nextClosedCost;
        open = nextOpen;
        openJson = nextOpenJson;
        shown++;
      }
      const texts = open === undefined ? closed : [...closed, open];
      const lengths = open === undefined ? closedJson : [...closedJson, openJson];
      // Their serialized lengths are known exactly (above), so the sections, most of a page's JSON, are not
      // serialized again to measure them (a 20-server page renders in about 64 µs instead of 68).
      const blocks: KnownBlock[] = texts.map((t, i) =>
        withCost({ type: "section", text: mrkdwnObject(t) }, SECTION_OVERHEAD + (lengths[i] ?? 0)),
      );
      if (shown < total) blocks.push(listFooter(total - shown, hint));
      return blocks;
    },
  };
}

function codeSlot(text: string): Slot {
  const fence = "```";
  const build = (content: string): KnownBlock => ({
    type: "section",
    text: mrkdwnObject(`${fence}${content === "" ? "(empty)" : content}${fence}`),
  });
  return {
    kind: "elastic",
    min: { bytes: SECTION_OVERHEAD + 60, blocks: 1 },
    render(budget) {
      let max = Math.min(L.sectionText, budget.bytes - SECTION_OVERHEAD) - 2 * fence.length;
      while (max >= 20) {
        const block = build(escapeCodeBlock(text, max));
        const cost = blockCost(block);
        if (cost <= budget.bytes) return [block];
        // JSON escaping (newlines, quotes) makes the serialized form longer than the text; shrink and retry.
        max = Math.floor((max * budget.bytes) / cost) - 8;
      }
      return [contextBlock(renderMrkdwn(md`…output omitted (no room left in this message)`))];
    },
  };
}

function slotFor(part: Part, ctx: RenderContext): Slot {
  switch (part.kind) {
    case "header": {
      const text = plainField(part.text, L.headerText);
      return { kind: "fixed", blocks: text === "" ? [] : [{ type: "header", text: plainObject(text) }] };
    }
    case "section":
      return { kind: "fixed", blocks: renderSection(part, ctx) };
    case "context":
      return { kind: "fixed", blocks: renderContext(part.elements) };
    case "divider":
      return { kind: "fixed", blocks: [{ type: "divider" }] };
    case "actions":
      return { kind: "fixed", blocks: renderActions(part.elements, ctx) };
    case "pagination":
      return { kind: "fixed", blocks: renderPagination(part, ctx) };
    case "list":
      return listSlot(part);
    case "code":
      return codeSlot(part.text);
  }
}

/**
 * Last resort when fixed parts alone exceed the budget: keep blocks in order and say how many were dropped
 * where they were. Buttons (actions blocks) are kept whatever comes before them: a card that lost its Approve
 * button could not be acted on at all, while a dropped section is said to be missing.
 */
function trimToBudget(blocks: KnownBlock[], limits: Budget): KnownBlock[] {
  if (blocksCost(blocks) <= limits.bytes && blocks.length <= limits.blocks) return blocks;
  const notice = (n: number) =>
    contextBlock(`${ELLIPSIS}message shortened: ${formatCount(n)} more blocks not shown`);
  const reserve = blockCost(notice(blocks.length));
  const isActions = (block: KnownBlock) => block.type === "actions";
  const actionsList = blocks.filter(isActions);
  let actionBytes = blocksCost(actionsList);
  let actionCount = actionsList.length;
  // Buttons that could not fit even alone: keep blocks in order, buttons or not.
  const keepActions = actionBytes + reserve <= limits.bytes && actionCount + 1 <= limits.blocks;
  const kept: KnownBlock[] = [];
  let used = 0;
  let dropped = 0;
  let noticeAt = -1;
  for (const block of blocks) {
    const cost = blockCost(block);
    if (keepActions && isActions(block)) {
      kept.push(block);
      used += cost;
      actionBytes -= cost;
      actionCount -= 1;
      continue;
    }
    const room = keepActions ? { bytes: actionBytes, blocks: actionCount } : { bytes: 0, blocks: 0 };
    if (
      dropped === 0 &&
      used + cost + reserve + room.bytes <= limits.bytes &&
      kept.length + room.blocks + 2 <= limits.blocks
    ) {
      kept.push(block);
      used += cost;
      continue;
    }
    if (dropped === 0) noticeAt = kept.length;
    dropped += 1;
    if (!keepActions) break;
  }
  if (!keepActions) dropped = blocks.length - kept.length;
  kept.splice(noticeAt < 0 ? kept.length : noticeAt, 0, notice(dropped));
  return kept;
}

function fallbackText(message: Message): string {
  const text = renderMrkdwn(message.text, L.messageText);
  if (text !== "") return text;
  for (const part of message.blocks) {
    if (part.kind === "header" || (part.kind === "section" && part.text !== undefined)) {
      const derived = renderMrkdwn(part.text!, L.messageText);
      if (derived !== "") return derived;
    }
  }
  return "hwc-chatops";
}

/**
 * Renders a message to Slack Block Kit. Pure and deterministic. The result always satisfies Block Kit's limits:
 * at most `maxBlocks` blocks, blocks JSON within `maxBlocksJsonBytes`, every text within its element's limit.
 * Lists and code blocks shrink to fit (at item / line boundaries, with an honest "…and N more"), and never
 * at the expense of the fixed parts such as the buttons. Throws `RangeError` only for programming faults
 * (action IDs or values too long, duplicate action IDs), which truncation would turn into wrong behaviour.
 */
export function renderBlockKit(message: Message, options: RenderBlockKitOptions = {}): BlockKitMessage {
  const { blocks, budget } = renderUntrimmed(message, options);
  return { text: fallbackText(message), blocks: trimToBudget(blocks, budget) };
}

/**
 * Whether the message renders whole within the budget of `options` (the same defaults as
 * {@link renderBlockKit}): no block would be cut by the generic "message shortened" line. Lists and code
 * blocks shrink on their own and count as fitting. Lets a view choose how many entries it shows, so its own
 * "…and N more" is the one the reader sees. Pure.
 */
export function rendersWhole(message: Message, options: RenderBlockKitOptions = {}): boolean {
  const { blocks, budget } = renderUntrimmed(message, options);
  return blocksCost(blocks) <= budget.bytes && blocks.length <= budget.blocks;
}

/** Every block of the message, elastic parts fitted, before the whole message is held to its budget. */
function renderUntrimmed(
  message: Message,
  options: RenderBlockKitOptions,
): { blocks: KnownBlock[]; budget: Budget } {
  const maxBlocks = options.maxBlocks ?? L.blocksPerMessage;
  // The array brackets: a non-empty array serializes to 1 + Σ(block + comma).
  const maxBytes = (options.maxBlocksJsonBytes ?? L.defaultBlocksJsonBudget) - 1;
  const ctx = new RenderContext();
  const slots = message.blocks.map((part) => slotFor(part, ctx));

  const fixed = slots.flatMap((s) => (s.kind === "fixed" ? s.blocks : []));
  const remaining: Budget = { bytes: maxBytes - blocksCost(fixed), blocks: maxBlocks - fixed.length };
  const elastic = slots.filter((s) => s.kind === "elastic");
  const rendered = new Map<Slot, KnownBlock[]>();
  elastic.forEach((slot, i) => {
    // Leave each later elastic part at least room for its "…and N more" line.
    const later = elastic.slice(i + 1);
    const reserve: Budget = {
      bytes: later.reduce((sum, s) => sum + s.min.bytes, 0),
      blocks: later.reduce((sum, s) => sum + s.min.blocks, 0),
    };
    const budget: Budget = {
      bytes: Math.max(0, remaining.bytes - reserve.bytes),
      blocks: Math.max(0, remaining.blocks - reserve.blocks),
    };
    const blocks = slot.render(budget);
    rendered.set(slot, blocks);
    remaining.bytes -= blocksCost(blocks);
    remaining.blocks -= blocks.length;
  });

  const blocks = slots.flatMap((s) => (s.kind === "fixed" ? s.blocks : (rendered.get(s) ?? [])));
  return { blocks, budget: { bytes: maxBytes, blocks: maxBlocks } };
}
