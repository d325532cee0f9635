/**
 * The second half of `npm run build`: bundles the compiled `dist/` into `dist/bundle/`, which `npm start` runs.
 * Loading a few bundles instead of some 700 modules takes about 0.5 s off the time to `/healthz` (README,
 * Performance). Two entries, side by side because the bot starts the worker from the file beside its own
 * code: the bot (`main.js`, its lazily imported parts such as the playground as chunks of their own) and the
 * ack thread's worker (`run-ack-thread.js`), bundled on its own so that it shares no chunk with the bot: it
 * loads only the front, not megabytes of the bot it would parse for nothing while the bot starts. Native and
 * worker-spawning packages stay in node_modules: better-sqlite3 (a native addon) and pino with its transports
 * (started by path in worker threads).
 */
import { cpSync, rmSync } from "node:fs";
import { build } from "esbuild";

const OUT = "dist/bundle";

const common = {
  outdir: OUT,
  entryNames: "[name]",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["better-sqlite3", "pino", "pino-pretty", "thread-stream"],
  // CommonJS packages inside an ES module bundle still call `require` (for Node's own modules).
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  logLevel: "warning",
};

rmSync(OUT, { recursive: true, force: true });
// Flat: the bot's chunks and the worker's file in one folder.
await build({ ...common, entryPoints: ["dist/main.js"], splitting: true, chunkNames: "[name]-[hash]" });
await build({ ...common, entryPoints: ["dist/slack/ack-thread/run-ack-thread.js"] });
// The playground serves its page from beside its module, in dist/ and in the bundle alike.
cpSync("src/sandbox/playground/public", "dist/sandbox/playground/public", { recursive: true });
cpSync("src/sandbox/playground/public", `${OUT}/public`, { recursive: true });
