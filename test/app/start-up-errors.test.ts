/**
 * Start-up as shipped: the real entry point (`node --import tsx src/main.ts`) as a child process, against the
 * fake Slack on loopback. Every configuration problem is reported at once; a refused token, an unreachable Slack
 * and a busy port each end the process with one line naming the setting to fix, and no stack trace.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { findFreePort } from "../helpers/find-free-port.js";

const run = promisify(execFile);
let fake: FakeSlack;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  fake = await startFakeSlack();
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await fake?.close();
  await new Promise((resolve) => busy?.close(resolve));
});
beforeEach(() => fake.reset());

const CLOUD = {
  HUAWEICLOUD_SDK_REGION: "cn-north-4",
  HUAWEICLOUD_SDK_AK: "AKNOTUSED",
  HUAWEICLOUD_SDK_SK: "SKNOTUSED0SECRET",
  HUAWEICLOUD_SDK_PROJECT_ID: "p",
  STORE_URL: "memory://",
};

/** Runs the entry point with exactly `env` (plus PATH); resolves with its exit code and output. */
async function start(env: Record<string, string>, args: string[] = []) {
  const result = await run(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    env: { PATH: process.env.PATH, ...env },
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  // The process' own lines (pino JSON lines on stdout are the structured log).
  const lines = result.stderr.split("\n").filter((l) => l.startsWith("hwc-chatops:"));
  return { ...result, lines, all: `${result.stdout}\n${result.stderr}` };
}

/** No stack trace anywhere in the output (stderr, or an `err.stack` in a log line). */
function expectNoStack(all: string): void {
  expect(all).not.toMatch(/\n\s+at \S/);
  expect(all).not.toMatch(/\\n\s+at \S/);
}

describe("start-up reports every configuration problem at once", () => {
  it("all variables and all files in one report, naming variables and files, never values", async () => {
    const result = await start({
      SLACK_BOT_TOKEN: "xoxp-a-user-token-not-a-bot-token",
      PORT: "99999",
      HUAWEICLOUD_SDK_REGION: "Asia Pacific",
      HUAWEICLOUD_SDK_SK: "SKSECRETVALUE",
      LOG_LEVEL: "loud",
      POLICY_FILE: "/nonexistent/policy.yml",
      FLOWS_DIR: "test/workflow/fixtures/does-not-exist",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the bot does not start");
    for (const name of [
      "LOG_LEVEL",
      "SLACK_BOT_TOKEN",
      "PORT",
      "SLACK_SIGNING_SECRET",
      "HUAWEICLOUD_SDK_REGION",
      "HUAWEICLOUD_SDK_AK",
      "/nonexistent/policy.yml:1:1",
      "test/workflow/fixtures/does-not-exist",
    ])
      expect(result.stderr).toContain(name);
    expect(result.stderr).toMatch(/the configuration has \d+ problems/);
    expect(result.all).not.toContain("SKSECRETVALUE");
    expect(result.all).not.toContain("xoxp-a-user-token");
    expectNoStack(result.all);
  }, 60_000);

  it("the playground needs no credentials, but its own settings and the files are checked the same way", async () => {
    const result = await start({ PORT: "http", NOTIFICATIONS_FILE: "/nonexistent/notifications.yml" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("PORT: expected a port number");
    expect(result.stderr).toContain("/nonexistent/notifications.yml:1:1");
    expect(result.stderr).not.toContain("SLACK_");
    expectNoStack(result.all);
  }, 60_000);
});

describe("a start that fails on the environment ends with one line naming the setting", () => {
  const http = (extra: Record<string, string> = {}) => ({
    ...CLOUD,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: fake.signingSecret,
    SLACK_API_URL: fake.apiUrl,
    PORT: "0",
    ...extra,
  });

  it.each(["invalid_auth", "token_revoked", "not_authed"])(
    "Slack refuses the bot token (%s): SLACK_BOT_TOKEN",
    async (error) => {
      // invalid_auth is the fake's own answer to an unknown token; the others are Slack's for revoked and
      // missing tokens.
      const env = error === "invalid_auth" ? http({ SLACK_BOT_TOKEN: "xoxb-revoked-0000" }) : http();
      if (error !== "invalid_auth") fake.failNext("auth.test", error);
      const result = await start(env);
      expect(result.code).toBe(1);
      expect(result.lines).toEqual([
        `hwc-chatops: SLACK_BOT_TOKEN: Slack refused the bot token (${error}); use the Bot User OAuth Token (xoxb-…) of the installed app`,
      ]);
      expect(fake.calls("auth.test")).toHaveLength(1);
      expect(result.all).not.toContain("xoxb-revoked-0000");
      expectNoStack(result.all);
    },
    60_000,
  );

  it("Slack refuses the app-level token in Socket Mode: SLACK_APP_TOKEN", async () => {
    const result = await start({
      ...CLOUD,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: "xapp-1-not-this-apps-token",
      SLACK_API_URL: fake.apiUrl,
    });
    expect(result.code).toBe(1);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(
      /^hwc-chatops: SLACK_APP_TOKEN: Slack refused the app-level token \(invalid_auth\)/,
    );
    expect(result.all).not.toContain("xapp-1-not-this-apps-token");
    expectNoStack(result.all);
  }, 60_000);

  it("nothing answers at SLACK_API_URL: SLACK_API_URL", async () => {
    const url = `http://127.0.0.1:${await findFreePort()}/api/`;
    const result = await start(http({ SLACK_API_URL: url }));
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      `hwc-chatops: SLACK_API_URL: Slack's Web API at ${url} cannot be reached (ECONNREFUSED); check the network, or SLACK_API_URL if it is set`,
    ]);
    expectNoStack(result.all);
  }, 60_000);

  it("the port is taken: PORT", async () => {
    const result = await start(http({ PORT: String(busyPort) }));
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      `hwc-chatops: PORT: port ${busyPort} is already in use by another process; stop it or set PORT to a free port`,
    ]);
    expectNoStack(result.all);
  }, 60_000);

  it("the playground's port is taken: PORT", async () => {
    const result = await start({ PORT: String(busyPort) }, ["--playground"]);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      `hwc-chatops: PORT: port ${busyPort} is already in use by another process; stop it or set PORT to a free port`,
    ]);
    expectNoStack(result.all);
  }, 60_000);
});
