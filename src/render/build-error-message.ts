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
  /** Our log correlation reference for an internal error, for the bot's admins to find it in the logs. */
  reference?: string;
  /**
   * For an internal error: it happened while answering a read, so nothing was changed and trying again is
   * safe. Otherwise the bot cannot tell whether a change was recorded, and the message says where to check.
   */
  onlyRead?: boolean;
}

/**
 * An error as a message. Cloud errors show the explanation, the error code and the request ID. Internal
 * errors (a `reference`) say that something went wrong, whether anything may have changed (see `onlyRead`),
 * what to do, and the reference for the bot's admins.
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
    const ref = code(input.reference!);
    const text =
      input.onlyRead === true
        ? md`:warning: Something went wrong in the bot (reference ${ref}). It was only a read, so nothing was changed: try again in a moment. If it keeps happening, give the bot's admins the reference.`
        : md`:warning: Something went wrong in the bot (reference ${ref}), so I cannot tell whether your command did anything. If you asked for a change, check ${code("/ops approvals")} and ${code("/ops jobs")} before asking again. If it keeps happening, give the bot's admins the reference.`;
    blocks.push(section({ text }));
    if (details.length > 0) blocks.push(context(...details));
    return { text: md`Something went wrong in the bot (reference ${input.reference!})`, blocks };
  }

  const explanation = input.userMessage ?? md`The request failed.`;
  blocks.push(section({ text: md`:x: ${explanation}` }));
  if (internal)
    details.push(
      md`Something went wrong in the bot (reference ${code(input.reference!)}); if it keeps happening, give the bot's admins the reference.`,
    );
  if (details.length > 0) blocks.push(context(...details));
  return { text: md`Error: ${explanation}`, blocks };
}

/** Alias of {@link buildErrorMessage}. */
export const errorMessage = buildErrorMessage;
