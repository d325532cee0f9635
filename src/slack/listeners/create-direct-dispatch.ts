import type { BlockAction, RespondArguments, RespondFn, SlashCommand } from "@slack/bolt";
import { RespondError } from "@slack/bolt";
import type { ForwardedRequest } from "../ack-thread/ack-thread-messages.js";
import { parseSlackHttpBody } from "../parse-slack-http-body.js";
import { handleBlockAction } from "./actions/handle-block-action.js";
import { handleSlashCommand } from "./commands/handle-slash-command.js";
import { SLASH_COMMANDS } from "./commands/index.js";
import type { ListenerDeps } from "./listener-deps.js";

/**
 * Hands an acked slash command or click straight to its listener (the same one Bolt calls), without Bolt's
 * dispatch: Bolt runs every request through the middleware chain of each of the app's eleven listeners,
 * copying each chain and making its promises, about a tenth of everything the bot allocates at 100 commands
 * a second. Returns false for anything else (events, a command of another app, a body it does not
 * recognise), which Bolt then dispatches as before.
 *
 * Only for deliveries the front has verified (signature, timestamp, payload shape) and acked: the listener's
 * `ack` does nothing, and `respond` posts to the request's response URL as Bolt's does. A listener that
 * fails is logged as Bolt's error handler logs it.
 */
export function createDirectDispatch(
  deps: ListenerDeps,
  fetch: typeof globalThis.fetch,
): (delivery: ForwardedRequest) => boolean {
  const onCommand = handleSlashCommand(deps);
  const onClick = handleBlockAction(deps);
  const ack = async () => {};
  const failed = (error: unknown) => deps.logger.error({ err: error }, "unhandled error in a Slack listener");
  const commands: ReadonlySet<string> = new Set(SLASH_COMMANDS);

  return (delivery) => {
    const contentType = delivery.headers["content-type"];
    if (typeof contentType !== "string") return false;
    const parsed = parseSlackHttpBody(
      contentType,
      Buffer.from(delivery.raw.buffer, delivery.raw.byteOffset, delivery.raw.byteLength).toString("utf8"),
    );
    if (parsed.kind === "slash_commands") {
      const command = parsed.body as SlashCommand;
      if (!commands.has(command.command)) return false;
      const respond = respondVia(fetch, command.response_url);
      onCommand({ command, ack, respond }).catch(failed);
      return true;
    }
    if (parsed.kind === "interactive" && (parsed.body as { type?: unknown }).type === "block_actions") {
      const body = parsed.body as BlockAction;
      const respond = respondVia(fetch, body.response_url);
      onClick({ body, ack, respond }).catch(failed);
      return true;
    }
    return false;
  };
}

/** Bolt's `respond()`: the message as JSON to the response URL, a refusal thrown as Bolt's `RespondError`. */
function respondVia(fetch: typeof globalThis.fetch, url: string): RespondFn {
  return async (message: string | RespondArguments) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(typeof message === "string" ? { text: message } : message),
    });
    if (!response.ok)
      throw new RespondError(
        `Failed to respond to the response_url: ${response.status} ${response.statusText}`,
        response.status,
      );
    return response;
  };
}
