/**
 * What the start-up loader makes of environments that are almost right: a production environment whose bot
 * token is missing (a misspelt `SLACK_TOKEN`) must not start the playground, and a Socket Mode bot given a
 * `PORT` is told nothing listens there.
 */
import { describe, expect, it } from "vitest";
import { loadStartupConfig } from "../../src/app/load-startup-config.js";

const SECRET = "xoxb-1234-5678-abcdefghijklmnop";

describe("loadStartupConfig", () => {
  it("credentials without SLACK_BOT_TOKEN: refused, naming what is set, never its value", async () => {
    const result = await loadStartupConfig(
      {
        STORE_URL: "memory://",
        SLACK_TOKEN: SECRET,
        SLACK_SIGNING_SECRET: "s3cr3t-signing",
        HUAWEICLOUD_SDK_REGION: "ap-southeast-1",
        HUAWEICLOUD_SDK_AK: "AKAKAKAKAKAKAKAK",
        HUAWEICLOUD_SDK_SK: "SKSKSKSKSKSKSKSKSKSK",
      },
      { playground: true, asked: false },
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toContain(
      "SLACK_BOT_TOKEN: not set, but SLACK_SIGNING_SECRET, HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK are: set it to start the bot (the playground starts only without Slack and cloud credentials, or with --playground)",
    );
    for (const value of [SECRET, "s3cr3t-signing", "AKAKAKAKAKAKAKAK", "SKSKSKSKSKSKSKSKSKSK"])
      expect(JSON.stringify(result)).not.toContain(value);
  });

  it("the playground still starts without credentials, or with them when asked for (--playground)", async () => {
    expect((await loadStartupConfig({ STORE_URL: "memory://" }, { playground: true })).ok).toBe(true);
    const asked = await loadStartupConfig(
      { STORE_URL: "memory://", SLACK_SIGNING_SECRET: "s" },
      { playground: true, asked: true },
    );
    expect(asked.ok).toBe(true);
  });

  it("Socket Mode with PORT and no METRICS_PORT: a warning that nothing listens on PORT", async () => {
    const env = {
      STORE_URL: "memory://",
      SLACK_BOT_TOKEN: SECRET,
      SLACK_APP_TOKEN: "xapp-1-A1-1-abcdef",
      HUAWEICLOUD_SDK_REGION: "ap-southeast-1",
      HUAWEICLOUD_SDK_AK: "AK",
      HUAWEICLOUD_SDK_SK: "SK",
      HUAWEICLOUD_SDK_PROJECT_ID: "p",
    };
    const warned = await loadStartupConfig({ ...env, PORT: "39140" }, { playground: false });
    expect(warned.warnings).toContain(
      "PORT: not used in Socket Mode (SLACK_APP_TOKEN is set), so nothing listens on it; set METRICS_PORT to serve /healthz, /readyz and /metrics",
    );
    const quiet = await loadStartupConfig(
      { ...env, PORT: "39140", METRICS_PORT: "39141" },
      { playground: false },
    );
    expect(quiet.warnings.filter((w) => w.startsWith("PORT:"))).toEqual([]);
  });
});
