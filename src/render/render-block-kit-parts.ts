/**
 * The Block Kit renderer's fixed parts, each rendered whole: sections, context lines, actions (buttons,
 * selects and their confirmations), pagination, and the text objects they are made of. The elastic parts
 * (lists, code) and the budget that fits them around these are in `render-block-kit.ts`.
 */
import type { types } from "@slack/bolt";
import { BLOCK_KIT_LIMITS as L } from "./block-kit-limits.js";
import { encodePaginationValue } from "./encode-pagination-value.js";
import { ELLIPSIS, formatCount } from "./escape-mrkdwn.js";
import type { Action, Button, Confirm, Part, Span, StaticSelect, Text } from "./message-model.js";
import { md, toSpans } from "./message-model.js";
import { renderMrkdwn, renderPlain } from "./render-mrkdwn.js";

type KnownBlock = types.KnownBlock;
type SectionBlock = types.SectionBlock;
type ContextBlock = types.ContextBlock;
type SlackButton = types.Button;
type SlackStaticSelect = types.StaticSelect;
type SlackConfirm = types.ConfirmationDialog;
type MrkdwnElement = types.MrkdwnElement;
type PlainTextElement = types.PlainTextElement;
type PlainTextOption = types.PlainTextOption;

/** Between context elements merged into one, and between a list item's fields. */
export const FIELD_SEPARATOR = "  ·  ";

/** A `mrkdwn` text object for `text` (already rendered and capped). */
export function mrkdwnObject(text: string): MrkdwnElement {
  // `verbatim` stops Slack from auto-linking bare URLs, channel names and mentions in our text.
  return { type: "mrkdwn", text, verbatim: true };
}

/** A `plain_text` text object for `text` (already rendered and capped); emoji shortcodes show as emoji. */
export function plainObject(text: string): PlainTextElement {
  return { type: "plain_text", text, emoji: true };
}

/** Text for a `plain_text` object: single line, capped, emoji shortcodes in untrusted values defused. */
export function plainField(text: Text, maxLength: number): string {
  return renderPlain(text, maxLength, { defuseEmoji: true });
}

/** A context block of one `mrkdwn` element. */
export function contextBlock(text: string): ContextBlock {
  return { type: "context", elements: [mrkdwnObject(text)] };
}

function concatTexts(texts: readonly Text[], separator: string): Span[] {
  return texts.flatMap((t, i) =>
    i === 0 ? [...toSpans(t)] : [{ t: "plain", v: separator } as Span, ...toSpans(t)],
  );
}

/** Per-render state: action IDs must be unique within a message. */
export class RenderContext {
  private readonly actionIds = new Set<string>();

  claimActionId(id: string): string {
    if (id.length === 0 || id.length > L.actionId) {
      throw new RangeError(`action id must be 1..${L.actionId} characters, got ${id.length}`);
    }
    if (this.actionIds.has(id)) throw new RangeError(`duplicate action id in one message: ${id}`);
    this.actionIds.add(id);
    return id;
  }
}

function renderConfirm(confirm: Confirm, style: Button["style"]): SlackConfirm {
  const out: SlackConfirm = {
    title: plainObject(plainField(confirm.title, L.confirmTitle) || "Are you sure?"),
    text: mrkdwnObject(renderMrkdwn(confirm.text, L.confirmText) || "Are you sure?"),
    confirm: plainObject(plainField(confirm.confirm, L.confirmButton) || "Yes"),
    deny: plainObject(plainField(confirm.deny, L.confirmButton) || "Cancel"),
  };
  const chosen = confirm.style ?? (style === "danger" ? "danger" : undefined);
  if (chosen !== undefined) out.style = chosen;
  return out;
}

function renderButton(button: Button, ctx: RenderContext): SlackButton {
  // IDs and values are semantics, not presentation: cutting them would make a click do something else.
  if (button.value.length > L.buttonValue) {
    throw new RangeError(
      `button value must be at most ${L.buttonValue} characters, got ${button.value.length}`,
    );
  }
  const out: SlackButton = {
    type: "button",
    action_id: ctx.claimActionId(button.id),
    text: plainObject(plainField(button.label, L.buttonText) || ELLIPSIS),
  };
  if (button.value !== "") out.value = button.value;
  if (button.style) out.style = button.style;
  if (button.confirm) out.confirm = renderConfirm(button.confirm, button.style);
  return out;
}

