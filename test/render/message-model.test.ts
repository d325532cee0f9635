import { describe, expect, it } from "vitest";
import {
  bold,
  channelLink,
  code,
  groupMention,
  italic,
  link,
  localTime,
  md,
  toSpans,
  userMention,
} from "../../src/render/message-model.js";
import { renderMrkdwn, renderPlain } from "../../src/render/render-mrkdwn.js";

describe("md and span helpers", () => {
  it("treat literals as trusted markup and interpolations as untrusted", () => {
    const name = "*evil* <!channel>";
    expect(md`*Server* ${name} (${42})`).toEqual([
      { t: "plain", v: "*Server* " },
      { t: "untrusted", v: name },
      { t: "plain", v: " (" },
      { t: "untrusted", v: "42" },
      { t: "plain", v: ")" },
    ]);
    expect(renderMrkdwn(md`*Server* ${name}`)).toBe("*Server* ∗evil∗ &lt;!channel&gt;");
  });

  it("a bare string is untrusted", () => {
    expect(toSpans("x")).toEqual([{ t: "untrusted", v: "x" }]);
    expect(renderMrkdwn(":tada: *hi*")).toBe(":\u200Btada: ∗hi∗");
  });

  it("render bold, italic, code, mentions and links", () => {
    expect(renderMrkdwn(md`${bold("web_01")} ${italic(" padded ")} ${code("a`b")}`)).toBe(
      "*web_01*  _padded_  `a`<!date^0^{_}|`>`b`",
    );
    expect(renderMrkdwn(userMention("U012AB3CD"))).toBe("<@U012AB3CD>");
    expect(renderMrkdwn(userMention("<!channel>"))).toBe("@&lt;!channel&gt;");
    // A channel by ID is a link Slack shows with the channel's current name; anything else stays text.
    expect(renderMrkdwn(channelLink("C0123ABCD"))).toBe("<#C0123ABCD>");
    expect(renderMrkdwn(channelLink("<!here>"))).toBe("#&lt;!here&gt;");
    expect(renderPlain(channelLink("C0123ABCD"))).toBe("#C0123ABCD");
    expect(renderMrkdwn(link("https://x.example/a?b=1&c=<2>|3", "Open <it>"))).toBe(
      "<https://x.example/a?b=1&amp;c=%3C2%3E%7C3|Open &lt;it&gt;>",
    );
    expect(renderMrkdwn(link("javascript:alert(1)", "Approve"))).toBe("Approve");
    expect(renderMrkdwn(bold(""))).toBe("");
  });

  it("cuts rich text without breaking markers or atoms", () => {
    const text = md`${bold("a".repeat(50))} ${userMention("U012AB3CD")} tail`;
    expect(renderMrkdwn(text, 20)).toBe(`*${"a".repeat(17)}…*`);
    expect(renderMrkdwn(text, 60)).toBe(`*${"a".repeat(50)}* …`);
    expect(renderMrkdwn(text, 70).length).toBeLessThanOrEqual(70);
  });

  it("flattens to plain text", () => {
    expect(renderPlain(md`${bold("web\n01")} by ${userMention("U1")}`)).toBe("web 01 by @U1");
  });
});

describe("group mentions and reader-local times", () => {
  it("renders a user-group mention by ID, and falls back to the handle as text for anything else", () => {
    expect(renderMrkdwn(groupMention("S0123ABCD", "ops-approvers"))).toBe("<!subteam^S0123ABCD>");
    expect(renderMrkdwn(groupMention("<!channel>", "ops"))).toBe("@ops");
    expect(renderPlain(groupMention("S0123ABCD", "ops-approvers"))).toBe("@ops-approvers");
  });

  it("renders a time in each reader's zone with a UTC fallback", () => {
    const at = Date.UTC(2025, 0, 1, 12, 30, 45);
    expect(renderMrkdwn(localTime(at, "time"))).toBe(`<!date^${Math.floor(at / 1000)}^{time}|12:30 UTC>`);
    expect(renderMrkdwn(localTime(at))).toBe(
      `<!date^${Math.floor(at / 1000)}^{date_short_pretty} {time}|2025-01-01 12:30 UTC>`,
    );
    expect(renderPlain(localTime(at))).toBe("2025-01-01 12:30 UTC");
    expect(renderMrkdwn(localTime(Number.NaN))).toBe("");
  });
});
