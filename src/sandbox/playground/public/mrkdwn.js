// Slack mrkdwn → DOM nodes: *bold*, _italic_, ~strike~, `code`, ```code blocks```, > quotes,
// <url|label> links, <@U…> mentions, <#C…|name> channels, <!here>/<!channel>/<!subteam^…>, the
// &amp; &lt; &gt; entities, line breaks and :emoji: shortcodes. Text always ends up in text nodes.
import { append, h, safeLink } from "./dom.js";
import { EMOJI } from "./emoji.js";

/** Slack escapes only these three in message text. */
export function decodeEntities(text) {
  return text.replace(/&(amp|lt|gt);/g, (_, name) => ({ amp: "&", lt: "<", gt: ">" })[name]);
}

/**
 * @param {string} text mrkdwn as the bot sent it
 * @param {{ userName(id: string): string | undefined, channelName(id: string): string | undefined }} ctx
 * @returns {DocumentFragment}
 */
export function renderMrkdwn(text, ctx) {
  const out = document.createDocumentFragment();
  const parts = String(text).split(/```/);
  parts.forEach((part, i) => {
    // Odd parts are inside ``` fences (an unclosed fence is shown literally).
    if (i % 2 === 1 && i < parts.length - 1) {
      out.append(h("pre", { class: "md-pre", text: decodeEntities(part.replace(/^\n/, "")) }));
    } else {
      const literal = i % 2 === 1 ? `\`\`\`${part}` : part;
      renderLines(out, literal, ctx);
    }
  });
  return out;
}

function renderLines(out, text, ctx) {
  const lines = text.split("\n");
  let quote = null;
  lines.forEach((line, i) => {
    // A quote starts with a raw ">" (an escaped "&gt;" is text).
    const quoted = /^>\s?/.exec(line);
    if (quoted) {
      if (!quote) {
        quote = h("blockquote", { class: "md-quote" });
        out.append(quote);
      } else {
        quote.append(h("br"));
      }
      append(quote, renderInline(line.slice(quoted[0].length), ctx, 0));
      return;
    }
    quote = null;
    append(out, renderInline(line, ctx, 0));
    if (i < lines.length - 1 && !/^>\s?/.test(lines[i + 1] ?? "")) out.append(h("br"));
  });
}

const WORD = /[\p{L}\p{N}]/u;

/** Finds the next formatting token at or after `from`. */
function nextToken(text, from) {
  let best = null;
  const consider = (token) => {
    if (token && (best === null || token.start < best.start)) best = token;
  };
  const code = /`([^`\n]+)`/g;
  code.lastIndex = from;
  const c = code.exec(text);
  if (c) consider({ kind: "code", start: c.index, end: c.index + c[0].length, inner: c[1] });

  const angle = /<([^<>\n]+)>/g;
  angle.lastIndex = from;
  const a = angle.exec(text);
  if (a) consider({ kind: "angle", start: a.index, end: a.index + a[0].length, inner: a[1] });

  const emoji = /:([a-z0-9_+'-]+):/g;
  emoji.lastIndex = from;
  for (let e = emoji.exec(text); e; e = emoji.exec(text)) {
    if (EMOJI.has(e[1])) {
      consider({ kind: "emoji", start: e.index, end: e.index + e[0].length, inner: e[1] });
      break;
    }
    emoji.lastIndex = e.index + 1;
  }

  for (const [mark, kind] of [
    ["*", "bold"],
    ["_", "italic"],
    ["~", "strike"],
  ]) {
    let i = text.indexOf(mark, from);
    while (i !== -1) {
      const before = i === 0 ? "" : text[i - 1];
      const after = text[i + 1] ?? "";
      if ((before === "" || !WORD.test(before)) && after !== "" && !/\s/.test(after) && after !== mark) {
        // Closing mark: preceded by non-space, followed by a non-word character or the end. A mark inside a
        // code span is text (Slack reads `*`*a* b`*` as bold around one code span), so spans are skipped.
        const spans = codeSpans(text, i + 1);
        let j = text.indexOf(mark, i + 1);
        while (j !== -1) {
          const span = spans.find((s) => j >= s.start && j < s.end);
          if (span) {
            j = text.indexOf(mark, span.end);
            continue;
          }
          const prev = text[j - 1];
          const next = text[j + 1] ?? "";
          if (!/\s/.test(prev) && (next === "" || !WORD.test(next))) break;
          j = text.indexOf(mark, j + 1);
        }
        if (j !== -1 && j > i + 1) {
          consider({ kind, start: i, end: j + 1, inner: text.slice(i + 1, j) });
          break;
        }
      }
      i = text.indexOf(mark, i + 1);
    }
  }
  return best;
}

/** Where the code spans at or after `from` are, as [start, end) ranges. */
function codeSpans(text, from) {
  const spans = [];
  const code = /`[^`\n]+`/g;
  code.lastIndex = from;
  for (let c = code.exec(text); c; c = code.exec(text))
    spans.push({ start: c.index, end: c.index + c[0].length });
  return spans;
}

