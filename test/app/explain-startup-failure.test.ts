import { describe, expect, it } from "vitest";
import { ClockSkewError } from "../../src/app/create-replica-presence.js";
import { explainStartupFailure } from "../../src/app/explain-startup-failure.js";
import { ConfigFileError } from "../../src/app/start-hwc-chatops.js";
import { SocketModeConnectError } from "../../src/slack/describe-socket-mode-failure.js";
import { SlackStartError } from "../../src/slack/slack-start-error.js";
import { StoreInUseError } from "../../src/store/store-in-use-error.js";
import { StoreOpenError } from "../../src/store/store-open-error.js";
import { StoreSchemaTooNewError } from "../../src/store/store-schema-too-new-error.js";
import { StoreUnavailableError } from "../../src/store/store-unavailable-error.js";

const context = { slackApiUrl: "https://slack.com/api/", port: 3000 };
const platform = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), {
    code: "slack_webapi_platform_error",
    data: { ok: false, error },
  });
const listenError = (code: string) => Object.assign(new Error(`listen ${code}`), { code, syscall: "listen" });

describe("explainStartupFailure", () => {
  it("names the token by the step that refused it", () => {
    expect(explainStartupFailure(new SlackStartError("auth", platform("token_revoked")), context)).toMatch(
      /^SLACK_BOT_TOKEN: Slack refused the bot token \(token_revoked\)/,
    );
    expect(explainStartupFailure(new SlackStartError("connect", platform("invalid_auth")), context)).toMatch(
      /^SLACK_APP_TOKEN: /,
    );
  });

  it("says a Socket Mode connection that never opened is the network's to check, not a bug", () => {
    const closed = new SocketModeConnectError("Slack opened the WebSocket but did not say hello within 30 s");
    expect(explainStartupFailure(new SlackStartError("connect", closed), context)).toBe(
      "Slack's Socket Mode connection did not open (Slack opened the WebSocket but did not say hello within 30 s); check that this host can open WebSockets to Slack (wss-primary.slack.com, through proxies and firewalls), then start the bot again",
    );
  });

  it("names SLACK_API_URL when Slack cannot be reached or does not answer like Slack", () => {
    const refused = Object.assign(new Error("A request error occurred: fetch failed"), {
      code: "slack_webapi_request_error",
      original: Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      }),
    });
    expect(explainStartupFailure(new SlackStartError("auth", refused), context)).toBe(
      "SLACK_API_URL: Slack's Web API at https://slack.com/api/ cannot be reached (ECONNREFUSED); check the network, or SLACK_API_URL if it is set",
    );
    const http = Object.assign(new Error("An HTTP protocol error occurred: statusCode = 404"), {
      code: "slack_webapi_http_error",
      statusCode: 404,
    });
    expect(explainStartupFailure(new SlackStartError("auth", http), context)).toMatch(
      /^SLACK_API_URL: https:\/\/slack\.com\/api\/ answered HTTP 404/,
    );
  });

  it("names PORT for a taken or forbidden port, the bot's or the playground's", () => {
    expect(explainStartupFailure(new SlackStartError("listen", listenError("EADDRINUSE")), context)).toMatch(
      /^PORT: port 3000 is already in use/,
    );
    expect(explainStartupFailure(listenError("EACCES"), { ...context, port: 80 })).toMatch(
      /^PORT: this process may not listen on port 80/,
    );
  });

  it("names METRICS_PORT when Socket Mode's metrics server cannot listen", () => {
    const metrics = { ...context, port: 9464, portVariable: "METRICS_PORT" as const };
    expect(explainStartupFailure(new SlackStartError("listen", listenError("EADDRINUSE")), metrics)).toBe(
      "METRICS_PORT: port 9464 is already in use by another process; stop it or set METRICS_PORT to a free port",
    );
  });

  it("names STORE_URL, keeps the config file report, and leaves bugs to their stack", () => {
    expect(
      explainStartupFailure(new StoreUnavailableError("Redis at 10.0.0.5:6379", "refused"), context),
    ).toBe("STORE_URL: the state store (Redis at 10.0.0.5:6379) is unavailable: refused");
    expect(explainStartupFailure(new ClockSkewError(45_200), context)).toMatch(
      /^this machine's clock is 45\.2 s ahead of the state store's \(Redis\); .+synchronise the clock \(NTP\) and start again$/,
    );
    expect(explainStartupFailure(new StoreInUseError("data/x.sqlite", { pid: 7 }), context)).toMatch(
      /^STORE_URL: /,
    );
    expect(explainStartupFailure(new StoreOpenError("data", "directory"), context)).toMatch(
      /^STORE_URL: data cannot be opened as the bot's SQLite database \(directory\)/,
    );
    expect(explainStartupFailure(new StoreSchemaTooNewError("data/x.sqlite", 4, 3), context)).toBe(
      "STORE_URL: the store file data/x.sqlite has schema version 4, written by a newer hwc-chatops; this version knows up to 3: run the newer version again, or restore the copy of the file taken before the upgrade (the upgrade is one-way)",
    );
    const files = new ConfigFileError([
      { file: "flows/policy.yml", line: 3, column: 5, path: "", message: "bad" },
    ]);
    expect(explainStartupFailure(files, context)).toContain("flows/policy.yml:3:5: bad");
    expect(explainStartupFailure(new TypeError("x is not a function"), context)).toBeUndefined();
    expect(explainStartupFailure(new SlackStartError("listen", new Error("odd")), context)).toBeUndefined();
    expect(
      explainStartupFailure(new SlackStartError("auth", platform("ratelimited")), context),
    ).toBeUndefined();
  });
});
