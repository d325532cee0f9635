import { describe, expect, it } from "vitest";
import { CLOUD_ENV_VARS } from "../../src/cloud/load-cloud-config.js";
import { buildCommandHints } from "../../src/sandbox/playground/build-command-hints.js";
import { formatPlaygroundBanner } from "../../src/sandbox/playground/format-playground-banner.js";
import { parseComposerText } from "../../src/sandbox/playground/parse-composer-text.js";
import { signSlackRequest } from "../../src/sandbox/playground/sign-slack-request.js";
import { SLACK_ENV_VARS } from "../../src/slack/load-slack-config.js";
import { signSlackRequest as harnessSign } from "../helpers/slack-requests.js";

describe("parseComposerText", () => {
  it("splits a known slash command and escapes its text like Slack", () => {
    expect(parseComposerText("  /ECS   delete <web-03> & co ")).toEqual({
      kind: "command",
      command: "/ecs",
      text: "delete &lt;web-03&gt; &amp; co",
    });
    expect(parseComposerText("/hss")).toEqual({ kind: "command", command: "/hss", text: "" });
  });

  it("refuses unknown commands and keeps everything else a message", () => {
    expect(parseComposerText("/deploy now")).toEqual({ kind: "unknown_command", command: "/deploy" });
    expect(parseComposerText("hi <@U_BOB>")).toEqual({ kind: "message", text: "hi &lt;@U_BOB&gt;" });
    expect(parseComposerText("see /ecs list")).toEqual({ kind: "message", text: "see /ecs list" });
  });
});

describe("signSlackRequest", () => {
  it("matches the signed-request test harness (v0 HMAC-SHA256 of v0:ts:body)", () => {
    const body = "command=%2Fecs&text=list";
    expect(signSlackRequest("secret", 1_700_000_000, body)).toBe(harnessSign("secret", 1_700_000_000, body));
    expect(signSlackRequest("secret", "1700000000", body)).toMatch(/^v0=[0-9a-f]{64}$/);
  });
});

describe("formatPlaygroundBanner", () => {
  it("says what this is, where to open it, and names only real environment variables", () => {
    const banner = formatPlaygroundBanner({
      url: "http://127.0.0.1:3000",
      botEventsUrl: "http://127.0.0.1:4000/slack/events",
      slackApiUrl: "http://127.0.0.1:5000/api/",
      cloudUrl: "http://127.0.0.1:6000",
    });
    expect(banner).toContain("LOCAL PLAYGROUND");
    expect(banner).toContain("Open http://127.0.0.1:3000");
    const known = new Set([...SLACK_ENV_VARS, ...CLOUD_ENV_VARS].map((v) => v.name));
    const named = banner.match(/\b(?:SLACK|HUAWEICLOUD)_[A-Z_]+\b/g) ?? [];
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(known).toContain(name);
  });
});

describe("buildCommandHints", () => {
  it("offers every command and verb with the bot's own usage lines", () => {
    const hints = buildCommandHints();
    expect(hints.map((h) => h.insert)).toEqual(
      expect.arrayContaining(["/ecs", "/ecs list", "/ecs delete", "/hss", "/hss hosts", "/ops", "/ops help"]),
    );
    expect(hints.find((h) => h.insert === "/ecs delete")?.usage).toMatch(/^\/ecs delete <targets…>/);
  });
});
