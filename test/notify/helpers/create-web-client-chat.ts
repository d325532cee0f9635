import { webApi } from "@slack/bolt";
import { ChatDeliveryError, type ChatPort, type MessageRef } from "../../../src/app/ports.js";
import { renderBlockKit } from "../../../src/render/render-block-kit.js";

/**
 * A minimal `postMessage` over `@slack/web-api`, standing in for the Slack edge's ChatPort in these tests.
 * Rate limits are not retried inside the client (`rejectRateLimitedCalls`): the notifier honours
 * `Retry-After` itself, on its injectable clock.
 */
export function createWebClientChat(apiUrl: string, token: string): Pick<ChatPort, "postMessage"> {
  const client = new webApi.WebClient(token, {
    slackApiUrl: apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
  return {
    async postMessage(channel, message, options): Promise<MessageRef> {
      const rendered = renderBlockKit(message);
      try {
        const res = await client.chat.postMessage({
          channel,
          text: rendered.text,
          blocks: rendered.blocks,
          ...(options?.threadTs !== undefined && { thread_ts: options.threadTs }),
        });
        return { channel: res.channel ?? channel, ts: res.ts ?? "" };
      } catch (error) {
        // The rate-limit error keeps its `retryAfter` (seconds) for the notifier.
        if (error instanceof webApi.WebAPIRateLimitedError) throw error;
        if (error instanceof webApi.WebAPIPlatformError)
          throw new ChatDeliveryError(error.data.error, error.message);
        throw error;
      }
    },
  };
}