/** A select, plus an honest note when options had to be dropped or none are left. */
function renderSelect(
  select: StaticSelect,
  ctx: RenderContext,
): { element?: SlackStaticSelect; notes: KnownBlock[] } {
  const actionId = ctx.claimActionId(select.id);
  const placeholder = plainField(select.placeholder, L.selectPlaceholder);
  const options: PlainTextOption[] = select.options.slice(0, L.selectOptions).map((o) => {
    if (o.value.length === 0 || o.value.length > L.optionValue) {
      throw new RangeError(`option value must be 1..${L.optionValue} characters, got ${o.value.length}`);
    }
    return {
      text: plainObject(plainField(o.label, L.optionText) || o.value.slice(0, L.optionText)),
      value: o.value,
    };
  });
  const what = select.placeholder;
  if (options.length === 0) {
    return { notes: [contextBlock(renderMrkdwn(md`No choices available for “${toSpans(what)}”.`, 300))] };
  }
  const element: SlackStaticSelect = { type: "static_select", action_id: actionId, options };
  if (placeholder !== "") element.placeholder = plainObject(placeholder);
  const initial = options.find((o) => o.value === select.initial);
  if (initial) element.initial_option = initial;
  if (select.confirm) element.confirm = renderConfirm(select.confirm, undefined);
  const notes: KnownBlock[] = [];
  if (select.options.length > L.selectOptions) {
    const note = md`Only the first ${formatCount(L.selectOptions)} of ${formatCount(select.options.length)} choices in “${toSpans(what)}” are listed; use filters to narrow down.`;
    notes.push(contextBlock(renderMrkdwn(note, L.contextElementText)));
  }
  return { element, notes };
}

function renderAction(
  action: Action,
  ctx: RenderContext,
): { element?: SlackButton | SlackStaticSelect; notes: KnownBlock[] } {
  return action.kind === "button"
    ? { element: renderButton(action, ctx), notes: [] }
    : renderSelect(action, ctx);
}

/**
 * Actions blocks of at most 25 elements each (buttons and selects in order), then the notes of selects that
 * dropped options or had none. Throws `RangeError` for invalid or duplicate action IDs and values.
 */
export function renderActions(actions: readonly Action[], ctx: RenderContext): KnownBlock[] {
  const rendered = actions.map((a) => renderAction(a, ctx));
  const elements = rendered.flatMap((r) => (r.element ? [r.element] : []));
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < elements.length; i += L.actionsElements) {
    blocks.push({ type: "actions", elements: elements.slice(i, i + L.actionsElements) });
  }
  return [...blocks, ...rendered.flatMap((r) => r.notes)];
}

/**
 * A section with its text, its fields (more than 10 continue in further sections) and its accessory, then the
 * accessory's notes. Without text or fields: the accessory alone as an actions block, or nothing.
 */
export function renderSection(part: Extract<Part, { kind: "section" }>, ctx: RenderContext): KnownBlock[] {
  const text = part.text === undefined ? "" : renderMrkdwn(part.text, L.sectionText);
  const fields = (part.fields ?? []).map((f) => renderMrkdwn(f, L.sectionFieldText)).filter((f) => f !== "");
  if (text === "" && fields.length === 0) {
    // A section needs text or fields; keep the accessory usable as a plain actions block.
    return part.accessory ? renderActions([part.accessory], ctx) : [];
  }
  const blocks: SectionBlock[] = [];
  const first: SectionBlock = { type: "section" };
  if (text !== "") first.text = mrkdwnObject(text);
  blocks.push(first);
  // More than 10 fields continue in further sections rather than being dropped.
  for (let i = 0; i < fields.length; i += L.sectionFields) {
    const chunk = fields.slice(i, i + L.sectionFields).map(mrkdwnObject);
    if (i === 0) first.fields = chunk;
    else blocks.push({ type: "section", fields: chunk });
  }
  let notes: KnownBlock[] = [];
  if (part.accessory) {
    const rendered = renderAction(part.accessory, ctx);
    if (rendered.element) first.accessory = rendered.element;
    notes = rendered.notes;
  }
  return [...blocks, ...notes];
}

/** One context block of the non-empty elements; past 10, the rest are merged into the last one. */
export function renderContext(elements: readonly Text[]): KnownBlock[] {
  const nonEmpty = elements.filter((e) => renderMrkdwn(e) !== "");
  const merged =
    nonEmpty.length <= L.contextElements
      ? nonEmpty
      : [
          ...nonEmpty.slice(0, L.contextElements - 1),
          concatTexts(nonEmpty.slice(L.contextElements - 1), FIELD_SEPARATOR),
        ];
  if (merged.length === 0) return [];
  return [
    { type: "context", elements: merged.map((e) => mrkdwnObject(renderMrkdwn(e, L.contextElementText))) },
  ];
}

/** "Page N of M" with Previous / Next buttons (their values encode the page); nothing for a single page. */
export function renderPagination(
  part: Extract<Part, { kind: "pagination" }>,
  ctx: RenderContext,
): KnownBlock[] {
  const pageCount = Math.max(1, Math.trunc(part.pageCount));
  const page = Math.min(Math.max(1, Math.trunc(part.page)), pageCount);
  if (pageCount <= 1) return [];
  const buttons: Button[] = [];
  if (page > 1) {
    buttons.push({
      kind: "button",
      id: `${part.id}.prev`,
      label: md`◀ Previous`,
      value: encodePaginationValue(page - 1, part.value),
    });
  }
  if (page < pageCount) {
    buttons.push({
      kind: "button",
      id: `${part.id}.next`,
      label: md`Next ▶`,
      value: encodePaginationValue(page + 1, part.value),
    });
  }
  return [
    contextBlock(renderMrkdwn(md`Page ${formatCount(page)} of ${formatCount(pageCount)}`)),
    ...renderActions(buttons, ctx),
  ];
}
