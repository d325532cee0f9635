import { flagOf, readFlag } from "../intents/parse-arguments.js";
import { tokenize } from "../intents/tokenize.js";
import { describeBreakGlassScheduleRefusal } from "../views/build-schedule-views.js";

/** `--at <time>` and `--window <name>` as typed, before they are resolved to a start time. */
export interface ScheduleFlags {
  at?: string;
  window?: string;
}

export type TakeScheduleFlagsResult =
  | { ok: true; text: string; flags: ScheduleFlags | undefined }
  | { ok: false; message: string };

const FLAGS = ["at", "window"] as const;

/** What each flag needs, said when it is missing or empty. */
const NEEDS: Readonly<Record<(typeof FLAGS)[number], string>> = {
  at: "`--at` needs a time: `--at 22:30` (your time zone) or `--at 2026-12-08T22:30+01:00`",
  window: "`--window` needs the name of a maintenance window: `--window <name>` (see `/ops calendar`)",
};

/**
 * Takes `--at <time>` / `--window <name>` (also `--at=<time>`, quoted as a shell reads it: `--at="22:30"`,
 * `--window "night shift"`, `"--at=22:30"`, see `readFlag`) out of a command's text, so every mutation accepts
 * them without each verb's grammar knowing them; the rest of the text is parsed as before. A text the tokenizer
 * refuses is left as it is (the parser then says why, and nothing is taken). `breakGlass`: the command also has
 * `--break-glass` (taken out before): refused with either flag, since break-glass is for acting now, in an
 * emergency, and a change for later asks for approval. Pure.
 */
export function takeScheduleFlags(
  text: string,
  given: { breakGlass?: boolean } = {},
): TakeScheduleFlagsResult {
  const tokenized = tokenize(text);
  if (!tokenized.ok) return { ok: true, text, flags: undefined };
  const tokens = tokenized.tokens;
  const flags: ScheduleFlags = {};
  const cut: { start: number; end: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const flag = token === undefined ? undefined : readFlag(token);
    if (token === undefined || (flag?.name !== "--at" && flag?.name !== "--window")) continue;
    const name = flag.name === "--at" ? "at" : "window";
    let value = flag.value;
    let end = token.end;
    if (value === undefined) {
      const next = tokens[i + 1];
      // A quoted next token is the value, whatever it starts with; a bare flag is not.
      if (next === undefined || (next.quoteStart === undefined && flagOf(next) !== undefined))
        return { ok: false, message: NEEDS[name] };
      value = next.text;
      end = next.end;
      i++;
    }
    if (value.trim() === "") return { ok: false, message: NEEDS[name] };
    if (flags[name] !== undefined)
      return { ok: false, message: `\`--${name}\` is given twice; give it once` };
    flags[name] = value.trim();
    cut.push({ start: token.start, end });
  }
  if (cut.length === 0) return { ok: true, text, flags: undefined };
  if (flags.at !== undefined && flags.window !== undefined)
    return {
      ok: false,
      message: "use either `--at <time>` or `--window <name>`, not both",
    };
  if (given.breakGlass === true)
    return {
      ok: false,
      message: describeBreakGlassScheduleRefusal(flags.at !== undefined ? "--at" : "--window"),
    };
  let rest = text;
  for (const c of [...cut].reverse()) rest = `${rest.slice(0, c.start)}${rest.slice(c.end)}`;
  return { ok: true, text: rest.replace(/\s+/g, " ").trim(), flags };
}
