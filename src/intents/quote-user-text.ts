/** How much of a user-supplied fragment an error message repeats. */
const MAX_ECHO = 40;

/**
 * Wraps user text for inclusion in a message: at most 40 characters (then `…`), whitespace collapsed
 * to spaces, control/format characters replaced by `?`, backticks replaced by `'` so the fragment
 * cannot break out of its inline-code span, and `<` `>` replaced by `‹` `›` so that even a renderer
 * that forgets to escape cannot turn echoed text such as `<!channel>` into a real mention. Mention
 * tokens are never echoed at all.
 */
export function quoteUserText(text: string): string {
  const chars = Array.from(text.length > MAX_ECHO * 4 ? text.slice(0, MAX_ECHO * 4) : text);
  const truncated = chars.length > MAX_ECHO;
  const shown = chars
    .slice(0, MAX_ECHO)
    .join("")
    .replace(/\s/g, " ")
    .replace(/\p{C}/gu, "?")
    .replace(/`/g, "'")
    .replace(/</g, "\u2039")
    .replace(/>/g, "\u203A");
  return `\`${shown}${truncated ? "…" : ""}\``;
}
