/**
 * Slack Block Kit limits for the subset we emit (https://docs.slack.dev/reference/block-kit). Lengths are
 * counted in UTF-16 code units, which is never less than Slack's character count.
 */
export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  /** Modals and the Home tab. */
  blocksPerView: 100,
  /** Slack refuses a view larger than 250 kB (`view_too_large`); our budget stays far below that. */
  defaultViewJsonBudget: 100_000,
  /** Not a documented limit: Slack rejects large payloads well below 40k; we budget by serialized length. */
  blocksJsonChars: 13_000,
  /** Our default working budget, leaving headroom under {@link BLOCK_KIT_LIMITS.blocksJsonChars}. */
  defaultBlocksJsonBudget: 12_000,
  /** Top-level `text` may be 40,000; notifications show a line, so we keep it much shorter. */
  messageText: 1_000,
  headerText: 150,
  sectionText: 3_000,
  sectionFields: 10,
  sectionFieldText: 2_000,
  contextElements: 10,
  contextElementText: 2_000,
  actionsElements: 25,
  actionId: 255,
  buttonText: 75,
  buttonValue: 2_000,
  selectPlaceholder: 150,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;
