/**
 * The start-up log says where the bot listens for Slack as an operator reads it: a server on every interface
 * is said to be on every interface (its URL, for this host, is loopback, which read as if Slack could not
 * reach it).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startBotHarness } from "../helpers/start-bot-harness.js";

const harnesses: Awaited<ReturnType<typeof startBotHarness>>[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

describe("the listening log line", () => {
  it.each([
    { ackThread: false, label: "one thread" },
    { ackThread: true, label: "the ack thread" },
  ])(
    "every interface ($label): 'on all interfaces, port N', the URL for this host beside it",
    async ({ ackThread }) => {
      const h = await startBotHarness({ host: "0.0.0.0", ackThread });
      harnesses.push(h);
      const port = new URL(h.bot.url ?? "").port;
      const line = h.logs.find((l) => l.msg?.startsWith("listening for Slack requests"));
      expect(line).toMatchObject({
        msg: `listening for Slack requests on all interfaces, port ${port}`,
        listen: `all interfaces, port ${port}`,
        url: `http://127.0.0.1:${port}`,
      });
    },
  );

  it("one address: that address and port", async () => {
    const h = await startBotHarness();
    harnesses.push(h);
    const port = new URL(h.bot.url ?? "").port;
    expect(h.logs.find((l) => l.msg?.startsWith("listening for Slack requests"))?.msg).toBe(
      `listening for Slack requests on 127.0.0.1:${port}`,
    );
  });
});
