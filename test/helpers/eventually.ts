/**
 * Polls `check` (sync or async) every 50 ms until it returns a value (neither `undefined` nor `false`), for up
 * to `timeoutMs`: for what changes without Slack traffic to wake the fake Slack's `waitFor` (a log line, a
 * handler's own record, another process).
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
