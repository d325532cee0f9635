import type { types } from "@slack/bolt";
import type { ModalSpec } from "../app/ports.js";
import { truncateGraphemes } from "../render/escape-mrkdwn.js";
import { renderBlockKit } from "../render/render-block-kit.js";

/** Slack's limits for modal titles and buttons (24) and input labels (2000). */
const TITLE_MAX = 24;
const LABEL_MAX = 2000;

function plain(text: string, max: number): types.PlainTextElement {
  return { type: "plain_text", text: truncateGraphemes(text, max) || "…", emoji: true };
}

/**
 * A {@link ModalSpec} as a Slack modal view: the intro rendered like any message, one `plain_text_input`
 * per input whose block ID and action ID are both the input's ID (so submissions map back by ID).
 */
export function buildModalView(spec: ModalSpec): types.ModalView {
  const intro =
    spec.intro === undefined ? [] : renderBlockKit({ text: spec.title, blocks: spec.intro }).blocks;
  const inputs: types.InputBlock[] = spec.inputs.map((input) => {
    const element: types.PlainTextInput = {
      type: "plain_text_input",
      action_id: input.id,
      multiline: input.multiline === true,
    };
    if (input.maxLength !== undefined) element.max_length = input.maxLength;
    return {
      type: "input",
      block_id: input.id,
      optional: input.required === false,
      label: plain(input.label, LABEL_MAX),
      element,
    };
  });
  return {
    type: "modal",
    callback_id: spec.id,
    private_metadata: spec.privateMetadata,
    title: plain(spec.title, TITLE_MAX),
    submit: plain(spec.submitLabel, TITLE_MAX),
    close: plain("Cancel", TITLE_MAX),
    blocks: [...intro, ...inputs],
  };
}
