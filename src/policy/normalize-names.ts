/** Group handles compare without `@` and case-insensitively, as Slack treats them. */
export function normalizeGroup(handle: string): string {
  return handle.replace(/^@/, "").toLowerCase();
}

/** Channel names compare without `#` and case-insensitively. */
export function normalizeChannelName(name: string): string {
  return name.replace(/^#/, "").toLowerCase();
}
