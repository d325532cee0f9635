/**
 * `npm start` runs compiled, bundled JavaScript (`node dist/bundle/main.js`), never TypeScript at run time. `npm ci` builds
 * dist through the `prepare` script; this `prestart` step builds it when it is missing or older than a file
 * under `src/` (a checkout moved on without `npm ci`), so `npm start` never runs stale code.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ENTRY = "dist/bundle/main.js";

/** The newest modification time of any file under `dir`. */
function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

const built = existsSync(ENTRY) ? statSync(ENTRY).mtimeMs : 0;
if (built > 0 && (!existsSync("src") || newestUnder("src") <= built)) process.exit(0);

if (!existsSync("node_modules/typescript")) {
  process.stderr.write(
    built > 0
      ? `hwc-chatops: ${ENTRY} is older than src/ and TypeScript is not installed to rebuild it; starting it as it is\n`
      : `hwc-chatops: ${ENTRY} is missing and TypeScript is not installed: run \`npm ci\` (it builds dist/) or \`npm run build\`\n`,
  );
  process.exit(built > 0 ? 0 : 1);
}
process.stderr.write(
  `hwc-chatops: ${built > 0 ? "src/ changed" : `${ENTRY} is missing`}: building (npm run build)\n`,
);
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, "run", "build"], { stdio: "inherit" })
  : spawnSync("npm", ["run", "build"], { stdio: "inherit", shell: process.platform === "win32" });
process.exit(result.status ?? 1);
