import { readFileSync } from "node:fs";

/**
 * hwc-chatops' version, as its package.json says, for the start-up log: read at start, not built in, so the
 * compiled files (`dist/`) and the bundle (`dist/bundle/`) need no build step of their own for it. This module
 * is two folders below the package's root in `src/app/`, `dist/app/` and `dist/bundle/` alike (the bundler
 * keeps `import.meta.url` the bundle's own file). "unknown" when the file cannot be read: a missing version
 * never stops a start.
 */
export function readPackageVersion(
  packageJson: URL = new URL("../../package.json", import.meta.url),
): string {
  try {
    const { version } = JSON.parse(readFileSync(packageJson, "utf8")) as { version?: unknown };
    return typeof version === "string" && version !== "" ? version : "unknown";
  } catch {
    return "unknown";
  }
}
