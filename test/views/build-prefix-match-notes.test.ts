import { describe, expect, it } from "vitest";
import { renderMrkdwn } from "../../src/render/render-mrkdwn.js";
import { buildPrefixMatchNotes } from "../../src/views/build-prefix-match-notes.js";

const notes = (outcomes: Parameters<typeof buildPrefixMatchNotes>[0]) =>
  buildPrefixMatchNotes(outcomes).map((p) =>
    p.kind === "context" ? p.elements.map((e) => renderMrkdwn(e)).join(" ") : "",
  );

describe("buildPrefixMatchNotes", () => {
  it("says a prefix match is one and a case-only match is one, and says nothing of exact matches", () => {
    expect(
      notes([
        {
          kind: "resolved",
          rule: "prefix",
          target: { kind: "name", name: "web-1" },
          servers: [{ name: "web-10" }],
        },
        {
          kind: "resolved",
          rule: "case",
          target: { kind: "name", name: "WEB-01" },
          servers: [{ name: "web-01" }],
        },
        {
          kind: "resolved",
          rule: "name",
          target: { kind: "name", name: "db-01" },
          servers: [{ name: "db-01" }],
        },
        { kind: "resolved", rule: "id", target: { kind: "id", id: "x" }, servers: [{ name: "db-02" }] },
      ]),
    ).toEqual([
      ":information_source: Matched by prefix: `web-10` (you typed `web-1`).",
      ":information_source: Matched ignoring case: `web-01` (you typed `WEB-01`).",
    ]);
  });

  it("keeps untrusted names as code", () => {
    const [line] = notes([
      {
        kind: "resolved",
        rule: "case",
        target: { kind: "name", name: "<!HERE>" },
        servers: [{ name: "<!here>" }],
      },
    ]);
    expect(line).not.toContain("<!here>");
    expect(line).not.toContain("<!HERE>");
    expect(line).toContain("Matched ignoring case");
  });
});
