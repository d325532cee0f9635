import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Report } from "./report.js";

/**
 * Where the profiled bot spent its CPU during the measured windows (`windows`: start and end, in µs of the
 * monotonic clock V8 stamps its samples with): the functions and modules with the most self time. The
 * start-up, the warm-up and the watcher runs between windows are left out: they are not the commands' work.
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
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
    nodes: {
      id: number;
      hitCount: number;
      callFrame: { functionName: string; url: string; lineNumber: number };
    }[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
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
}
