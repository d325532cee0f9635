/**
 * The reasons `/readyz` and the log give for a failed Socket Mode connection, from the errors a real Web
 * client raises against the fake Slack (an HTTP status, a refused token, a timeout, another error code).
 */
import { LogLevel, webApi } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { describeSocketModeFailure } from "../../src/slack/describe-socket-mode-failure.js";

let fake: FakeSlack;
let client: webApi.WebClient;
/** Gives up after 100 ms, for the timeout; the others wait long enough for a loaded machine's answer. */
let impatient: webApi.WebClient;
beforeAll(async () => {
  fake = await startFakeSlack();
  const options = { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } };
  client = new webApi.WebClient(fake.appToken, { ...options, timeout: 5_000 });
  impatient = new webApi.WebClient(fake.appToken, { ...options, timeout: 100 });
});
afterAll(async () => {
  await fake?.close();
});

const failure = (web = client) =>
  web.apps.connections.open({}).then(
    () => expect.unreachable("apps.connections.open succeeded"),
    (error: unknown) => describeSocketModeFailure(error),
  );

describe("describeSocketModeFailure", () => {
  it("an HTTP status", async () => {
    fake.faultNext("apps.connections.open", { kind: "http", status: 503 });
    expect(await failure()).toEqual({
      reason: "apps.connections.open answered HTTP 503",
      tokenRejected: false,
    });
  });

  it("a refused app token names SLACK_APP_TOKEN; another error code is only said", async () => {
    fake.failNext("apps.connections.open", "token_revoked");
    expect(await failure()).toEqual({
      reason: "Slack refused the app-level token SLACK_APP_TOKEN (token_revoked)",
      tokenRejected: true,
    });
    fake.failNext("apps.connections.open", "internal_error");
    expect(await failure()).toEqual({
      reason: "apps.connections.open answered internal_error",
      tokenRejected: false,
    });
  });

  it("no answer in time", async () => {
    fake.faultNext("apps.connections.open", { kind: "delay", ms: 1_000 });
    const { reason, tokenRejected } = await failure(impatient);
    expect(reason).toMatch(/^apps\.connections\.open failed: .*timeout/i);
    expect(tokenRejected).toBe(false);
  });

  it("a WebSocket that closed before Slack's hello (the client rejects with nothing)", () => {
    expect(describeSocketModeFailure(undefined).reason).toBe("the WebSocket closed before Slack's hello");
    expect(describeSocketModeFailure(undefined, new Error("connect ECONNREFUSED 127.0.0.1:1")).reason).toBe(
      "the WebSocket closed before Slack's hello (connect ECONNREFUSED 127.0.0.1:1)",
    );
  });
});
