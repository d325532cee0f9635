import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/** tsx's ESM API (its `register()`), found through tsx's own exports map from `base`. */
function tsxEsmApi(base: string): string {
  const manifest = createRequire(base).resolve("tsx/package.json");
  const { exports } = JSON.parse(readFileSync(manifest, "utf8")) as {
    exports: Record<string, { import?: { default?: string } }>;
  };
  const entry = exports["./esm/api"]?.import?.default;
  if (entry === undefined) throw new Error(`${manifest} has no ESM entry for tsx/esm/api`);
  return new URL(entry, pathToFileURL(manifest)).href;
}

/**
 * Starts a worker thread running the module `name` beside `base` (an `import.meta.url`): compiled JavaScript
 * (`<name>.js`) when `base` is, the TypeScript source (`<name>.ts`) through tsx's loader when `base` is a `.ts`
 * file (tests, `tsx`, the bench), because a worker does not inherit the loader its parent was started with.
 */
export function startModuleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  if (!base.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, base), options);
  const entry = new URL(`./${name}.ts`, base).href;
  const tsx = tsxEsmApi(base);
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
