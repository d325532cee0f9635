// Block Kit → DOM, for messages and modals: header, section (text, fields, accessory), context,
// divider, actions (buttons with styles and confirm dialogs, static selects), input (modals), image
// (alt text only) and a fallback for anything else. All text goes through renderText.
import { append, h } from "./dom.js";
import { replaceEmoji } from "./emoji.js";
import { renderMrkdwn } from "./mrkdwn.js";

/**
 * A text object (`plain_text` or `mrkdwn`) as nodes.
 * @param {unknown} text
 * @param {object} ctx rendering context (see renderBlocks)
 */
export function renderText(text, ctx) {
  if (!text || typeof text !== "object") return document.createTextNode("");
  const value = typeof text.text === "string" ? text.text : "";
  if (text.type === "mrkdwn") return renderMrkdwn(value, ctx);
  return document.createTextNode(text.emoji === false ? value : replaceEmoji(value));
}

/** Plain string of a text object (for option labels, titles, button captions). */
export function plainOf(text) {
  if (!text || typeof text !== "object" || typeof text.text !== "string") return "";
  return text.type === "plain_text" && text.emoji !== false ? replaceEmoji(text.text) : text.text;
}

/**
 * Renders blocks.
 * @param {unknown[]} blocks
 * @param {{
 *   userName(id: string): string | undefined,
 *   channelName(id: string): string | undefined,
 *   onAction?(element: object, blockId: string | undefined, selected?: {value: string, text: string}, control?: HTMLElement): void,
 *   inputs?: Map<string, {blockId: string, actionId: string, read(): unknown}>,
 *   errors?: Record<string, string>,
 * }} ctx
 */
export function renderBlocks(blocks, ctx) {
  const container = h("div", { class: "bk" });
  for (const block of Array.isArray(blocks) ? blocks : []) {
    container.append(renderBlock(block, ctx));
  }
  return container;
}

function renderBlock(block, ctx) {
  if (!block || typeof block !== "object") return h("div");
  switch (block.type) {
    case "header":
      return h("div", { class: "bk-header" }, renderText(block.text, ctx));
    case "section":
      return renderSection(block, ctx);
    case "context":
      return h(
        "div",
        { class: "bk-context" },
        (block.elements ?? []).map((e) =>
          e?.type === "image"
            ? h("span", { class: "bk-image-alt", text: `[${e.alt_text ?? "image"}]` })
            : h("span", { class: "bk-context-el" }, renderText(e, ctx)),
        ),
      );
    case "divider":
      return h("hr", { class: "bk-divider" });
    case "actions":
      return h(
        "div",
        { class: "bk-actions" },
        (block.elements ?? []).map((e) => renderElement(e, block.block_id, ctx)),
      );
    case "input":
      return renderInput(block, ctx);
    case "image":
      return h("div", { class: "bk-image-alt", text: `[image: ${block.alt_text ?? ""}]` });
    case "rich_text":
      return h("div", { class: "bk-section-text", text: richTextPlain(block) });
    default:
      return h("div", { class: "bk-unsupported", text: `[unsupported block: ${String(block.type)}]` });
  }
}

function renderSection(block, ctx) {
  const body = h("div", { class: "bk-section-body" });
  if (block.text) body.append(h("div", { class: "bk-section-text" }, renderText(block.text, ctx)));
  if (Array.isArray(block.fields) && block.fields.length > 0) {
    body.append(
      h(
        "div",
        { class: "bk-fields" },
        block.fields.map((f) => h("div", { class: "bk-field" }, renderText(f, ctx))),
      ),
    );
  }
  const section = h("div", { class: "bk-section" }, body);
  if (block.accessory) {
    section.append(h("div", { class: "bk-accessory" }, renderElement(block.accessory, block.block_id, ctx)));
  }
  return section;
}

/** Interactive elements of messages (buttons, static selects); others are named, not rendered. */
function renderElement(element, blockId, ctx) {
  if (!element || typeof element !== "object") return h("span");
  if (element.type === "button") {
    const style =
      element.style === "primary" || element.style === "danger" ? ` bk-button-${element.style}` : "";
    const button = h("button", {
      class: `bk-button${style}`,
      type: "button",
      data: { actionId: String(element.action_id ?? "") },
      text: plainOf(element.text),
    });
    if (element.url) button.title = String(element.url);
    button.addEventListener("click", () => ctx.onAction?.(element, blockId, undefined, button));
    return button;
  }
  if (element.type === "static_select") {
    const select = h("select", {
      class: "bk-select",
      data: { actionId: String(element.action_id ?? "") },
    });
    const placeholder = h("option", {
      value: "",
      text: plainOf(element.placeholder) || "Select an item",
      disabled: true,
    });
    select.append(placeholder);
    const initial = element.initial_option?.value;
    for (const option of allOptions(element)) {
      select.append(h("option", { value: String(option.value ?? ""), text: plainOf(option.text) }));
    }
    select.value = initial ?? "";
    if (initial === undefined) placeholder.selected = true;
    select.addEventListener("change", () => {
      const chosen = allOptions(element).find((o) => o.value === select.value);
      if (chosen)
        ctx.onAction?.(element, blockId, { value: chosen.value, text: plainOf(chosen.text) }, select);
    });
    return select;
  }
  if (element.type === "overflow") {
    return h("span", { class: "bk-unsupported", text: "[⋯ overflow menu]" });
  }
  return h("span", { class: "bk-unsupported", text: `[unsupported element: ${String(element.type)}]` });
}

