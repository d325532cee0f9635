import { flagOf } from "./parse-arguments.js";
import { tokenize } from "./tokenize.js";

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
  const at = tokens.findIndex((t) => {
    const flag = flagOf(t);
    return flag === BREAK_GLASS_FLAG || flag?.startsWith(`${BREAK_GLASS_FLAG}=`) === true;
  });
  if (at < 0) return { ok: true, text };
  const token = tokens[at];
  if (token === undefined) return { ok: true, text };
  const again = tokens.slice(at + 1).some((t) => flagOf(t)?.split("=")[0] === BREAK_GLASS_FLAG);
  if (again) return { ok: false, message: "`--break-glass` is given more than once; give it once." };
  const usage = 'Write the reason after it in quotes: `--break-glass "web tier down, INC-4711"`.';
  const inline = (flagOf(token) ?? "").slice(BREAK_GLASS_FLAG.length + 1);
  let end = token.end;
  let reason = inline;
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
