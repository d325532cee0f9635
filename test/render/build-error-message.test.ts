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

  it("an internal error: no details, whether anything may have changed, where to check, the reference for the admins", () => {
    const text = renderPlainText(buildErrorMessage({ reference: "abc123" }));
    expect(text).toBe(
      ":warning: Something went wrong in the bot (reference abc123), so I cannot tell whether your command did anything. If you asked for a change, check /ops approvals and /ops jobs before asking again. If it keeps happening, give the bot's admins the reference.",
    );
    // While answering a read: nothing was changed, and trying again is the next step.
    expect(renderPlainText(buildErrorMessage({ reference: "abc123", onlyRead: true }))).toBe(
      ":warning: Something went wrong in the bot (reference abc123). It was only a read, so nothing was changed: try again in a moment. If it keeps happening, give the bot's admins the reference.",
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
