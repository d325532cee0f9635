import { formatCount } from "../render/escape-mrkdwn.js";
import { code, context, type Message, md, section } from "../render/message-model.js";
import type { LogLink } from "../store/store.js";

/**
 * The hourly audit digest: the chain head, in full, so that anyone can later check the store against it
 * (`npm run audit -- verify --digest <seq>:<hash>`). Slack keeps the message outside the bot's store: a tail
 * deleted from the store together with its head still leaves this behind. Pure.
 */
export function buildAuditDigestMessage(head: LogLink, at: number): Message {
  const time = `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
  return {
    text: md`Audit log digest: newest entry ${formatCount(head.seq)}`,
    blocks: [
      section({
        text: md`:link: *Audit log digest* — ${time}: the newest audit entry is ${formatCount(head.seq)}, linked to every entry before it.`,
      }),
      section({ text: md`Entry ${code(head.seq)} · hash ${code(head.hash)}` }),
      context(
        md`Keep this message. ${code(`npm run audit -- verify --digest ${head.seq}:${head.hash}`)} shows whether the log still holds exactly this history.`,
      ),
    ],
  };
}
