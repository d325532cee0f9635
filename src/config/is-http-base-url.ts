/**
 * Whether `value` is an http(s) URL without query or fragment: a base URL that paths are appended to (a
 * service endpoint, Slack's API URL). A query or fragment would end up in the middle of every request's URL.
 */
export function isHttpBaseUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && !url.search && !url.hash;
  } catch {
    return false;
  }
}