function allOptions(element) {
  const groups = Array.isArray(element.option_groups) ? element.option_groups : [];
  return [
    ...(Array.isArray(element.options) ? element.options : []),
    ...groups.flatMap((g) => (Array.isArray(g?.options) ? g.options : [])),
  ].filter((o) => o && typeof o === "object");
}

/** Input blocks of modals: text inputs (single/multi line) and static selects, with label, hint, error. */
function renderInput(block, ctx) {
  const element = block.element ?? {};
  const blockId = String(block.block_id ?? "");
  const actionId = String(element.action_id ?? "");
  const id = `input-${blockId}-${actionId}`.replace(/[^A-Za-z0-9_-]/g, "_");
  const label = h(
    "label",
    { class: "bk-input-label", attrs: { for: id } },
    plainOf(block.label),
    block.optional ? h("span", { class: "bk-optional", text: " (optional)" }) : null,
  );
  let control;
  let read;
  if (element.type === "plain_text_input") {
    control = element.multiline
      ? h("textarea", { id, class: "bk-text-input", rows: 4 })
      : h("input", { id, class: "bk-text-input", type: "text" });
    if (typeof element.max_length === "number") control.maxLength = element.max_length;
    if (element.placeholder) control.placeholder = plainOf(element.placeholder);
    if (typeof element.initial_value === "string") control.value = element.initial_value;
    control.dataset.blockId = blockId;
    control.dataset.actionId = actionId;
    read = () => control.value;
  } else if (element.type === "static_select") {
    control = h("select", { id, class: "bk-select" });
    control.append(h("option", { value: "", text: plainOf(element.placeholder) || "Select an item" }));
    for (const option of allOptions(element)) {
      control.append(h("option", { value: String(option.value ?? ""), text: plainOf(option.text) }));
    }
    control.value = element.initial_option?.value ?? "";
    read = () => (control.value === "" ? undefined : { selectedOption: { value: control.value } });
  } else {
    control = h("div", { class: "bk-unsupported", text: `[unsupported input: ${String(element.type)}]` });
    read = () => undefined;
  }
  if (ctx.inputs && read) ctx.inputs.set(`${blockId}/${actionId}`, { blockId, actionId, read });
  const error = ctx.errors?.[blockId];
  return h(
    "div",
    { class: `bk-input${error ? " has-error" : ""}`, data: { blockId } },
    label,
    control,
    block.hint ? h("div", { class: "bk-hint" }, renderText(block.hint, ctx)) : null,
    error ? h("div", { class: "bk-input-error", text: error }) : null,
  );
}

function richTextPlain(block) {
  const texts = [];
  const walk = (node) => {
    if (!node || typeof node !== "object") return;
    if (typeof node.text === "string") texts.push(node.text);
    if (Array.isArray(node.elements)) node.elements.forEach(walk);
  };
  walk(block);
  return texts.join("");
}

/** Legacy attachments: a colored bar with their blocks, text and fields. */
export function renderAttachments(attachments, ctx) {
  if (!Array.isArray(attachments) || attachments.length === 0) return null;
  return h(
    "div",
    { class: "attachments" },
    attachments.map((a) => {
      const bar = h("div", { class: "attachment" });
      if (typeof a?.color === "string" && /^#?[0-9a-fA-F]{3,8}$/.test(a.color)) {
        bar.style.borderLeftColor = a.color.startsWith("#") ? a.color : `#${a.color}`;
      } else if (a?.color === "danger") bar.style.borderLeftColor = "#e01e5a";
      else if (a?.color === "good") bar.style.borderLeftColor = "#2eb67d";
      else if (a?.color === "warning") bar.style.borderLeftColor = "#ecb22e";
      if (typeof a?.title === "string") bar.append(h("div", { class: "attachment-title", text: a.title }));
      if (typeof a?.text === "string") append(bar, [h("div", {}, renderMrkdwn(a.text, ctx))]);
      if (Array.isArray(a?.blocks)) bar.append(renderBlocks(a.blocks, ctx));
      return bar;
    }),
  );
}
