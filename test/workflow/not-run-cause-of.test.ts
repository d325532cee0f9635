/**
 * Why a run was not run, as the card and the approvers' messages say it: from the code recorded with its result
 * (`notRunCodeOf` for the runs `describeAbort` describes, `servers_busy` for the held-servers refusal), and for
 * results recorded before the code was kept, from the words written then (the older "aborted: …" too).
 */
import { describe, expect, it } from "vitest";
import { serversHeldReason } from "../../src/operations/build-servers-held-view.js";
import type { DriftItem } from "../../src/workflow/detect-drift.js";
import { describeAbort, notRunCodeOf } from "../../src/workflow/flow-summary-message.js";
import { notRunCauseOf } from "../../src/workflow/not-run-cause-of.js";

const changed: DriftItem = {
  serverId: "b",
  name: "web-04",
  kind: "status",
  expected: "ACTIVE",
  actual: "SHUTOFF",
};
const unreadable: DriftItem = {
  serverId: "a",
  name: "web-03",
  kind: "unreadable",
  message: "APIG.0202: Backend unavailable",
};

/** The result as `settleExecution` records it, with its code or (`legacy`) without, as before it was kept. */
function recorded(outcome: Parameters<typeof notRunCodeOf>[0], legacy = false) {
  const notRun = notRunCodeOf(outcome);
  return { summary: describeAbort(outcome), ...(!legacy && notRun !== undefined && { notRun }) };
}

describe("notRunCauseOf", () => {
  for (const legacy of [false, true]) {
    it(`says every cause describeAbort describes (${legacy ? "read from its words" : "by its code"})`, () => {
      expect(notRunCauseOf(recorded({ drift: [changed] }, legacy))).toEqual({
        short: "servers changed since approval",
        next: "Ask again to get fresh approval.",
      });
      expect(notRunCauseOf(recorded({ drift: [changed], approved: false }, legacy))?.short).toBe(
        "servers changed since it was asked",
      );
      expect(notRunCauseOf(recorded({ drift: [unreadable] }, legacy))?.short).toBe(
        "servers could not be read",
      );
      expect(notRunCauseOf(recorded({ drift: [] }, legacy))).toBeUndefined();
    });
  }

  it("goes by the code whatever the words say", () => {
    expect(notRunCauseOf({ summary: "anything at all", notRun: "servers_unreadable" })?.short).toBe(
      "servers could not be read",
    );
    expect(notRunCodeOf({ drift: [changed], stop: { kind: "check", beforeWave: 2, of: 3, why: "x" } })).toBe(
      undefined,
    );
  });

  it("says the held-servers refusal, leaving its words (with the other request) to the result line", () => {
    const summary = serversHeldReason([
      {
        requestId: "apr_AbC__x_0123456789abcdefgh",
        verb: "reboot",
        servers: [{ id: "i-1", name: "web-03" }],
      },
    ]);
    expect(notRunCauseOf({ summary, notRun: "servers_busy" })).toEqual({
      short: "servers busy with another change",
    });
    expect(notRunCauseOf({ summary })).toEqual({ short: "servers busy with another change" });
  });

  it("reads the words of runs recorded before 'not run' (\"aborted: …, nothing was changed\")", () => {
    expect(
      notRunCauseOf({ summary: "aborted: the servers changed since approval, nothing was changed" })?.short,
    ).toBe("servers changed since approval");
    expect(
      notRunCauseOf({
        summary: "aborted: the servers could not be read, nothing was sent; ask again once the cloud answers",
      })?.short,
    ).toBe("servers could not be read");
  });
});
