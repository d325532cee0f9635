import { flagOf, normalizeFlag } from "./parse-arguments.js";
import { type Token, tokenize } from "./tokenize.js";

export const BREAK_GLASS_FLAG = "--break-glass";

/**
 * The command text without `--break-glass "<reason>"`, and the reason; or why the flag is malformed.
 * `reason` is absent when the flag is not given. The text is cut at the flag's exact place, so the rest
 * parses as if it had never been typed.
 */
export type BreakGlassExtraction =
  | { ok: true; text: string; reason?: string }
  | { ok: false; message: string };

/**
 * Takes `--break-glass "<reason>"` (or `--break-glass="<reason>"`) out of slash-command text, before the
 * command's own grammar reads the rest. Tokenizer failures are left to the grammar (it explains them).
 */
export function extractBreakGlass(text: string): BreakGlassExtraction {
  const tokenized = tokenize(text);
  if (!tokenized.ok) return { ok: true, text };
  const { tokens } = tokenized;
  const at = tokens.findIndex((t) => breakGlassOf(t) !== undefined);
  if (at < 0) return { ok: true, text };
  const token = tokens[at];
  if (token === undefined) return { ok: true, text };
  if (tokens.slice(at + 1).some((t) => breakGlassOf(t) !== undefined))
    return { ok: false, message: "`--break-glass` is given more than once; give it once." };
  const usage = 'Write the reason after it in quotes: `--break-glass "web tier down, INC-4711"`.';
  let end = token.end;
  let reason = breakGlassOf(token)?.inline ?? "";
  if (reason === "") {
    const next = tokens[at + 1];
    if (next === undefined || (next.quoteStart === undefined && flagOf(next) !== undefined))
      return { ok: false, message: `\`--break-glass\` needs a reason. ${usage}` };
    reason = next.text;
    end = next.end;
  }
  if (reason.trim() === "") return { ok: false, message: `\`--break-glass\` needs a reason. ${usage}` };
  const rest = `${text.slice(0, token.start).trimEnd()} ${text.slice(end).trimStart()}`.trim();
  return { ok: true, text: rest, reason: reason.trim() };
}

/** Whether a token is the flag (`--break-glass`, smart dashes too), and the reason written into it after `=`. */
function breakGlassOf(token: Token): { inline: string } | undefined {
  if (token.mention !== undefined) return undefined;
  // A quote may open right after `=`: only the part before it is the flag's name.
  const head = token.quoteStart === undefined ? token.text : token.text.slice(0, token.quoteStart);
  const flag = normalizeFlag(head);
  if (flag === BREAK_GLASS_FLAG && token.quoteStart === undefined) return { inline: "" };
  if (flag?.startsWith(`${BREAK_GLASS_FLAG}=`) !== true) return undefined;
  return { inline: token.text.slice(token.text.indexOf("=") + 1) };
}
