import { describe, expect, it } from "vitest";
import { acksAtOnce } from "../../../src/slack/ack-thread/acks-at-once.js";
import { captureHttpAnswer } from "../../../src/slack/ack-thread/capture-http-answer.js";

describe("acksAtOnce", () => {
  it.each([
    [{ kind: "slash_commands", body: { command: "/ecs" } }, true],
    [{ kind: "interactive", body: { type: "block_actions" } }, true],
    [{ kind: "events_api", body: { type: "event_callback" } }, true],
    // Their ack carries what the bot decides: validation errors, the challenge.
    [{ kind: "interactive", body: { type: "view_submission" } }, false],
    [{ kind: "events_api", body: { type: "url_verification", challenge: "c" } }, false],
    [{ kind: "interactive", body: { type: "shortcut" } }, false],
    [{ kind: "events_api", body: { type: 42 } }, false],
    [{ kind: "ssl_check" }, false],
    [{ kind: "unparseable", reason: "x" }, false],
  ] as const)("%j → %s", (body, expected) => {
    expect(acksAtOnce(body)).toBe(expected);
  });
});

describe("captureHttpAnswer", () => {
  it("settles with what the handler wrote: status, headers (lower-cased) and body", async () => {
    const { req, res, answer } = captureHttpAnswer({ method: "GET", url: "/healthz" });
    expect(req.method).toBe("GET");
    expect(req.headers).toEqual({});
    res.setHeader("X-Extra", ["a", "b"]);
    res.writeHead(503, { "Content-Type": "application/json" });
    res.end(Buffer.from('{"status":"stopping"}'));
    res.end("ignored: the answer was given");
    expect(await answer).toEqual({
      status: 503,
      headers: { "x-extra": "a, b", "content-type": "application/json" },
      body: '{"status":"stopping"}',
    });
    expect(res.headersSent).toBe(true);
  });

  it("an empty end is a 200 with an empty body; the buffered body is handed to the handler", async () => {
    const rawBody = Buffer.from("a=1");
    const { req, res, answer } = captureHttpAnswer({ method: "POST", url: "/slack/events", rawBody });
    expect((req as unknown as { rawBody: Buffer }).rawBody).toBe(rawBody);
    res.end();
    expect(await answer).toEqual({ status: 200, headers: {}, body: "" });
  });
});
