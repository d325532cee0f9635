/**
 * Realistic Slack payload builders for tests. They live in the product tree (the playground builds
 * the same payloads) and are re-exported here so tests import test helpers from one place.
 */
export {
  type ActionInput,
  type AppHomeOpenedInput,
  type BlockActionInput,
  buildAppHomeOpenedPayload,
  buildBlockActionPayload,
  buildEventCallbackPayload,
  buildSlashCommandPayload,
  buildViewSubmissionPayload,
  type EventCallbackInput,
  type MessageLike,
  randomTriggerId,
  type SlashCommandInput,
  staticSelectValue,
  textInputValue,
  UNSET_RESPONSE_URL,
  type ViewSubmissionInput,
} from "../../src/sandbox/slack/build-slack-payloads.js";
