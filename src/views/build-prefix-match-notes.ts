import { formatTarget, type Target } from "../intents/index.js";
import { code, context, type Message, md, type Part } from "../render/message-model.js";
import { emoji } from "./format-values.js";

/** The parts of a target outcome these notes need. */
interface MatchedTarget {
  kind: string;
  target: Target;
  rule?: string;
  servers?: readonly { name: string }[];
}

/**
 * One line per target a read resolved by prefix or by its name in another case rather than by its exact name
 * ("Matched by prefix: web-10", "Matched ignoring case: web-01"), so the reader knows which server the answer
 * is about. Exact matches need no note.
 */
export function buildPrefixMatchNotes(outcomes: readonly MatchedTarget[]): Part[] {
  return outcomes.flatMap((o) => {
    const server = o.servers?.[0];
    if (o.kind !== "resolved" || server === undefined) return [];
    const how =
      o.rule === "prefix" ? "Matched by prefix" : o.rule === "case" ? "Matched ignoring case" : undefined;
    if (how === undefined) return [];
    return [
      context(
        md`${emoji(":information_source:")} ${how}: ${code(server.name)} (you typed ${code(formatTarget(o.target))}).`,
      ),
    ];
  });
}

/** The message with `notes` as its first blocks. */
export function withNotes(message: Message, notes: readonly Part[]): Message {
  return notes.length === 0 ? message : { ...message, blocks: [...notes, ...message.blocks] };
}
