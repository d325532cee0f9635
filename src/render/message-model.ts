/**
 * The platform-neutral message model. Executors and commands build a {@link Message}; only the renderers
 * (`render-block-kit.ts`, `render-plain-text.ts`) know a chat platform's format.
 *
 * Text safety is in the types: a bare `string` wherever a {@link Text} is expected is an *untrusted* value and
 * is always escaped and defused. Trusted markup (our own bold, emoji, wording) is only produced by the literal
 * parts of the {@link md} template tag and by the span helpers ({@link bold}, {@link code},
 * {@link userMention}, {@link link}), so forgetting to escape takes deliberate effort.
 */

/** One piece of rich text. */
export type Span =
  /** Trusted text we wrote: `&<>` are still escaped, but mrkdwn formatting and `:emoji:` in it take effect. */
  | { readonly t: "plain"; readonly v: string }
  /** A value from the cloud or a user: escaped, single-line, formatting characters defused. */
  | { readonly t: "untrusted"; readonly v: string }
  | { readonly t: "bold"; readonly v: readonly Span[] }
  | { readonly t: "italic"; readonly v: readonly Span[] }
  /** Inline code; the content is treated as untrusted. */
  | { readonly t: "code"; readonly v: string }
  /** A Slack user mention; `id` must look like a Slack user ID (`U…`/`W…`) or it is shown as text. */
  | { readonly t: "user"; readonly id: string }
  /** A link to a channel (`<#C…>`; no one is notified); `id` must look like a channel ID or it is shown as text. */
  | { readonly t: "channel"; readonly id: string }
  /**
   * A user-group mention (notifies its members); `id` must look like a Slack user-group ID (`S…`) or the
   * handle is shown as text.
   */
  | { readonly t: "group"; readonly id: string; readonly handle: string }
  /**
   * A moment shown in each reader's own time zone (`at`: epoch ms); `style` picks the wording. Platforms
   * without such a feature show the UTC fallback.
   */
  | { readonly t: "date"; readonly at: number; readonly style: "time" | "date_time" }
  /** A link; `url` must be http(s) or only the label is shown. The label is untrusted. */
  | { readonly t: "link"; readonly url: string; readonly label: string };

/** Rich text. A bare string is an untrusted value. */
export type Text = string | Span | readonly Span[];

export interface Confirm {
  readonly title: Text;
  readonly text: Text;
  readonly confirm: Text;
  readonly deny: Text;
  /** `danger`: the confirm button is red (an action that cannot be undone). */
  readonly style?: "primary" | "danger";
}

export interface Button {
  readonly kind: "button";
  /** Becomes Slack's `action_id` (≤ 255 chars, unique within the message). */
  readonly id: string;
  readonly label: Text;
  /** Opaque payload handed back on click (≤ 2000 chars). */
  readonly value: string;
  readonly style?: "primary" | "danger";
  readonly confirm?: Confirm;
}

export interface SelectOption {
  readonly label: Text;
  /** ≤ 150 chars (Slack's limit for option values). */
  readonly value: string;
}

export interface StaticSelect {
  readonly kind: "select";
  readonly id: string;
  readonly placeholder: Text;
  readonly options: readonly SelectOption[];
  /** Value of the initially selected option, if any. */
  readonly initial?: string;
  readonly confirm?: Confirm;
}

export type Action = Button | StaticSelect;

export interface ListField {
  readonly label: Text;
  readonly value: Text;
}

/** One row of a table-like list: status icon, title, optional subtitle and label/value fields. */
export interface ListItem {
  /** Raw status (e.g. ECS `ACTIVE`); mapped to an icon and shown next to the title. */
  readonly status?: string;
  readonly title: Text;
  readonly subtitle?: Text;
  readonly fields?: readonly ListField[];
}

export type Part =
  | { readonly kind: "header"; readonly text: Text }
  | {
      readonly kind: "section";
      readonly text?: Text;
      readonly fields?: readonly Text[];
      readonly accessory?: Action;
    }
  | { readonly kind: "context"; readonly elements: readonly Text[] }
  | { readonly kind: "divider" }
  | {
      readonly kind: "list";
      readonly items: readonly ListItem[];
      /** Size of the whole result set when `items` is only part of it; defaults to `items.length`. */
      readonly total?: number;
      /** Shown after "…and N more" when the list is cut; defaults to pointing at buttons and filters. */
      readonly moreHint?: Text;
    }
  | { readonly kind: "actions"; readonly elements: readonly Action[] }
  | {
      readonly kind: "pagination";
      /** Prefix of the buttons' action IDs: `<id>.prev`, `<id>.next`. */
      readonly id: string;
      /** 1-based. */
      readonly page: number;
      readonly pageCount: number;
      /** Opaque context (e.g. the query) carried in the buttons' values; see `encodePaginationValue`. */
      readonly value: string;
    }
  | { readonly kind: "code"; readonly text: string };

