import type { Bot } from "../bot/create-bot.js";
import type { BreakGlassPolicy, Policy } from "../policy/types.js";
import type { PlaygroundBotFactory } from "../sandbox/playground/index.js";
import { SLACK_IDS } from "../sandbox/slack/index.js";
import type { AppConfig } from "./load-app-config.js";
import { loadConfigFiles, type RunningBot, startHwcChatops } from "./start-hwc-chatops.js";

/**
 * Break-glass in the playground, when its policy has none: @sre (Alice and Erin in the fake Slack) may break the
 * glass; alerts go to #prod-ops, where the playground's approvers (Bob, Carol, Frank) acknowledge; a reminder every 5 minutes.
 */
export const PLAYGROUND_BREAK_GLASS: Omit<BreakGlassPolicy, "reviewers"> = {
  groups: ["sre"],
  alertChannel: SLACK_IDS.prod,
  remindEveryMs: 5 * 60_000,
  minReasonLength: 15,
};

/** The policy the playground runs: the configured one, with {@link PLAYGROUND_BREAK_GLASS} if it has no break-glass. */
export function withPlaygroundBreakGlass(policy: Policy): Policy {
  if (policy.breakGlass !== undefined) return policy;
  const reviewers = policy.defaultApprovers ?? { users: [], groups: ["ops-approvers"] };
  return { ...policy, breakGlass: { ...PLAYGROUND_BREAK_GLASS, reviewers } };
}

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
        const files = await loadConfigFiles(app);
        running = await startHwcChatops({
          files: { ...files, policy: withPlaygroundBreakGlass(files.policy) },
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
