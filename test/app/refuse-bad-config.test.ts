import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigFileError, loadConfigFiles } from "../../src/app/start-hwc-chatops.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "hwc-bad-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the shipped flows folder with one file replaced. */
function flowsWith(file: string, text: string): string {
  const target = mkdtempSync(join(dir, "flows-"));
  cpSync("flows", target, { recursive: true });
  writeFileSync(join(target, file), text);
  return target;
}

const files = (flowsDir: string) => ({
  policyFile: join(flowsDir, "policy.yml"),
  flowsDir,
  notificationsFile: join(flowsDir, "notifications.yml"),
});

describe("start-up refuses malformed configuration files", () => {
  it("loads the shipped policy, flows and notifications", async () => {
    const loaded = await loadConfigFiles(files("flows"));
    expect(loaded.policy.rules.length).toBeGreaterThan(0);
  });

  it("names file, line and the problem of every bad file at once", async () => {
    const flows = flowsWith(
      "policy.yml",
      "version: 1\nrules:\n  - id: x\n    description: y\n    actions: [ecs:nope:*]\n    effect: allow\n",
    );
    writeFileSync(join(flows, "stop.yml"), "operation: stop\ndescription: x\nsteps: 3\n");
    const error = await loadConfigFiles(files(flows)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`${join(flows, "policy.yml")}:5:\\d+: .*ecs:nope:\\*`));
    expect(message).toMatch(new RegExp(`${join(flows, "stop.yml")}:\\d+:\\d+: `));
  });

  it("a rule needing more approvals than the users it lists (and no group) stops start-up", async () => {
    const flows = flowsWith(
      "policy.yml",
      [
        "version: 1",
        "rules:",
        "  - id: delete-by-two",
        "    description: Two named people approve deletes.",
        "    actions: [ecs:cloudServers:delete]",
        "    effect:",
        "      require_approval:",
        "        approvers: { users: [U0123ABCDE, U0456FGHIJ] }",
        "        min_approvals: 3",
        "",
      ].join("\n"),
    );
    const error = await loadConfigFiles(files(flows)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as Error).message).toContain(
      `${join(flows, "policy.yml")}:9:24: \`min_approvals: 3\` can never be met: only 2 approvers are listed`,
    );
  });

  it("an empty policy loads and denies everything (never an open door)", async () => {
    const flows = flowsWith("policy.yml", "rules: []\n");
    const loaded = await loadConfigFiles(files(flows));
    expect(loaded.policy.rules).toEqual([]);
  });

  it("the process exits non-zero with file and line before connecting to anything", async () => {
    const flows = flowsWith(
      "notifications.yml",
      "version: 1\nwatchers:\n  - id: w\n    kind: ecs_servers\n    bogus: 1\n",
    );
    const result = await run(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        PATH: process.env.PATH,
        SLACK_BOT_TOKEN: "xoxb-not-used",
        SLACK_SIGNING_SECRET: "not-used",
        HUAWEICLOUD_SDK_REGION: "cn-north-4",
        HUAWEICLOUD_SDK_AK: "AKNOTUSED",
        HUAWEICLOUD_SDK_SK: "SKNOTUSED",
        HUAWEICLOUD_SDK_PROJECT_ID: "p",
        STORE_URL: "memory://",
        POLICY_FILE: join(flows, "policy.yml"),
        FLOWS_DIR: flows,
        NOTIFICATIONS_FILE: join(flows, "notifications.yml"),
      },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the bot does not start");
    expect(result.stderr).toMatch(new RegExp(`${join(flows, "notifications.yml")}:\\d+:\\d+: `));
    expect(result.stderr).not.toContain("SKNOTUSED");
  });
});
