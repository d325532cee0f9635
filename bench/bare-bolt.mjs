/**
 * The anchor of the ack and start-up benchmarks: a bare Bolt app over HTTP with one `ack()` listener per
 * command and one for clicks, and a `/healthz` route, configured from the same variables as the bot.
 * Plain JavaScript, started with `node`, as the bot is (`node dist/main.js`).
 */
import bolt from "@slack/bolt";

const { App, HTTPReceiver, LogLevel } = bolt;
const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? "",
  endpoints: "/slack/events",
  customRoutes: [
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"status":"ok"}');
      },
    },
  ],
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  deferInitialization: true,
});
for (const command of ["/ecs", "/hss", "/ops"]) app.command(command, async ({ ack }) => ack());
app.action({ type: "block_actions" }, async ({ ack }) => ack());
await app.init();
await app.start(Number(process.env.PORT));
