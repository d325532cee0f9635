/** The local playground: simulated cloud + fake Slack + the unchanged bot + a Slack-like page. */
export { buildPlaygroundWorld, PLAYGROUND_IDS } from "./build-playground-world.js";
export { formatPlaygroundBanner } from "./format-playground-banner.js";
export {
  createDefaultPlaygroundBot,
  type Playground,
  type PlaygroundBot,
  type PlaygroundBotFactory,
  type PlaygroundBotOptions,
  type PlaygroundOptions,
  startPlayground,
} from "./start-playground.js";
