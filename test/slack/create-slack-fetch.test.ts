import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { webApi } from "@slack/bolt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeSlack, SLACK_IDS, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { createSlackFetch, type SlackFetch } from "../../src/slack/create-slack-fetch.js";

/** The Slack fetch under the real Web client and against the fake Slack, plus a bare server for the edges. */
let fake: FakeSlack;
let slackFetch: SlackFetch;
let fallbackCalls: unknown[][];

beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fallbackCalls = [];
  slackFetch = createSlackFetch({
    fallback: async (...args: unknown[]) => {
      fallbackCalls.push(args);
      return new Response("from the fallback", { status: 299 });
    },
  });
});
afterEach(() => slackFetch.close());

const client = (options: webApi.WebClientOptions = {}) =>
  new webApi.WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
    fetch: slackFetch.fetch,
    ...options,
  });

/** A server whose answer each test writes; counts the connections it was given. */
async function startServer(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  let connections = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handle(req, res));
  });
  server.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/x`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("createSlackFetch under the Web client", () => {
  it("posts a message with blocks as the global fetch would, over one kept-alive connection", async () => {
    const web = client();
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "Héllo & <b>" } }];
    const first = await web.chat.postMessage({ channel: SLACK_IDS.ops, text: "héllo", blocks });
    const second = await web.chat.postMessage({ channel: SLACK_IDS.ops, text: "again" });
    expect(first.ok).toBe(true);
    const posted = fake.message(SLACK_IDS.ops, first.ts ?? "");
    expect(posted?.text).toBe("héllo");
    expect(posted?.blocks).toEqual(blocks);
    expect(fake.message(SLACK_IDS.ops, second.ts ?? "")?.text).toBe("again");
    expect(fallbackCalls).toHaveLength(0);
  });

  it("keeps Slack's error code, and a 429's Retry-After, for the Web client to read", async () => {
    const web = client({ rejectRateLimitedCalls: true });
    fake.failNext("chat.postMessage", "channel_not_found");
    await expect(web.chat.postMessage({ channel: "C_NOPE", text: "x" })).rejects.toMatchObject({
      code: "slack_webapi_platform_error",
      data: { error: "channel_not_found" },
    });
    fake.rateLimitNext("chat.update", 7);
    await expect(web.chat.update({ channel: SLACK_IDS.ops, ts: "1.2", text: "x" })).rejects.toMatchObject({
      code: "slack_webapi_rate_limited_error",
      retryAfter: 7,
    });
  });

  it("answers a response URL (Bolt's respond) with the status Slack gave", async () => {
    const url = fake.mintResponseUrl({ channel: SLACK_IDS.ops, user: SLACK_IDS.alice });
    const post = () =>
      slackFetch.fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: "done", response_type: "ephemeral" }),
      });
    const ok = await post();
    expect(ok.ok).toBe(true);
    expect(fake.ephemerals({ user: SLACK_IDS.alice }).map((e) => e.text)).toContain("done");
    const answers = await Promise.all(Array.from({ length: 6 }, post));
    // The fake allows five uses of a response URL, as Slack does; the rest are refused.
    expect(answers.some((r) => !r.ok && r.status >= 400)).toBe(true);
  });
});

describe("createSlackFetch at the edges", () => {
  it("reads headers case-insensitively and the body as text, JSON or bytes", async () => {
    const server = await startServer((_req, res) => {
      res.setHeader("Retry-After", "3");
      res.setHeader("Content-Type", "application/json");
      res.end('{"ok":true}');
    });
    try {
      const r = await slackFetch.fetch(server.url, { method: "POST", body: "a=1" });
      expect(r.status).toBe(200);
      expect(r.headers.get("retry-after")).toBe("3");
      expect(r.headers.get("Content-Type")).toBe("application/json");
      expect(r.headers.get("x-missing")).toBeNull();
      expect(Object.fromEntries(r.headers.entries())).toMatchObject({ "retry-after": "3" });
      expect(await r.json()).toEqual({ ok: true });
      const again = await slackFetch.fetch(server.url, {
        method: "POST",
        body: new URLSearchParams({ a: "2" }),
      });
      expect(new TextDecoder().decode(await again.arrayBuffer())).toBe('{"ok":true}');
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("rejects a redirect with redirect: error, and hands one to follow to the fallback", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(302, { Location: "http://127.0.0.1:1/elsewhere" });
      res.end();
    });
    try {
      await expect(
        slackFetch.fetch(server.url, { method: "POST", body: "a=1", redirect: "error" }),
      ).rejects.toThrow(TypeError);
      const followed = await slackFetch.fetch(server.url, { method: "POST", body: "a=1" });
      expect(await followed.text()).toBe("from the fallback");
      expect(fallbackCalls).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("leaves a FormData upload and Headers objects to the fallback", async () => {
    const form = new FormData();
    form.append("file", new Blob(["x"]), "x.txt");
    expect(
      (await slackFetch.fetch("http://127.0.0.1:1/api/files", { method: "POST", body: form })).status,
    ).toBe(299);
    expect(
      (
        await slackFetch.fetch("http://127.0.0.1:1/api/x", {
          method: "POST",
          headers: new Headers({ a: "b" }),
        })
      ).status,
    ).toBe(299);
    expect(fallbackCalls).toHaveLength(2);
  });

  it("rejects with the signal's reason when aborted, and with a TypeError when nobody listens", async () => {
    const controller = new AbortController();
    const server = await startServer(() => {
      // Never answers: the caller's signal ends the wait.
      controller.abort(new DOMException("gave up", "TimeoutError"));
    });
    try {
      await expect(
        slackFetch.fetch(server.url, { method: "POST", body: "a=1", signal: controller.signal }),
      ).rejects.toMatchObject({ name: "TimeoutError" });
      await expect(
        slackFetch.fetch(server.url, { method: "POST", signal: controller.signal }),
      ).rejects.toMatchObject({
        name: "TimeoutError",
      });
    } finally {
      await server.close();
    }
    await expect(slackFetch.fetch(server.url, { method: "POST", body: "a=1" })).rejects.toMatchObject({
      name: "TypeError",
      cause: { code: "ECONNREFUSED" },
    });
  });

  it("rejects a body cut off mid-way instead of answering half of it", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "Content-Length": "100" });
      res.write('{"ok":');
      setImmediate(() => res.socket?.destroy());
    });
    try {
      const answer = slackFetch.fetch(server.url, { method: "POST", body: "a=1" });
      await expect(answer).rejects.toThrow(TypeError);
    } finally {
      await server.close();
    }
  });
});