function renderInline(text, ctx, depth) {
  const nodes = [];
  let pos = 0;
  while (pos < text.length) {
    const token = depth > 4 ? null : nextToken(text, pos);
    if (!token) {
      nodes.push(decodeEntities(text.slice(pos)));
      break;
    }
    if (token.start > pos) nodes.push(decodeEntities(text.slice(pos, token.start)));
    nodes.push(renderToken(token, ctx, depth));
    pos = token.end;
  }
  return nodes;
}

function renderToken(token, ctx, depth) {
  switch (token.kind) {
    case "code":
      return h("code", { class: "md-code", text: decodeEntities(token.inner) });
    case "emoji":
      return h("span", { class: "emoji", title: `:${token.inner}:`, text: EMOJI.get(token.inner) });
    case "bold":
      return h("b", {}, renderInline(token.inner, ctx, depth + 1));
    case "italic":
      return h("i", {}, renderInline(token.inner, ctx, depth + 1));
    case "strike":
      return h("s", {}, renderInline(token.inner, ctx, depth + 1));
    default:
      return renderAngle(token.inner, ctx);
  }
}

const DATE_TOKENS = new Set([
  "date_num",
  "date",
  "date_short",
  "date_long",
  "date_pretty",
  "date_short_pretty",
  "date_long_pretty",
  "time",
  "time_secs",
  "ago",
]);

/**
 * `date^<epoch seconds>^<format>` in the reader's own time zone, as Slack shows it; `undefined` (Slack then
 * shows the fallback as plain text) when the format has an unknown token, like the `{_}` that carries a
 * literal backtick in a code span.
 */
function localDate(special) {
  const [, seconds, format = ""] = special.split("^");
  const at = new Date(Number(seconds) * 1000);
  if (!Number.isFinite(at.getTime())) return undefined;
  const tokens = [...format.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  if (tokens.length === 0 || tokens.some((t) => !DATE_TOKENS.has(t))) return undefined;
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return format.includes("{date")
    ? `${at.toLocaleDateString([], { month: "short", day: "numeric" })} ${time}`
    : time;
}

/** `<…>`: mentions, channels, special mentions, dates and links. */
function renderAngle(inner, ctx) {
  const bar = inner.indexOf("|");
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : decodeEntities(inner.slice(bar + 1));
  if (/^@[UW][A-Z0-9_]+$/.test(target)) {
    const id = target.slice(1);
    return h("span", { class: "mention", data: { user: id }, text: `@${ctx.userName(id) ?? label ?? id}` });
  }
  if (/^#[CGD][A-Z0-9_]+$/.test(target)) {
    const id = target.slice(1);
    return h("span", { class: "mention", text: `#${ctx.channelName(id) ?? label ?? id}` });
  }
  if (target.startsWith("!")) {
    const special = target.slice(1);
    if (["here", "channel", "everyone"].includes(special)) {
      return h("span", { class: "mention mention-broadcast", text: `@${special}` });
    }
    if (special.startsWith("subteam^")) {
      const id = special.slice("subteam^".length);
      return h("span", { class: "mention", text: `@${ctx.groupName?.(id) ?? label ?? id}` });
    }
    if (special.startsWith("date^")) return document.createTextNode(localDate(special) ?? label ?? special);
    return document.createTextNode(label ?? `<${decodeEntities(inner)}>`);
  }
  const url = decodeEntities(target);
  const link = safeLink(url, label ?? url);
  return link ?? document.createTextNode(label ?? url);
}
