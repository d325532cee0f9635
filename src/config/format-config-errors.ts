/** One problem in a configuration file, pointing at the exact place to fix. */
export interface ConfigError {
  /** The file as the caller named it, e.g. `flows/policy.yml`. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Where in the document, e.g. `rules[2].effect.require_approval.expires_in`; empty for the whole file. */
  path: string;
  /** What is wrong and, where possible, what would be right. */
  message: string;
}

/** A path into a parsed document: map keys and sequence indices. */
export type ConfigPath = readonly (string | number)[];

/** One line per error, compiler style: `flows/policy.yml:12:7: unknown key \`aprovers\` (did you mean …?)`. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join("\n");
}

/** `["rules", 2, "effect"]` → `rules[2].effect`; keys that are not identifiers are bracketed and quoted. */
export function formatConfigPath(path: ConfigPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
