import { matchGlob } from "../policy/match-glob.js";
import type { SubjectMatch } from "./load-notifications-config.js";

/**
 * Whether a server / host is selected by `match`: every listed tag is present with a value matching its
 * glob, and, when names are listed, the name matches one of them. No `match` selects everything.
 */
export function matchSubject(
  match: SubjectMatch | undefined,
  subject: { name: string; tags: Readonly<Record<string, string>> },
): boolean {
  if (match === undefined) return true;
  for (const [key, pattern] of Object.entries(match.tags)) {
    const value = Object.hasOwn(subject.tags, key) ? subject.tags[key] : undefined;
    if (value === undefined || !matchGlob(pattern, value)) return false;
  }
  return match.names.length === 0 || match.names.some((pattern) => matchGlob(pattern, subject.name));
}
