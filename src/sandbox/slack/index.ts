/** The fake Slack: a loopback Slack Web API, response_url and Socket Mode server for the playground and e2e tests. */
export * from "./build-slack-payloads.js";
export * from "./build-slack-world.js";
export type { ChangeListener } from "./fake-slack-state.js";
export * from "./fake-slack-types.js";
export { ANY_METHOD } from "./fault-plan.js";
export { RESPONSE_URL_LIFETIME_MS, RESPONSE_URL_MAX_USES } from "./handle-response-url.js";
export { WEB_API_METHODS } from "./handle-web-api-call.js";
export { type DeliverOptions, SocketDeliveryError } from "./socket-mode-hub.js";
export * from "./start-fake-slack.js";
