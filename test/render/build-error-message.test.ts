import { describe, expect, it } from "vitest";
import { buildErrorMessage } from "../../src/render/build-error-message.js";
import { renderPlainText } from "../../src/render/render-plain-text.js";

describe("buildErrorMessage", () => {
  it("shows a cloud error's explanation, code and request ID", () => {
    const text = renderPlainText(
      buildErrorMessage({ userMessage: "Quota exceeded", code: "Ecs.0605", requestId: "r-1" }),
    );
    expect(text).toBe(":x: Quota exceeded\nError code: Ecs.0605 | Request ID: r-1");
  });

  it("points internal errors at the logs without details", () => {
    const text = renderPlainText(buildErrorMessage({ reference: "abc123" }));
    expect(text).toBe(
      ":warning: Something went wrong (reference abc123). The details are in the bot's logs.",
    );
  });

  it("combines an explanation with an internal reference", () => {
    const text = renderPlainText(
      buildErrorMessage({ userMessage: "Could not reboot web-01", reference: "abc123" }),
    );
    expect(text).toContain("Could not reboot web-01");
    expect(text).toContain("reference abc123");
  });
});
