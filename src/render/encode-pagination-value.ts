/**
 * Pagination buttons carry `<targetPage>:<context>` as their value, so the handler knows which page to fetch
 * and for which query without server-side state.
 */
export function encodePaginationValue(page: number, context: string): string {
  return `${Math.trunc(page)}:${context}`;
}

export type DecodedPaginationValue =
  | { ok: true; page: number; context: string }
  | { ok: false; error: string };

/** Inverse of {@link encodePaginationValue}; the value comes back from Slack, so it is validated. */
export function decodePaginationValue(value: string): DecodedPaginationValue {
  const match = /^([1-9]\d{0,8}):([\s\S]*)$/.exec(value);
  if (match === null) return { ok: false, error: "not a pagination value" };
  return { ok: true, page: Number(match[1]), context: match[2]! };
}
