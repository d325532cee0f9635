/** What the bot's `/metrics` says it did: store operations, cloud requests, Slack calls, collections, watcher runs. */

/**
 * The bot's `/metrics` text. Read again once on a failed fetch: read while the bot is under load (where a
 * measured window starts, after its lead-in), a kept-alive connection the bot closes as the read starts fails it.
 */
async function metricsText(port: number): Promise<string> {
  const read = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  try {
    return await read();
  } catch {
    return await read();
  }
}

/** The bot's watcher runs so far (a window with one in it is measured again). */
export const WATCHER_RUNS = /^hwc_chatops_watcher_runs_total\{/;

/**
 * The bot's counts of store operations, cloud requests and Slack Web API calls so far, from its `/metrics`,
 * named `store <operation>`, `cloud <operation>` and `slack <method>`.
 */
export async function requestCountsOf(port: number): Promise<Map<string, number>> {
  const metrics = await metricsText(port);
  const counts = new Map<string, number>();
  const kinds: [RegExp, string][] = [
    [/^hwc_chatops_store_operation_duration_seconds_count\{operation="([^"]+)"/, "store"],
    [/^hwc_chatops_cloud_requests_total\{operation="([^"]+)"/, "cloud"],
    [/^hwc_chatops_slack_api_calls_total\{method="([^"]+)"/, "slack"],
  ];
  for (const line of metrics.split("\n"))
    for (const [pattern, kind] of kinds) {
      const name = pattern.exec(line)?.[1];
      if (name === undefined) continue;
      const key = `${kind} ${name}`;
      counts.set(key, (counts.get(key) ?? 0) + Number(line.split(" ").at(-1)));
    }
  return counts;
}

/**
 * The bot's garbage collections so far, by kind (`minor`, `major`, `incremental`, `weakcb`): how many and
 * their time on the bot's thread (ms), from prom-client's `nodejs_gc_duration_seconds` in its `/metrics`.
 */
export async function gcOf(port: number): Promise<Map<string, { count: number; ms: number }>> {
  const metrics = await metricsText(port);
  const byKind = new Map<string, { count: number; ms: number }>();
  for (const line of metrics.split("\n")) {
    const match = /^hwc_chatops_nodejs_gc_duration_seconds_(count|sum)\{kind="([^"]+)"\} (\S+)/.exec(line);
    if (match === null) continue;
    const [, what, kind = "", value] = match;
    const entry = byKind.get(kind) ?? { count: 0, ms: 0 };
    if (what === "count") entry.count += Number(value);
    else entry.ms += Number(value) * 1000;
    byKind.set(kind, entry);
  }
  return byKind;
}

/** The sum of the bot's `/metrics` samples whose line matches `pattern`. */
export async function metricSum(port: number, pattern: RegExp): Promise<number> {
  const metrics = await metricsText(port);
  return metrics
    .split("\n")
    .filter((line) => pattern.test(line))
    .reduce((total, line) => total + Number(line.split(" ").at(-1)), 0);
}
