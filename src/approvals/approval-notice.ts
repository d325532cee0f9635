/**
 * What the approval state machine says to the person who clicked, as structured words: text and user
 * mentions kept apart, so a mention typed into untrusted text (a rejection reason, a command line) can never
 * become a real one. Renderers show every string part as untrusted text and every `{ user }` part as a
 * mention; nothing is parsed back out of the text.
 */

/**
 * Plain text (rendered untrusted), a Slack user ID to mention, or an instant (shown in each reader's local
 * time by renderers that can, as ISO 8601 UTC in logs).
 */
export type NoticePart = string | { readonly user: string } | { readonly at: number };
export type Notice = readonly NoticePart[];

/** What {@link say} interpolates: text, numbers, a mention, or another notice (spliced in). */
export type NoticeValue = string | number | NoticePart | Notice;

/** A mention of a Slack user. */
export const mention = (userId: string): NoticePart => ({ user: userId });

/** An instant, for the reader's local time. */
export const instant = (at: number): NoticePart => ({ at });

/** `<@A>, <@B>` as a notice. */
export function listMentions(userIds: readonly string[]): Notice {
  return userIds.flatMap((id, i) => (i === 0 ? [mention(id)] : [", ", mention(id)]));
}

/** Template tag building a {@link Notice}; adjacent text is merged. */
export function say(strings: TemplateStringsArray, ...values: readonly NoticeValue[]): Notice {
  const out: NoticePart[] = [];
  const push = (part: NoticePart) => {
    const last = out.at(-1);
    if (typeof part === "string" && typeof last === "string") out[out.length - 1] = last + part;
    else if (part !== "") out.push(part);
  };
  strings.forEach((text, i) => {
    push(text);
    if (i >= values.length) return;
    const value = values[i]!;
    if (Array.isArray(value)) for (const part of value as Notice) push(part);
    else push(typeof value === "number" ? String(value) : (value as NoticePart));
  });
  return out;
}

/** The notice as one line, mentions written `<@U…>` (for logs and tests; never rendered to Slack as is). */
export function noticeText(notice: Notice): string {
  return notice
    .map((p) => (typeof p === "string" ? p : "user" in p ? `<@${p.user}>` : new Date(p.at).toISOString()))
    .join("");
}
