import { graphemeSegmenter } from "../text/grapheme-segmenter.js";
import { flagOf, readFlag } from "./parse-arguments.js";
import { type Token, tokenize } from "./tokenize.js";

export const BREAK_GLASS_FLAG = "--break-glass";
export const REASON_FLAG = "--reason";

/**
 * The flags every change takes, whatever its verb: `--reason` and `--break-glass` (taken out here) and `--at` /
 * `--window` (`takeScheduleFlags`). They are taken out of the text before the verb's grammar reads it, so a
 * verb's own flags never list them: the grammar adds them where it says which flags a change accepts.
 */
export const CHANGE_FLAGS: readonly string[] = [REASON_FLAG, BREAK_GLASS_FLAG, "--at", "--window"];

/** The longest `--reason` kept: a sentence or two and a ticket, not a document. */
export const MAX_REASON_LENGTH = 300;

/**
 * The command text without `<flag> "<text>"`, and that text; or why the flag is malformed. `value` is absent
 * when the flag is not given. The text is cut at the flag's exact place, so the rest parses as if it had
 * never been typed.
 */
export type TextFlagExtraction = { ok: true; text: string; value?: string } | { ok: false; message: string };

/** A flag that carries free text in quotes, said with an example of it for the messages. */
interface TextFlag {
  name: string;
  /** `--break-glass "web tier down, INC-4711"`. */
  example: string;
  /** What the text is, in a message: "a reason". */
  what: string;
  maxLength?: number;
}

/**
 * Takes `<flag> "<text>"` (or `<flag>="<text>"`, `"<flag>=<text>"`: see `readFlag`) out of slash-command text,
 * before the command's own grammar reads the rest. Tokenizer failures are left to the grammar (it explains
 * them, and nothing is taken out).
 */
function extractTextFlag(text: string, flag: TextFlag): TextFlagExtraction {
  // Nearly every command has no such flag: not worth a tokenization (the flag's name is matched without
  // case, after its dashes).
  if (!text.toLowerCase().includes(flag.name.slice(2))) return { ok: true, text };
  const tokenized = tokenize(text);
  if (!tokenized.ok) return { ok: true, text };
  const { tokens } = tokenized;
  // The same tokens, with each link's target kept: the text is read from these, the rest of the command cut
  // at the tokens' places in what was typed.
  const withTargets = tokenize(keepLinkTargets(text));
  const shown = withTargets.ok && withTargets.tokens.length === tokens.length ? withTargets.tokens : tokens;
  const at = tokens.findIndex((t) => flagText(t, flag.name) !== undefined);
  if (at < 0) return { ok: true, text };
  const token = tokens[at];
  if (token === undefined) return { ok: true, text };
  if (tokens.slice(at + 1).some((t) => flagText(t, flag.name) !== undefined))
    return { ok: false, message: `\`${flag.name}\` is given more than once; give it once.` };
  const usage = `Write ${flag.what} after it in quotes: \`${flag.example}\`.`;
  let end = token.end;
  let value = flagText(shown[at] ?? token, flag.name)?.inline;
  // Only a flag without `=` takes the next token: `--reason="" web-02` is an empty reason, never `web-02`.
  if (value === undefined) {
    const next = tokens[at + 1];
    if (next === undefined || (next.quoteStart === undefined && flagOf(next) !== undefined))
      return { ok: false, message: `\`${flag.name}\` needs ${flag.what}. ${usage}` };
    // `--reason deploy web-03`: the words after an unquoted value would silently become targets.
    const after = tokens[at + 2];
    if (next.quoteStart === undefined && after !== undefined && readFlag(after) === undefined)
      return {
        ok: false,
        message: `Put ${flag.what} after \`${flag.name}\` in quotes, or the words after it are read as part of the command: \`${flag.example}\`.`,
      };
    value = (shown[at + 1] ?? next).text;
    end = next.end;
  }
  if (value.trim() === "") return { ok: false, message: `\`${flag.name}\` needs ${flag.what}. ${usage}` };
  // Counted as read: an emoji of several code points is one character.
  if (flag.maxLength !== undefined && [...graphemeSegmenter().segment(value.trim())].length > flag.maxLength)
    return {
      ok: false,
      message: `\`${flag.name}\` takes at most ${flag.maxLength} characters; say it shorter, or link a ticket.`,
    };
  const rest = `${text.slice(0, token.start).trimEnd()} ${text.slice(end).trimStart()}`.trim();
  return { ok: true, text: rest, value: value.trim() };
}

/** Slack's link markup, `<url|label>`, as the tokenizer reads it (no `|`, space, `<` or `>` in the URL). */
const LINK_MARKUP = /<([a-zA-Z][a-zA-Z0-9+.-]*:[^|\s<>]*)\|([^<>]*)>/g;

/**
 * Slack's links with their target written into their label (`<https://x/CHG-1|CHG-1>` becomes
 * `<https://x/CHG-1|CHG-1 (https://x/CHG-1)>`): the tokenizer keeps a link's label only, right for a name Slack
 * linked by itself (`web-03.example.com`), but a reason would lose where its link led. A label that is the URL as
 * typed, with or without its scheme, is kept as it is.
 */
function keepLinkTargets(text: string): string {
  return text.replace(LINK_MARKUP, (whole, url: string, label: string) => {
    const typed = url.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:(\/\/)?/, "");
    return label === url || label === typed || `${label}/` === typed ? whole : `<${url}|${label} (${url})>`;
  });
}

/** `--break-glass "<reason>"`: skip approval, for this reason (see `apply-break-glass.ts`). */
export function extractBreakGlass(text: string): TextFlagExtraction {
  return extractTextFlag(text, {
    name: BREAK_GLASS_FLAG,
    example: '--break-glass "web tier down, INC-4711"',
    what: "a reason",
  });
}

/** `--reason "<why>"`: why a change is asked for, shown to its approvers and kept in the audit. */
export function extractReason(text: string): TextFlagExtraction {
  return extractTextFlag(text, {
    name: REASON_FLAG,
    example: '--reason "INC-4711: memory leak, restart until the fix ships"',
    what: "why",
    maxLength: MAX_REASON_LENGTH,
  });
}

/** Whether a token is the flag (smart dashes too), and the text written into it after `=` (absent: none). */
function flagText(token: Token, name: string): { inline: string | undefined } | undefined {
  const flag = readFlag(token);
  return flag?.name === name ? { inline: flag.value } : undefined;
}
