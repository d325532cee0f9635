/**
 * The intent grammar: Slack slash-command text → validated intent. Pure, no I/O.
 * Target resolution (names → IDs), policy and execution live elsewhere.
 */
export { classifyTarget, formatTarget, targetKey } from "./classify-target.js";
export { type FormattableIntent, formatCommandLine } from "./format-command-line.js";
export {
  type DescribePolicy,
  type HelpText,
  helpFor,
  type PolicyDescription,
  type PolicyVerdict,
  shippedPolicyOf,
  usageFor,
  type VerbKind,
  verbKindOf,
  verbsOf,
} from "./help.js";
export {
  actionForType,
  INTENT_ACTIONS,
  type IntentAction,
  intentAction,
  isIntentAction,
  isMutation,
  MUTATING_ACTIONS,
} from "./intent-action.js";
export * from "./intent-schema.js";
export { parseIntent } from "./parse-intent.js";
export { editDistance, suggest } from "./suggest.js";
export {
  carriesKnownSecret,
  decodeSlackEntities,
  redactSecrets,
  type SlackMention,
  type Token,
  tokenize,
  unescapeSlackText,
} from "./tokenize.js";
