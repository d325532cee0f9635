import { code, link, type Message, md, section, userMention } from "../render/message-model.js";

/**
 * The direct message to one approver under `notify_approvers: dm`: who asks what, where, and a link to the
 * card (the buttons are there, with the checks that go with them). Pure.
 */
export function buildApprovalDmView(input: {
  requesterId: string;
  commandLine: string;
  /** `--reason`: why the requester asks. */
  why?: string;
  channelId: string;
  permalink: string | undefined;
}): Message {
  const where =
    input.permalink !== undefined ? link(input.permalink, "Open the request") : md`See the channel`;
  const text = md`:lock: ${userMention(input.requesterId)} asks for your approval: ${code(input.commandLine)}`;
  return {
    text,
    blocks: [
      section({ text }),
      ...(input.why !== undefined ? [section({ text: md`*Why:* ${input.why}` })] : []),
      section({ text: md`${where} to approve or reject it.` }),
    ],
  };
}
