/**
 * Whether `value` is an http(s) URL without user, password, query or fragment: a base URL that paths are
 * appended to (a service endpoint, Slack's API URL). A query or fragment would end up in the middle of every
 * request's URL; a password would be printed wherever the URL is (a start-up failure, a log line).
 */
export function isHttpBaseUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === "https:" || url.protocol === "http:") &&
      !url.search &&
      !url.hash &&
      !url.username &&
      !url.password
    );
  } catch {
    return false;
  }
}
