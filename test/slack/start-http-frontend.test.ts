import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/create-logger.js";
import { type HttpFrontend, startHttpFrontend } from "../../src/slack/start-http-frontend.js";
import { buildSlashCommandPayload } from "../helpers/slack-payloads.js";
import { sendSlashCommand } from "../helpers/slack-requests.js";

/** The front on its own, with stand-ins for Bolt's listener that misbehave in the ways Bolt could. */
const SECRET = "front-test-secret";
let front: HttpFrontend | undefined;
afterEach(async () => {
  await front?.close(0);
  front = undefined;
});

async function start(boltListener: Parameters<typeof startHttpFrontend>[0]["boltListener"]) {
  front = await startHttpFrontend({
    boltListener,
    signingSecret: SECRET,
    logger: createLogger({ level: "silent" }),
    port: 0,
    host: "127.0.0.1",
    answerDeadlineMs: 100,
  });
  return `${front.url}/slack/events`;
}

describe("startHttpFrontend", () => {
  it("hands Bolt a signed, well-formed request with its body already read", async () => {
    let seen: Buffer | undefined;
    const url = await start((req, res) => {
      seen = (req as { rawBody?: Buffer }).rawBody;
      res.writeHead(200).end();
    });
    const result = await sendSlashCommand(url, SECRET, buildSlashCommandPayload({ text: "list" }));
    expect(result.status).toBe(200);
    expect(seen?.toString()).toBe(result.sent.rawBody);
  });

  it("answers 400 when handing the request over throws, and keeps serving", async () => {
    let calls = 0;
    const url = await start((_req, res) => {
      calls++;
      if (calls === 1) throw new TypeError("Cannot read properties of null (reading 'ssl_check')");
      res.writeHead(200).end();
    });
    expect((await sendSlashCommand(url, SECRET, buildSlashCommandPayload())).status).toBe(400);
    expect((await sendSlashCommand(url, SECRET, buildSlashCommandPayload())).status).toBe(200);
  });

  it("answers 500 for a request Bolt never answers, instead of leaving the connection hanging", async () => {
    const url = await start(() => {});
    const result = await sendSlashCommand(url, SECRET, buildSlashCommandPayload());
    expect(result.status).toBe(500);
  });
});
