/** The Slack edge: configuration, the ChatPort/Responder over Bolt, the HTTP front, the thin listeners. */
export { buildModalView } from "./build-modal-view.js";
export {
  checkRequestTimestamp,
  MAX_REQUEST_SKEW_SECONDS,
  type TimestampCheck,
} from "./check-request-timestamp.js";
export { createBoltLogger } from "./create-bolt-logger.js";
export { createSlackChat } from "./create-slack-chat.js";
export { createSlackResponder } from "./create-slack-responder.js";
export { type ListenerDeps, registerListeners } from "./listeners/index.js";
export {
  type LoadSlackConfigResult,
  loadSlackConfig,
  loadSlackConfigOrThrow,
  SLACK_ENV_VARS,
  type SlackConfig,
  SlackConfigError,
  type SlackConfigIssue,
  type SlackEnvVar,
  type SlackTransport,
} from "./load-slack-config.js";
export {
  HEALTH_PATH,
  type HttpFrontend,
  type HttpFrontendOptions,
  SLACK_EVENTS_PATH,
  startHttpFrontend,
} from "./start-http-frontend.js";
export { toChatDeliveryError } from "./to-chat-delivery-error.js";
