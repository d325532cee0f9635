import type { Server } from "../cloud/types.js";
import { code, md, type Span, type Text } from "../render/message-model.js";

/** A trusted emoji shortcode span; only for shortcodes written in our own code. */
export function emoji(shortcode: `:${string}:`): Span {
  return { t: "plain", v: shortcode };
}

// One home in the render layer (the workflow words need it too); views import it from here as before.
export { withInlineCode } from "../render/message-model.js";

/** `4 GiB`, `512 MiB`, `1.5 GiB`. */
export function formatRamMb(mb: number | undefined): string {
  if (mb === undefined || !Number.isFinite(mb)) return "?";
  if (mb < 1024) return `${mb} MiB`;
  const gib = mb / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

/** `2019-05-22 07:48 UTC` from an ISO string or epoch milliseconds; the input itself when unparsable. */
export function formatTime(value: string | number | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(ms)) return String(value);
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Private (fixed) and public (floating) IPv4/IPv6 addresses of a server, each once. */
export function serverIps(server: Pick<Server, "addresses">): { fixed: string[]; floating: string[] } {
  const fixed = new Set<string>();
  const floating = new Set<string>();
  for (const address of server.addresses) {
    (address.type === "floating" ? floating : fixed).add(address.addr);
  }
  return { fixed: [...fixed], floating: [...floating] };
}

/** Joins texts with a trusted separator. */
export function joinTexts(texts: readonly Text[], separator = " · "): Span[] {
  const spans: Span[] = [];
  texts.forEach((text, i) => {
    if (i > 0) spans.push({ t: "plain", v: separator });
    if (typeof text === "string") spans.push({ t: "untrusted", v: text });
    else if (Array.isArray(text)) spans.push(...(text as readonly Span[]));
    else spans.push(text as Span);
  });
  return spans;
}

/**
 * A name the operator may type back into a command (a server, a tag value): a code span, so it is displayed
 * and copied exactly, `*bold* _x_`, `<`, `>`, `&` and backticks included (see `exactCodeSpan`), never with
 * look-alike characters. Every view shows server names through here.
 */
export function typeable(value: string): Span {
  return code(value);
}

/** `a9f8e7d6…`: a server ID as cards shorten it. */
export function shortServerId(id: string): Span {
  return code(`${id.slice(0, 8)}…`);
}

/** A server as cards name it: `web-01` (`d704b694…`); its ID alone without a name. */
export function serverSpans(id: string, name: string | undefined): Span[] {
  return name === undefined || name === ""
    ? [shortServerId(id)]
    : md`${typeable(name)} (${shortServerId(id)})`;
}

/** Spans for "Shared by @user". */
export function sharedByLine(userId: string): Span[] {
  return md`Shared by ${{ t: "user", id: userId }}`;
}
