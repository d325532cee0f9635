import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ChatDeliveryError } from "../../src/app/ports.js";
import { CloudError, OutcomeUnknownError } from "../../src/cloud/errors.js";
import { explainFailure, nothingRequested } from "../../src/commands/explain-failure.js";
import { createLogger } from "../../src/log/create-logger.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { StoreUnavailableError } from "../../src/store/store-unavailable-error.js";
import { blocksText } from "../helpers/read-slack-blocks.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    destination: new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l));
        cb();
      },
    }),
  });
  return { logger, lines };
}

const text = (m: Parameters<typeof renderBlockKit>[0]) => blocksText(renderBlockKit(m).blocks);

describe("explainFailure", () => {
  it("cloud errors: short explanation, code and request ID", () => {
    const { logger } = capture();
    const m = explainFailure(
      new CloudError({ status: 400, code: "Ecs.0005", message: "Invalid parameter.", requestId: "req-9" }),
      logger,
    );
    expect(text(m)).toContain("Huawei Cloud rejected the request: Invalid parameter.");
    expect(text(m)).toContain("Error code: `Ecs.0005`");
    expect(text(m)).toContain("Request ID: `req-9`");
  });

  it("a cloud error marked as thrown before anything was requested says nothing was requested or changed", () => {
    const { logger } = capture();
    const error = new CloudError({ status: 503, code: "APIG.0202", message: "Backend unavailable" });
    // Unmarked: the same error says nothing of the kind (it may come after a change was sent).
    expect(text(explainFailure(error, logger))).not.toContain("Nothing was requested");
    const marked = nothingRequested(error);
    // The same error, rethrown as it is: whoever catches a CloudError still does.
    expect(marked).toBe(error);
    expect(text(explainFailure(marked, logger))).toContain(
      "Nothing was requested or changed (the servers could not be looked up), so it is safe to try again.",
    );
    // Anything thrown can be marked, a non-object too (left as it is).
    expect(nothingRequested("x")).toBe("x");
  });

  it("throttling and timeouts get plain advice", () => {
    const { logger } = capture();
    expect(
      text(explainFailure(new CloudError({ status: 429, code: "APIG.0308", message: "x" }), logger)),
    ).toContain("throttling");
    expect(text(explainFailure(new CloudError({ code: "TIMEOUT", message: "x" }), logger))).toContain(
      "in time",
    );
  });

  it("an unknown outcome says so", () => {
    const { logger } = capture();
    const e = new OutcomeUnknownError({
      operation: "ecs.stopServers",
      identity: {},
      reason: "timeout",
      requestId: "r1",
    });
    expect(text(explainFailure(e, logger))).toContain("outcome is unknown");
  });

  it("delivery errors explain what to do", () => {
    const { logger } = capture();
    expect(text(explainFailure(new ChatDeliveryError("not_in_channel", "x"), logger, "U_MYBOT"))).toContain(
      "`/invite` <@U_MYBOT>",
    );
    // Before the bot knows its user ID: the app's manifest name.
    expect(text(explainFailure(new ChatDeliveryError("not_in_channel", "x"), logger))).toContain(
      "`/invite @hwc-chatops`",
    );
  });

  it("a failed read of the requester's groups says so, at warn with the Slack method: not 'another channel'", () => {
    const { logger, lines } = capture();
    const error = new ChatDeliveryError(
      "http_503",
      "usergroups.list failed: http_503",
      undefined,
      "usergroups.list",
    );
    const shown = text(explainFailure(error, logger, "U_MYBOT"));
    expect(shown).toContain(
      "I could not read your Slack user groups (Slack answered 503), which the policy needs to decide this request: nothing was done. Try again in a moment.",
    );
    expect(shown).not.toContain("another channel");
    expect(lines.find((l) => l.msg === "Slack call failed")).toMatchObject({
      level: 40,
      method: "usergroups.list",
      code: "http_503",
    });
  });

  it("a refusal about the channel is the requester's to fix: explained as such, at info with the method", () => {
    const { logger, lines } = capture();
    const error = new ChatDeliveryError("is_archived", "m", undefined, "chat.postMessage");
    expect(text(explainFailure(error, logger, "U_MYBOT"))).toContain("it is archived");
    expect(lines.find((l) => l.msg === "chat delivery refused")).toMatchObject({
      level: 30,
      method: "chat.postMessage",
      code: "is_archived",
    });
  });

  it("an unavailable state store: the store-unavailable answer, not an internal error", () => {
    const { logger, lines } = capture();
    const error = new StoreUnavailableError("Redis at 10.0.0.5:6379", "connection refused");
    const shown = text(explainFailure(error, logger));
    expect(shown).toContain("The bot's state store is unavailable, so nothing was done");
    expect(shown).not.toContain("reference");
    expect(shown).not.toContain("10.0.0.5");
    expect(lines.some((l) => l.level === 40 && JSON.stringify(l).includes("connection refused"))).toBe(true);
  });

  it("internal errors: a reference for the user, the details only in the log", () => {
    const { logger, lines } = capture();
    const m = explainFailure(new TypeError("secret internals at line 42"), logger);
    const shown = text(m);
    const reference = /reference `([0-9a-f]{8})`/.exec(shown)?.[1];
    expect(reference).toBeDefined();
    expect(shown).not.toContain("secret internals");
    const line = lines.find((l) => l.reference === reference);
    expect(JSON.stringify(line)).toContain("secret internals at line 42");
  });
});
