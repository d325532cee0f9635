import { describe, expect, it } from "vitest";
import { formatCommandLine, parseIntent } from "../../src/intents/index.js";

describe("wave flags", () => {
  it("reads --waves, --wave-size, --pause and --max-failures on the disruptive mutations", () => {
    expect(parseIntent("/ecs", "reboot tag:env=prod --waves 3 --pause 5m --max-failures 10%")).toEqual({
      ok: true,
      intent: {
        type: "ecs.reboot",
        targets: [{ kind: "tag", key: "env", value: "prod" }],
        hard: false,
        waves: { waves: 3, pauseMs: 300_000, maxFailures: { kind: "percent", value: 10 } },
      },
    });
    expect(parseIntent("/ecs", "start web-01,web-02 --wave-size=25%")).toMatchObject({
      ok: true,
      intent: { waves: { size: { kind: "percent", value: 25 } } },
    });
    expect(parseIntent("/ecs", "stop web-01 --hard --wave-size 1 --max-failures 2")).toMatchObject({
      ok: true,
      intent: {
        hard: true,
        waves: { size: { kind: "count", value: 1 }, maxFailures: { kind: "count", value: 2 } },
      },
    });
    expect(parseIntent("/ecs", "resize web-01 s6.large.2 --waves 1")).toMatchObject({
      ok: true,
      intent: { waves: { waves: 1 } },
    });
    expect(parseIntent("/ecs", "stop web-01")).toMatchObject({ ok: true, intent: { type: "ecs.stop" } });
    const plain = parseIntent("/ecs", "stop web-01");
    expect(plain.ok && "waves" in plain.intent).toBe(false);
  });

  it("refuses bad wave flags with what to write instead", () => {
    const cases: [string, string][] = [
      [
        "reboot web-01 --waves 2 --wave-size 1",
        "Give either `--waves <n>` or `--wave-size <n|p%>`, not both.",
      ],
      ["reboot web-01 --pause 5m", "`--pause` works with waves: add `--waves <n>` or `--wave-size <n|p%>`."],
      [
        "reboot web-01 --pause 5m --max-failures 1",
        "`--pause` and `--max-failures` work with waves: add `--waves <n>` or `--wave-size <n|p%>`.",
      ],
      ["reboot web-01 --waves 0", "`--waves` `0` is not a number of waves from 1 to 100."],
      [
        "reboot web-01 --waves 3 --pause soon",
        "`--pause` `soon` is not a duration up to 1d such as `30s`, `5m` or `1h`.",
      ],
      [
        "reboot web-01 --waves 3 --max-failures 150%",
        "`--max-failures` `150%` is not a number of servers or a share such as `10%`.",
      ],
      [
        "reboot web-01 --wave-size 0",
        "`--wave-size` `0` is not a number of servers or a share such as `25%`.",
      ],
      ["reboot web-01 --waves", "`--waves` needs a value, e.g. `--waves <name>`."],
    ];
    for (const [text, message] of cases) {
      const parsed = parseIntent("/ecs", text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.error.message, text).toBe(message);
    }
    // Not on operations without waves, nor on migrate, which takes exactly one server.
    expect(parseIntent("/ecs", "delete web-01 --waves 2")).toMatchObject({
      ok: false,
      error: { code: "unknown_flag" },
    });
    for (const flags of ["--waves 1", "--wave-size 1", "--pause 30s", "--max-failures 1"]) {
      expect(parseIntent("/ecs", `migrate web-01 ${flags}`)).toMatchObject({
        ok: false,
        // The flags it does take are listed apart (the view says them once).
        error: { code: "unknown_flag", validFlags: expect.arrayContaining(["--dedicated-host"]) },
      });
    }
  });

  it("writes the wave flags back so the line parses to the same intent", () => {
    for (const text of [
      "reboot web-01 web-02 web-03 --waves 3 --pause 5m --max-failures 10%",
      "start tag:env=dev --wave-size 25%",
      "stop web-01 --hard --wave-size 2 --max-failures 1",
    ]) {
      const parsed = parseIntent("/ecs", text);
      if (!parsed.ok) throw new Error(parsed.error.message);
      const again = parseIntent("/ecs", formatCommandLine(parsed.intent as never).slice("/ecs ".length));
      expect(again).toEqual(parsed);
    }
  });
});
