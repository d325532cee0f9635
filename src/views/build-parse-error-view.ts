import type { IntentError } from "../intents/index.js";
import {
  code,
  codeBlock,
  context,
  type Message,
  md,
  type Part,
  section,
  type Text,
} from "../render/message-model.js";
import { emoji, joinTexts, withInlineCode } from "./format-values.js";

/**
 * A command the parser refused: what is wrong, "did you mean", what is accepted, where to read more (`note`), and
 * the usage.
 */
export function buildParseErrorView(error: IntentError): Message {
  const blocks: Part[] = [section({ text: md`${emoji(":warning:")} ${withInlineCode(error.message)}` })];
  const hints: Text[] = [];
  // The parser's message often names the suggestion already; say it once.
  if (
    error.suggestion !== undefined &&
    error.correctedCommand === undefined &&
    !error.message.includes(`\`${error.suggestion}\``)
  )
    hints.push(md`Did you mean ${code(error.suggestion)}?`);
  if (error.validFlags !== undefined) {
    hints.push(
      error.validFlags.length > 0
        ? md`Accepted here: ${joinTexts(
            error.validFlags.map((f) => code(f)),
            " ",
          )}`
        : md`No flags or filters are accepted here.`,
    );
  }
  if (error.note !== undefined) hints.push(withInlineCode(error.note));
  if (hints.length > 0) blocks.push(context(...hints));
  if (error.usage !== undefined && error.usage !== "") {
    blocks.push(section({ text: md`*Usage*` }), codeBlock(error.usage));
  }
  return { text: md`Could not read the command: ${withInlineCode(error.message)}`, blocks };
}
