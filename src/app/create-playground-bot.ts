import type { Bot } from "../bot/create-bot.js";
import type { PlaygroundBotFactory } from "../sandbox/playground/index.js";
import type { AppConfig } from "./load-app-config.js";
import { type RunningBot, startHwcChatops } from "./start-hwc-chatops.js";

/**
 * The playground's bot: the same composition as production ({@link startHwcChatops}: policy, flows,
 * approvals, executor, notifications), on an in-memory store. `extend` may register extra handlers on the
 * started bot through its public extension points (tests do).
 */
export function createPlaygroundBot(app: AppConfig, extend?: (bot: Bot) => void): PlaygroundBotFactory {
  return ({ slack, cloud, logger, host }) => {
    let running: RunningBot | undefined;
    return {
      async start() {
        running = await startHwcChatops({
          slack,
          cloud,
          logger,
          host,
          app: { ...app, storeUrl: "memory://" },
        });
        extend?.(running.bot);
      },
      async stop() {
        await running?.stop();
      },
      get url() {
        return running?.url;
      },
    };
  };
}
