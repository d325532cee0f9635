import { code, type Message, md, section } from "../../../render/message-model.js";

/** What the bot says when someone talks to it instead of using a slash command. */
export function buildUsageHint(): Message {
  return {
    text: md`I answer slash commands: /ecs help, /hss help, /ops help`,
    blocks: [
      section({
        text: md`:wave: I answer slash commands: ${code("/ecs help")}, ${code("/hss help")} and ${code("/ops help")} show what I can do.`,
      }),
    ],
  };
}
