import type { HelpText } from "../intents/index.js";
import {
  codeBlock,
  context,
  header,
  type Message,
  md,
  type Part,
  type Span,
  section,
} from "../render/message-model.js";
import { withInlineCode } from "./format-values.js";

/**
 * Help for a command or a verb, as `helpFor` describes it: a verb's usage, examples and notes; a command's first
 * screen (its most used verbs, an example each); or its whole reference, every verb by kind (read, change,
 * destructive), each with what the shipped policy decides.
 */
export function buildHelpView(help: HelpText): Message {
  const blocks: Part[] = [header(help.title)];
  if (help.common !== undefined) {
    const lines: Span[] = help.common.flatMap(({ example, summary }) => [
      { t: "plain" as const, v: "\n• " },
      ...withInlineCode(`\`${example}\` — ${summary}`),
    ]);
    blocks.push(section({ text: [...md`*Most used*`, ...lines] }));
  } else if (help.kinds !== undefined && help.kinds.length > 0) {
    for (const kind of help.kinds) {
      const lines: Span[] = kind.lines.flatMap((line) => [
        { t: "plain" as const, v: "\n• " },
        ...withInlineCode(line),
      ]);
      blocks.push(section({ text: [...md`*${kind.title}*`, ...lines] }));
    }
  } else {
    blocks.push(section({ text: md`*Usage*` }), codeBlock(help.usage.join("\n")));
  }
  if (help.examples.length > 0) {
    blocks.push(section({ text: md`*Examples*` }), codeBlock(help.examples.join("\n")));
  }
  if (help.notes.length > 0) blocks.push(context(...help.notes.map(withInlineCode)));
  return { text: help.title, blocks };
}
