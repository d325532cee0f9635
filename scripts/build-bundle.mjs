/**
 * The second half of `npm run build`: bundles the compiled `dist/` into `dist/bundle/`, which `npm start` runs.
 * Loading one bundle instead of some 700 modules roughly halves the time to `/healthz` (README, Performance).
 * Entries: the bot (`main.js`) and the ack thread's worker (`run-ack-thread.js`), side by side, because the
 * bot starts the worker from the file beside its own code. Lazily imported parts (the playground) become
 * chunks of their own. Native and worker-spawning packages stay in node_modules: better-sqlite3 (a native
 * addon) and pino with its transports (started by path in worker threads).
 */
import { cpSync, rmSync } from "node:fs";
import { build } from "esbuild";

const OUT = "dist/bundle";

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: ["dist/main.js", "dist/slack/ack-thread/run-ack-thread.js"],
  outdir: OUT,
  entryNames: "[name]",
  // Flat: the bot starts the ack thread from `./run-ack-thread.js` beside the chunk that holds its code.
  chunkNames: "[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["better-sqlite3", "pino", "pino-pretty", "thread-stream"],
  // CommonJS packages inside an ES module bundle still call `require` (for Node's own modules).
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  logLevel: "warning",
});
// The playground serves its page from beside its module, in dist/ and in the bundle alike.
cpSync("src/sandbox/playground/public", "dist/sandbox/playground/public", { recursive: true });
cpSync("src/sandbox/playground/public", `${OUT}/public`, { recursive: true });
