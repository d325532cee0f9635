import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Report } from "./report.js";

interface ProfileNode {
  id: number;
  hitCount: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Packages that are a part of the bot on their own; any other package's time goes to the part of the bot that
 * called it (undici's to the cloud client, zod's to whatever it validated, `node:http`'s to the Slack fetch).
 */
const PACKAGE_PARTS: readonly (readonly [RegExp, string])[] = [
  [/node_modules\/(pino|sonic-boom)\//, "log"],
  [/node_modules\/prom-client\//, "metrics"],
  [/node_modules\/better-sqlite3\//, "store"],
];

/**
 * Where the profiled bot spent its CPU during the measured windows (`windows`: start and end, in µs of the
 * monotonic clock V8 stamps its samples with): the functions and modules with the most self time and, for the
 * unbundled build (`BENCH_BOT_ENTRY=dist/main.js`), the parts of the bot. The start-up, the warm-up and the
 * watcher runs between windows are left out: they are not the commands' work.
 */
export function summarizeProfile(
  dir: string,
  report: Report,
  windows: readonly (readonly [number, number])[],
): void {
  // The bot's own thread (thread 0); the ack thread's profile is the other file.
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort();
  const file = files.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
  if (file === undefined) return;
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
  // Samples by node, counted only inside a window.
  const inWindows = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (!windows.some(([from, to]) => at >= from && at <= to)) continue;
    const id = profile.samples[i] ?? -1;
    inWindows.set(id, (inWindows.get(id) ?? 0) + 1);
  }
  for (const node of profile.nodes) node.hitCount = inWindows.get(node.id) ?? 0;
  report(
    "profile of the bot's thread",
    `${windows.length} window${windows.length === 1 ? "" : "s"}`,
    "self time, of its samples inside the measured windows",
  );
  const byFrame = new Map<string, number>();
  let hits = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/dist\//, "dist/");
    const key = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + node.hitCount);
    hits += node.hitCount;
  }
  const top = [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, 15);
  for (const [frame, count] of top)
    report(`  profile: ${frame}`.slice(0, 58), `${((count / hits) * 100).toFixed(1)} %`);
  // Self time by module (a package, or a file of ours): which part of the bot the CPU goes to.
  const byModule = new Map<string, number>();
  for (const node of profile.nodes) {
    const url = node.callFrame.url;
    const module = url.includes("node_modules/")
      ? (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url)
      : url.includes("/dist/")
        ? url.replace(/^.*\/dist\//, "dist/")
        : url === ""
          ? node.callFrame.functionName || "(native)"
          : url.replace(/^node:/, "node:");
    byModule.set(module, (byModule.get(module) ?? 0) + node.hitCount);
  }
  for (const [module, count] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 15))
    report(`  by module: ${module}`.slice(0, 58), `${((count / hits) * 100).toFixed(1)} %`);
  reportParts(profile, report);
}

/**
 * The busy samples by part of the bot (a folder of `src`, as the unbundled build keeps them): each goes to
 * the innermost frame that is ours or a package of {@link PACKAGE_PARTS}, so a library's time counts for the
 * part that called it. A sample with no such frame (a socket's callback from the event loop) is named by
 * what is on its stack instead. Idle samples are left out; the bundle's chunks name no folder, so for the
 * bundle this prints nothing.
 */
function reportParts(profile: CpuProfile, report: Report): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  // Outside the bot's frames, a package names the work best (undici: the cloud client's sockets), then
  // Node's HTTP client (the Slack fetch's), then the innermost Node module.
  const rankOf = (url: string): [number, string] | undefined => {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    if (pkg !== undefined) return [3, pkg];
    if (/^node:_http_/.test(url)) return [2, "node:http"];
    return url.startsWith("node:") ? [1, url] : undefined;
  };
  let sawFolder = false;
  const part = (leaf: number): string => {
    let outside: [number, string] | undefined;
    for (let id: number | undefined = leaf; id !== undefined; id = parentOf.get(id)) {
      const url = byId.get(id)?.callFrame.url ?? "";
      const own = PACKAGE_PARTS.find(([pattern]) => pattern.test(url))?.[1];
      if (own !== undefined) return own;
      const folder = /\/dist\/(?!bundle\/)([^/]+)\//.exec(url)?.[1];
      if (folder !== undefined) {
        sawFolder = true;
        return folder;
      }
      const rank = rankOf(url);
      if (rank !== undefined && rank[0] > (outside?.[0] ?? 0)) outside = rank;
    }
    return `outside the bot: ${outside?.[1] ?? "native"}`;
  };
  const byPart = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    if (node.hitCount === 0 || node.callFrame.functionName === "(idle)") continue;
    const name = ["(garbage collector)", "(program)"].includes(node.callFrame.functionName)
      ? node.callFrame.functionName
      : part(node.id);
    byPart.set(name, (byPart.get(name) ?? 0) + node.hitCount);
    busy += node.hitCount;
  }
  if (!sawFolder) return;
  report(
    "profile of the bot's thread by part",
    `${busy} samples`,
    "its busy samples by folder of src (a library's time counted for the part that called it)",
  );
  for (const [name, count] of [...byPart].sort((a, b) => b[1] - a[1]).slice(0, 18))
    report(`  by part: ${name}`.slice(0, 58), `${((count / busy) * 100).toFixed(1)} %`);
}