export interface Message {
  /** Notification / accessibility fallback; keep it short. */
  readonly text: Text;
  readonly blocks: readonly Part[];
}

/** What may be interpolated into {@link md}: strings and numbers are untrusted, spans are kept as they are. */
export type MdValue = string | number | Span | readonly Span[];

function isSpanArray(value: Text | MdValue): value is readonly Span[] {
  return Array.isArray(value);
}

/** Normalises any {@link Text} to spans. */
export function toSpans(text: Text): readonly Span[] {
  if (typeof text === "string") return [{ t: "untrusted", v: text }];
  if (isSpanArray(text)) return text;
  return [text as Span];
}

function valueToSpans(value: MdValue): readonly Span[] {
  if (typeof value === "number") return [{ t: "untrusted", v: String(value) }];
  return toSpans(value);
}

/**
 * Template tag for mixed text: the literal parts are trusted markup, every interpolation is untrusted unless it
 * is already a span. `md\`:white_check_mark: Rebooted ${bold(serverName)} for ${userMention(id)}\``
 */
export function md(strings: TemplateStringsArray, ...values: readonly MdValue[]): Span[] {
  const spans: Span[] = [];
  strings.forEach((literal, i) => {
    if (literal !== "") spans.push({ t: "plain", v: literal });
    if (i < values.length) spans.push(...valueToSpans(values[i]!));
  });
  return spans;
}

/** An untrusted value as a span (a bare string means the same; this is for readability). */
export function untrusted(value: string | number): Span {
  return { t: "untrusted", v: String(value) };
}

/** Bold text; string arguments are untrusted. */
export function bold(...content: readonly MdValue[]): Span {
  return { t: "bold", v: content.flatMap(valueToSpans) };
}

/** Italic text; string arguments are untrusted. */
export function italic(...content: readonly MdValue[]): Span {
  return { t: "italic", v: content.flatMap(valueToSpans) };
}

/** Inline code; the value is untrusted. */
export function code(value: string | number): Span {
  return { t: "code", v: String(value) };
}

/**
 * Text from our own help and parser (plain text where backticks mark inline code) as spans: the code parts
 * become code spans, the rest stays untrusted (escaped), so a quoted user fragment cannot format anything.
 */
export function withInlineCode(text: string): Span[] {
  const spans: Span[] = [];
  const parts = text.split(/`([^`]*)`/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) spans.push(code(part));
    else if (part !== "") spans.push({ t: "untrusted", v: part });
  });
  return spans;
}

/** A mention of a Slack user by ID (from a trusted source such as the event payload). */
export function userMention(id: string): Span {
  return { t: "user", id };
}

/** A channel by ID, shown by Slack with its current name (`#ops`) and linked. */
export function channelLink(id: string): Span {
  return { t: "channel", id };
}

/** A mention of a user group by its ID, with its handle for platforms (and fallbacks) that show text. */
export function groupMention(id: string, handle: string): Span {
  return { t: "group", id, handle };
}

/** A moment in the reader's time zone (`time`: "14:05"; `date_time`: "Jan 2nd, 14:05"). */
export function localTime(at: number, style: "time" | "date_time" = "date_time"): Span {
  return { t: "date", at, style };
}

/** A link with an untrusted label; non-http(s) URLs render as the label only. */
export function link(url: string, label: string): Span {
  return { t: "link", url, label };
}

// Part builders: small conveniences so call sites read like the message they build.

export function header(text: Text): Part {
  return { kind: "header", text };
}

export function section(content: { text?: Text; fields?: readonly Text[]; accessory?: Action }): Part {
  return { kind: "section", ...content };
}

export function context(...elements: readonly Text[]): Part {
  return { kind: "context", elements };
}

export function divider(): Part {
  return { kind: "divider" };
}

export function list(items: readonly ListItem[], options: { total?: number; moreHint?: Text } = {}): Part {
  return { kind: "list", items, ...options };
}

export function actions(...elements: readonly Action[]): Part {
  return { kind: "actions", elements };
}

export function button(spec: Omit<Button, "kind">): Button {
  return { kind: "button", ...spec };
}

export function select(spec: Omit<StaticSelect, "kind">): StaticSelect {
  return { kind: "select", ...spec };
}

export function pagination(spec: { id: string; page: number; pageCount: number; value: string }): Part {
  return { kind: "pagination", ...spec };
}

/** A preformatted block (command output, logs); the text is untrusted. */
export function codeBlock(text: string): Part {
  return { kind: "code", text };
}
