import type { RespondFn } from "@slack/bolt";
import type { Responder } from "../app/ports.js";
import { renderBlockKit } from "../render/render-block-kit.js";
import { toChatDeliveryError } from "./to-chat-delivery-error.js";

/**
 * A {@link Responder} over Bolt's `respond()` (the request's response_url, which works even where the bot
 * is not a member): ephemeral to the requester unless `inChannel`; `replaceOriginal` replaces the message
 * the interaction came from. Failures throw `ChatDeliveryError` (e.g. `used_url`, `expired_url`).
 */
export function createSlackResponder(respond: RespondFn): Responder {
  return {
    async respond(message, options = {}) {
      const rendered = renderBlockKit(message);
      try {
        await respond({
          text: rendered.text,
          blocks: rendered.blocks,
          response_type: options.inChannel ? "in_channel" : "ephemeral",
          replace_original: options.replaceOriginal === true,
        });
      } catch (error) {
        throw toChatDeliveryError(error, "respond");
      }
    },
    async deleteOriginal() {
      try {
        await respond({ delete_original: true });
      } catch (error) {
        throw toChatDeliveryError(error, "respond");
      }
    },
  };
}
