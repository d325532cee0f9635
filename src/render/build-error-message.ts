import type { Message, Part, Span, Text } from "./message-model.js";
import { code, context, md, section } from "./message-model.js";

export interface ErrorMessageInput {
  /**
   * Short explanation for the user: for cloud errors, what the cloud said (untrusted is fine, a bare string is
   * escaped). Never internal details such as stack traces; those go to the logs.
   */
  userMessage?: Text;
  /** Cloud error code, e.g. `Ecs.0114`. */
  code?: string;
  /** Cloud request ID (`X-Request-Id`), so the user can quote it to support. */
  requestId?: string;
  /** Our log correlation reference for an internal error; the message then points at the logs. */
  reference?: string;
}

/**
 * An error as a message. Cloud errors show the explanation, the error code and the request ID. Internal
 * errors (a `reference`) say that something went wrong, give the reference and point at the logs.
 */
export function buildErrorMessage(input: ErrorMessageInput): Message {
  const blocks: Part[] = [];
  const details: Span[][] = [];
  if (input.code !== undefined && input.code !== "") details.push(md`Error code: ${code(input.code)}`);
  if (input.requestId !== undefined && input.requestId !== "") {
    details.push(md`Request ID: ${code(input.requestId)}`);
  }
  const internal = input.reference !== undefined && input.reference !== "";

  if (internal && input.userMessage === undefined) {
    const text = md`:warning: Something went wrong (reference ${code(input.reference!)}). The details are in the bot's logs.`;
    blocks.push(section({ text }));
    if (details.length > 0) blocks.push(context(...details));
    return { text: md`Something went wrong (reference ${input.reference!})`, blocks };
  }

  const explanation = input.userMessage ?? md`The request failed.`;
  blocks.push(section({ text: md`:x: ${explanation}` }));
  if (internal)
    details.push(md`Something went wrong on our side (reference ${code(input.reference!)}); see the logs.`);
  if (details.length > 0) blocks.push(context(...details));
  return { text: md`Error: ${explanation}`, blocks };
}

/** Alias of {@link buildErrorMessage}. */
export const errorMessage = buildErrorMessage;
