import type { HelpText } from "../intents/index.js";
import { codeBlock, context, header, type Message, md, type Part, section } from "../render/message-model.js";
import { withInlineCode } from "./format-values.js";

/** Help for a command or a verb: usage, examples and notes, as `helpFor` describes them. */
export function buildHelpView(help: HelpText): Message {
  const blocks: Part[] = [
    header(help.title),
    section({ text: md`*Usage*` }),
    codeBlock(help.usage.join("\n")),
  ];
  if (help.examples.length > 0) {
    blocks.push(section({ text: md`*Examples*` }), codeBlock(help.examples.join("\n")));
  }
  if (help.notes.length > 0) blocks.push(context(...help.notes.map(withInlineCode)));
  return { text: help.title, blocks };
}
