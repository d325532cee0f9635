import { COMMANDS, helpFor, verbsOf } from "../../intents/index.js";

/** One autocomplete entry of the composer. */
export interface CommandHint {
  /** What gets typed, e.g. `/ecs list`. */
  insert: string;
  summary: string;
  usage: string;
  example?: string;
}

/**
 * Composer autocomplete, taken from the bot's own help content so hints never drift from the
 * grammar: one entry per command, then one per verb.
 */
export function buildCommandHints(): CommandHint[] {
  const hints: CommandHint[] = [];
  for (const command of COMMANDS) {
    const overview = helpFor({ command });
    hints.push({ insert: `/${command}`, summary: overview.title, usage: `/${command} <verb> …` });
    for (const verb of verbsOf(command)) {
      const help = helpFor({ command, verb });
      const hint: CommandHint = {
        insert: `/${command} ${verb}`,
        summary: help.title.replace(/^\/\S+ \S+: /, ""),
        usage: help.usage[0] ?? `/${command} ${verb}`,
      };
      const example = help.examples[0];
      if (example !== undefined) hint.example = example;
      hints.push(hint);
    }
  }
  return hints;
}
