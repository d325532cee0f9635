import { describe, expect, it } from "vitest";
import { buildCloudErrorView } from "../../src/views/build-cloud-error-view.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { expectHarmless, render } from "./view-test-helpers.js";

const text = (m: ReturnType<typeof render>) => collectMrkdwn(m.kit).join("\n");

describe("a cloud error before a change command requested anything", () => {
  it("a 5xx of the lookup: nothing was requested or changed, and trying again is safe", async () => {
    const shown = render(
      buildCloudErrorView(
        { status: 503, code: "APIG.0202", message: "Backend unavailable <!here>", requestId: "req-5xx" },
        { nothingRequested: true },
      ),
    );
    expectHarmless(shown.kit);
    expect(text(shown)).toContain("Huawei Cloud had an internal error: Backend unavailable");
    expect(text(shown)).toContain(
      "Nothing was requested or changed (the servers could not be looked up), so it is safe to try again.",
    );
    expect(shown.kit.text).toContain("Nothing was requested or changed");
    await expect(shown.golden).toMatchFileSnapshot("golden/error-cloud-nothing-requested.json");
  });

  it("timeouts, unreachable and throttling pass too: safe to try again", () => {
    for (const failure of [
      { code: "TIMEOUT", message: "x" },
      { code: "NETWORK_ERROR", message: "x" },
      { status: 429, code: "APIG.0308", message: "x" },
    ])
      expect(text(render(buildCloudErrorView(failure, { nothingRequested: true })))).toContain(
        "so it is safe to try again.",
      );
  });

  it("a refusal of the credentials: nothing requested, but trying again is not offered as the fix", () => {
    const shown = text(
      render(
        buildCloudErrorView({ status: 403, code: "Ecs.0004", message: "denied" }, { nothingRequested: true }),
      ),
    );
    expect(shown).toContain("Nothing was requested or changed (the servers could not be looked up).");
    expect(shown).not.toContain("try again");
  });

  it("without a flag (the bot does not know what was sent): unchanged, no claim either way", () => {
    const shown = text(
      render(buildCloudErrorView({ status: 503, code: "APIG.0202", message: "Backend unavailable" })),
    );
    expect(shown).toContain("Huawei Cloud had an internal error: Backend unavailable");
    expect(shown).not.toContain("Nothing was requested");
    expect(shown).not.toContain("nothing was changed");
  });

  it("a read: says nothing was changed, never that nothing was requested", () => {
    const shown = text(
      render(
        buildCloudErrorView(
          { status: 503, code: "APIG.0202", message: "Backend unavailable" },
          { onlyRead: true },
        ),
      ),
    );
    expect(shown).toContain(
      "Huawei Cloud had an internal error: Backend unavailable\nIt was only a read, so nothing was changed.",
    );
    expect(shown).not.toContain("Nothing was requested");
  });
});
