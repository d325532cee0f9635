/**
 * Parses a `Retry-After` header into milliseconds from `nowMs`: either delta-seconds (`"3"`, tolerated
 * with a fraction `"1.5"`) or an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`). A date in the past
 * yields 0. Undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // Only accept things that look like an HTTP date; Date.parse is lenient with anything else.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
