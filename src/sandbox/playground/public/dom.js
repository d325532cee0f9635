// DOM helpers. Everything the bot sends is put into the page as text nodes or attribute values set
// through the DOM API, never parsed as HTML: there is no innerHTML anywhere in this front end.

/**
 * Creates an element. `props`: `class`, `text` (textContent), `data` (dataset), `attrs` (setAttribute),
 * `on` (event listeners), plus a few safe properties (`type`, `value`, `title`, `disabled`, …).
 * Children: nodes, strings (as text) or arrays of them; null/undefined/false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "data") for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else if (key === "attrs") for (const [k, v] of Object.entries(value)) el.setAttribute(k, String(v));
    else if (key === "on") for (const [k, v] of Object.entries(value)) el.addEventListener(k, v);
    else if (SAFE_PROPS.has(key)) el[key] = value;
    else throw new Error(`h(): unsupported prop ${key}`);
  }
  append(el, children);
  return el;
}

const SAFE_PROPS = new Set([
  "type",
  "value",
  "title",
  "disabled",
  "placeholder",
  "rows",
  "maxLength",
  "selected",
  "checked",
  "hidden",
  "tabIndex",
  "id",
  "name",
  "autocomplete",
  "spellcheck",
]);

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return parent;
}

/** Removes every child. */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** A link only for http(s)/mailto URLs; anything else (javascript:, data:, …) is shown as text. */
export function safeLink(url, label) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!["http:", "https:", "mailto:"].includes(parsed.protocol)) return null;
  const a = h("a", { class: "link", attrs: { target: "_blank", rel: "noopener noreferrer" } });
  a.href = parsed.href;
  append(a, [label]);
  return a;
}
