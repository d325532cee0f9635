import { describe, expect, it } from "vitest";
import {
  loadSlackConfig,
  loadSlackConfigOrThrow,
  SLACK_ENV_VARS,
} from "../../src/slack/load-slack-config.js";

const BOT = "xoxb-123-456-secretbottoken";
const APP = "xapp-1-A123-456-secretapptoken";
const SECRET = "0123456789abcdef0123456789abcdef";

describe("loadSlackConfig", () => {
  it("HTTP mode with the default port", () => {
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET })).toEqual({
      ok: true,
      config: { botToken: BOT, transport: { kind: "http", signingSecret: SECRET, port: 3000 } },
    });
  });

  it("Socket Mode when an app token is set (the signing secret is then optional)", () => {
    const result = loadSlackConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, PORT: "8080" });
    expect(result).toEqual({
      ok: true,
      config: { botToken: BOT, transport: { kind: "socket", appToken: APP } },
    });
  });

  it("Socket Mode with METRICS_PORT: the metrics server's port; a bad one is named", () => {
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, METRICS_PORT: "9464" })).toEqual({
      ok: true,
      config: { botToken: BOT, transport: { kind: "socket", appToken: APP, metricsPort: 9464 } },
    });
    const bad = loadSlackConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, METRICS_PORT: "http" });
    expect(bad).toMatchObject({ ok: false, issues: [{ variable: "METRICS_PORT" }] });
  });

  it("PORT and SLACK_API_URL (a trailing slash is added)", () => {
    const result = loadSlackConfig({
      SLACK_BOT_TOKEN: BOT,
      SLACK_SIGNING_SECRET: SECRET,
      PORT: "8080",
      SLACK_API_URL: "http://127.0.0.1:4000/api",
    });
    expect(result).toMatchObject({
      ok: true,
      config: { apiUrl: "http://127.0.0.1:4000/api/", transport: { port: 8080 } },
    });
  });

  it("names each bad variable, and never echoes a value", () => {
    const env = {
      SLACK_BOT_TOKEN: "xoxp-user-token-not-a-bot-token",
      SLACK_APP_TOKEN: "not-an-app-token-secret",
      PORT: "99999",
      SLACK_API_URL: "ftp://nope",
    };
    const result = loadSlackConfig(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.variable).sort()).toEqual([
      "PORT",
      "SLACK_API_URL",
      "SLACK_APP_TOKEN",
      "SLACK_BOT_TOKEN",
    ]);
    const text = JSON.stringify(result.issues);
    for (const value of Object.values(env)) expect(text).not.toContain(value);
  });

  it("refuses an API URL carrying a user and password, without printing them", () => {
    const result = loadSlackConfig({
      SLACK_BOT_TOKEN: BOT,
      SLACK_SIGNING_SECRET: "signing-secret-1",
      SLACK_API_URL: "https://proxyuser:Sup3rS3cretPW@127.0.0.1:1/api/",
    });
    expect(result).toMatchObject({ ok: false, issues: [{ variable: "SLACK_API_URL" }] });
    expect(JSON.stringify(result)).not.toContain("Sup3rS3cretPW");
    expect(JSON.stringify(result)).toContain("without user, password, query or fragment");
  });

  it("requires a bot token, and a signing secret unless Socket Mode: every missing one at once", () => {
    expect(loadSlackConfig({})).toMatchObject({
      ok: false,
      issues: [{ variable: "SLACK_BOT_TOKEN" }, { variable: "SLACK_SIGNING_SECRET" }],
    });
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: "xoxp-user", PORT: "99999" })).toMatchObject({
      ok: false,
      issues: [{ variable: "SLACK_BOT_TOKEN" }, { variable: "PORT" }, { variable: "SLACK_SIGNING_SECRET" }],
    });
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: "  " })).toMatchObject({
      ok: false,
      issues: [{ variable: "SLACK_SIGNING_SECRET" }],
    });
  });

  it("the throwing variant lists variables, not values", () => {
    expect(() => loadSlackConfigOrThrow({ SLACK_BOT_TOKEN: "xoxb-only" })).toThrow(/SLACK_SIGNING_SECRET/);
    try {
      loadSlackConfigOrThrow({ SLACK_BOT_TOKEN: "bad-secret-value" });
    } catch (error) {
      expect(String(error)).not.toContain("bad-secret-value");
    }
  });

  it("documents every variable it reads", () => {
    expect(SLACK_ENV_VARS.map((v) => v.name).sort()).toEqual([
      "METRICS_PORT",
      "PORT",
      "SLACK_API_URL",
      "SLACK_APP_TOKEN",
      "SLACK_BOT_TOKEN",
      "SLACK_SIGNING_SECRET",
    ]);
  });
});
