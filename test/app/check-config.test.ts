/**
 * `npm run check-config` (the entry point with `--check`), run as a child process the way an admin runs it:
 * it reads POLICY_FILE, FLOWS_DIR and NOTIFICATIONS_FILE from the environment and loads them with start-up's
 * loader, so its report is start-up's (every problem, file:line:column), exits 0 or 1, needs no Slack token or
 * cloud credentials, and contacts nothing: with every address pointed at a listener, nobody connects to it.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "hwc-check-config-"));
let listener: Server;
let listenerPort: number;
let connections = 0;

beforeAll(async () => {
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((done) => listener.listen(0, "127.0.0.1", done));
  listenerPort = (listener.address() as { port: number }).port;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((done) => listener?.close(done));
});

/** `npm run check-config` with exactly `env` (plus PATH and HOME); its exit code and output. */
async function checkConfig(env: Record<string, string>) {
  return run("npm", ["run", "--silent", "check-config"], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

/** A copy of the shipped flows folder with some files edited (each edit must change its file). */
function flowsWith(edits: Record<string, (text: string) => string>): string {
  const target = mkdtempSync(join(dir, "flows-"));
  cpSync(join(repoRoot, "flows"), target, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const before = readFileSync(join(target, file), "utf8");
    const after = edit(before);
    expect(after, `${file} unchanged`).not.toBe(before);
    writeFileSync(join(target, file), after);
  }
  return target;
}

const filesOf = (flows: string) => ({
  POLICY_FILE: join(flows, "policy.yml"),
  FLOWS_DIR: flows,
  NOTIFICATIONS_FILE: join(flows, "notifications.yml"),
});

describe("npm run check-config", () => {
  it("is the entry point with --check", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["check-config"]).toBe("tsx src/main.ts --check");
  });

  it("accepts the shipped files and names them, with no Slack token or cloud credentials", {
    timeout: 60_000,
  }, async () => {
    const result = await checkConfig({});
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `configuration OK: policy ${resolve(repoRoot, "flows/policy.yml")}, flows ${resolve(repoRoot, "flows")}, notifications ${resolve(repoRoot, "flows/notifications.yml")} (as the playground would start: SLACK_BOT_TOKEN is not set, so the Slack and cloud settings are not checked)\n`,
    );
  });

  it("reports every problem of the admin's own files with file:line:column and exits 1", {
    timeout: 60_000,
  }, async () => {
    const flows = flowsWith({
      // The admin's cases: a window lasting longer than the gap between its events, a route whose only
      // watcher is disabled, a misspelled event, and a flow that calls nothing.
      "policy.yml": (t) => t.replace("duration: 4h", "duration: 4d"),
      "notifications.yml": (t) =>
        t
          .replace("    kind: hss_scan_tasks\n", "    kind: hss_scan_tasks\n    enabled: false\n")
          .replace("watchers: [hss-hosts, hss-open-ports, hss-scan-tasks]", "watchers: [hss-scan-tasks]")
          .replace(
            "    channels: [C_OPS]\n\n  # The production channel",
            "    channels: [C_OPS]\n    events: [ecs.stoped]\n\n  # The production channel",
          ),
    });
    const result = await checkConfig(filesOf(flows));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("hwc-chatops: the configuration has 3 problems; the bot does not start:");
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ {2}${join(flows, "policy.yml")}:\\d+:\\d+: \`duration: 4d\` is longer than the 2d between two starts of \`0 22 \\* \\* 2,4\``,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^ {2}${join(flows, "notifications.yml")}:\\d+:\\d+: event \`ecs\\.stoped\` matches no known event \\(did you mean \`ecs\\.stopped\`\\?\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^ {2}${join(flows, "notifications.yml")}:\\d+:\\d+: route \`prod-security\` gets events only from \`hss-scan-tasks\`, which is disabled`,
        ),
      ),
    ]);
  });

  it("run outside the project folder: one line saying which folder it looked in, and why there", {
    timeout: 60_000,
  }, async () => {
    const elsewhere = mkdtempSync(join(dir, "elsewhere-"));
    const manifest = createRequire(import.meta.url).resolve("tsx/package.json");
    const tsx = pathToFileURL(join(dirname(manifest), "dist/loader.mjs")).href;
    const result = await run(process.execPath, ["--import", tsx, join(repoRoot, "src/main.ts"), "--check"], {
      cwd: elsewhere,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      timeout: 60_000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      "hwc-chatops: the configuration has 1 problem; the bot does not start:",
      `  FLOWS_DIR, POLICY_FILE, NOTIFICATIONS_FILE: the folder flows does not exist (${join(elsewhere, "flows")}: relative paths are read from the working directory, ${elsewhere}), so none of its 16 files was found (policy.yml, start.yml, stop.yml and 13 more); start hwc-chatops in the folder that holds flows/ (its project folder), or set FLOWS_DIR, POLICY_FILE and NOTIFICATIONS_FILE to absolute paths`,
    ]);
  });

  it("prints the warning about a misspelled setting, and names the file really read", {
    timeout: 60_000,
  }, async () => {
    const mine = flowsWith({ "policy.yml": (t) => t.replace("duration: 4h", "duration: 3h") });
    const result = await checkConfig({ POLICY_FIEL: join(mine, "policy.yml") });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      "hwc-chatops: warning: POLICY_FIEL is not a setting of hwc-chatops and is ignored (did you mean POLICY_FILE?); the settings are listed in the README's configuration section\n",
    );
    expect(result.stdout).toContain(`configuration OK: policy ${resolve(repoRoot, "flows/policy.yml")}, `);
  });

  it("in bot mode checks the Slack and cloud settings too, and connects to nothing", {
    timeout: 60_000,
  }, async () => {
    const nowhere = `http://127.0.0.1:${listenerPort}`;
    const result = await checkConfig({
      SLACK_BOT_TOKEN: "xoxb-1-not-a-real-token",
      SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef",
      SLACK_API_URL: `${nowhere}/api/`,
      HUAWEICLOUD_SDK_REGION: "ap-southeast-1",
      HUAWEICLOUD_SDK_AK: "AKNOTUSED",
      HUAWEICLOUD_SDK_SK: "SKNOTUSED0SECRET",
      HUAWEICLOUD_ECS_ENDPOINT: nowhere,
      HUAWEICLOUD_HSS_ENDPOINT: nowhere,
      HUAWEICLOUD_IAM_ENDPOINT: nowhere,
      STORE_URL: `redis://127.0.0.1:${listenerPort}`,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^configuration OK: .* \(with the Slack and cloud settings\)\n$/);
    expect(connections).toBe(0);

    const missing = await checkConfig({ SLACK_BOT_TOKEN: "xoxb-1-not-a-real-token" });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("HUAWEICLOUD_SDK_REGION: expected");
    expect(missing.stderr).not.toContain("xoxb-1-not-a-real-token");
    expect(connections).toBe(0);
  });
});
