import { webApi } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { ChatDeliveryError } from "../../src/app/ports.js";
import { toChatDeliveryError } from "../../src/slack/to-chat-delivery-error.js";

describe("toChatDeliveryError", () => {
  it("keeps Slack's platform error code", () => {
    const e = toChatDeliveryError(
      { code: "slack_webapi_platform_error", data: { ok: false, error: "not_in_channel" } },
      "chat.postMessage",
    );
    expect(e).toBeInstanceOf(ChatDeliveryError);
    expect(e.code).toBe("not_in_channel");
    expect(e.message).toBe("chat.postMessage failed: not_in_channel");
    // The method that failed is kept: a failed read of the groups is explained as that, not as a refused post.
    expect(e.method).toBe("chat.postMessage");
    expect(
      toChatDeliveryError({ code: "slack_webapi_http_error", statusCode: 503 }, "usergroups.list"),
    ).toMatchObject({ code: "http_503", method: "usergroups.list" });
  });

  it("maps rate limits, HTTP and transport failures", () => {
    expect(toChatDeliveryError({ code: "slack_webapi_rate_limited_error" }, "x").code).toBe("ratelimited");
    expect(toChatDeliveryError({ code: "slack_webapi_http_error", statusCode: 503 }, "x").code).toBe(
      "http_503",
    );
    expect(toChatDeliveryError({ code: "slack_webapi_request_error" }, "x").code).toBe("request_error");
    expect(toChatDeliveryError({ code: "ECONNREFUSED" }, "x").code).toBe("request_error");
    expect(toChatDeliveryError(new Error("?"), "x").code).toBe("unknown_error");
  });

  it("carries a rate limit's Retry-After (seconds) as retryAfterMs", () => {
    const e = toChatDeliveryError(new webApi.WebAPIRateLimitedError(7), "chat.postMessage");
    expect(e).toBeInstanceOf(ChatDeliveryError);
    expect(e).toMatchObject({ code: "ratelimited", retryAfterMs: 7_000 });
    expect(e.message).toBe("chat.postMessage failed: ratelimited");
    expect(
      toChatDeliveryError({ code: "slack_webapi_rate_limited_error", retryAfter: 0 }, "x").retryAfterMs,
    ).toBe(0);
    // No (usable) delay known: none invented here; the caller decides its default.
    expect(
      toChatDeliveryError({ code: "slack_webapi_rate_limited_error" }, "x").retryAfterMs,
    ).toBeUndefined();
    expect(
      toChatDeliveryError({ code: "slack_webapi_rate_limited_error", retryAfter: "7" }, "x").retryAfterMs,
    ).toBeUndefined();
    expect(
      toChatDeliveryError({ code: "slack_webapi_http_error", retryAfter: 7 }, "x").retryAfterMs,
    ).toBeUndefined();
  });

  it("reads a response_url rejection (respond) from the answer body", () => {
    expect(
      toChatDeliveryError({ response: { status: 404, data: { ok: false, error: "used_url" } } }, "respond")
        .code,
    ).toBe("used_url");
    expect(toChatDeliveryError({ response: { status: 500, data: "oops" } }, "respond").code).toBe("http_500");
  });

  it("passes a ChatDeliveryError through", () => {
    const original = new ChatDeliveryError("is_archived", "m");
    expect(toChatDeliveryError(original, "x")).toBe(original);
  });
});
