import { type Span, untrusted, userMention } from "../render/message-model.js";

const MENTION_RE = /<@([UW][A-Z0-9_]{2,20})>/g;

/**
 * Plain text that may contain Slack user mentions (`<@U123>`, as the approval state machine writes them) as
 * spans: the mentions become real mentions, everything else stays untrusted text.
 */
export function withMentions(text: string): Span[] {
  const spans: Span[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION_RE)) {
    if (match.index > last) spans.push(untrusted(text.slice(last, match.index)));
    spans.push(userMention(match[1]!));
    last = match.index + match[0].length;
  }
  if (last < text.length) spans.push(untrusted(text.slice(last)));
  return spans;
}
