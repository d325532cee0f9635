import { existsSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { type ConfigError, formatConfigErrors } from "../config/format-config-errors.js";
import type { AppConfig } from "./load-app-config.js";

type FilePaths = Pick<AppConfig, "policyFile" | "flowsDir" | "notificationsFile">;

/**
 * The start-up problems of the declarative files, one line each (`file:line:column: …`), except for a folder
 * that does not exist: its files are said once, in one line naming the settings that point there and where
 * they were looked for. Run from another folder, the shipped relative paths (`flows/…`) all miss, and sixteen
 * "file not found" lines would hide the one cause: the working directory, which relative paths are read from.
 * A single missing file keeps its own line (the file is the thing to fix).
 */
export function describeConfigFileErrors(
  errors: readonly ConfigError[],
  paths: FilePaths,
  cwd: string = process.cwd(),
): string[] {
  const missing = new Map<string, ConfigError[]>();
  for (const error of errors) {
    const folder = dirname(resolve(cwd, error.file));
    if (error.line === 1 && error.path === "" && !existsSync(folder))
      missing.set(folder, [...(missing.get(folder) ?? []), error]);
  }
  const lines: string[] = [];
  const said = new Set<string>();
  for (const error of errors) {
    const folder = dirname(resolve(cwd, error.file));
    const group = missing.get(folder);
    if (group === undefined || group.length < 2) lines.push(formatConfigErrors([error]));
    else if (!said.has(folder)) {
      said.add(folder);
      lines.push(describeMissingFolder(folder, group, paths, cwd));
    }
  }
  return lines;
}

function describeMissingFolder(folder: string, files: ConfigError[], paths: FilePaths, cwd: string): string {
  const settings = [
    ["FLOWS_DIR", resolve(cwd, paths.flowsDir)],
    ["POLICY_FILE", dirname(resolve(cwd, paths.policyFile))],
    ["NOTIFICATIONS_FILE", dirname(resolve(cwd, paths.notificationsFile))],
  ]
    .filter(([, at]) => at === folder)
    .map(([name]) => name as string);
  const listed =
    settings.length > 1 ? `${settings.slice(0, -1).join(", ")} and ${settings.at(-1)}` : (settings[0] ?? "");
  // As the settings gave it (`flows`), the way the per-file lines would have named the files.
  const given = dirname(files[0]?.file ?? folder);
  const names = files.map((f) => basename(f.file));
  const some =
    names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
  const relative = !isAbsolute(given);
  const where = relative ? ` (${folder}: relative paths are read from the working directory, ${cwd})` : "";
  const fix = relative
    ? `start hwc-chatops in the folder that holds ${given}/ (its project folder), or set ${listed || "the paths"} to absolute paths`
    : `set ${listed || "the paths"} to where the files are`;
  return `${settings.join(", ") || given}: the folder ${given} does not exist${where}, so none of its ${names.length} files was found (${some}); ${fix}`;
}
