import { describe, expect, it } from "vitest";
import { COMMANDS, helpFor, parseIntent, usageFor, verbsOf } from "../../src/intents/index.js";

describe("helpFor", () => {
  it("has usage and examples for every command and verb, and every example parses", () => {
    for (const command of COMMANDS) {
      const overview = helpFor({ command });
      expect(overview.usage.length).toBe(verbsOf(command).length);
      for (const verb of verbsOf(command)) {
        const help = helpFor({ command, verb });
        expect(help.title).toContain(`/${command} ${verb}`);
        expect(help.usage.join("\n")).toBe(usageFor(command, verb));
        expect(help.examples.length).toBeGreaterThan(0);
        for (const example of help.examples) {
          // Slack turns a picked `@alice` into `<@U…|alice>` before we see it.
          const sent = example.replace("@alice", "<@U0ALICE|alice>");
          const [cmd = "", ...rest] = sent.split(" ");
          const result = parseIntent(cmd, rest.join(" "));
          expect(result.ok ? "ok" : `${example}: ${result.error.message}`).toBe("ok");
        }
      }
    }
  });

  it("says whether mutating verbs typically need approval", () => {
    for (const verb of ["start", "stop", "reboot", "resize", "delete"]) {
      expect(helpFor({ command: "ecs", verb }).notes.some((n) => /approval/i.test(n))).toBe(true);
    }
    expect(helpFor({ command: "ecs", verb: "list" }).notes.some((n) => /approval/i.test(n))).toBe(false);
  });

  it("describes the live policy when the caller can", () => {
    const describe = (action: string) =>
      action === "ecs:cloudServers:delete"
        ? "denied"
        : action === "ecs:cloudServers:stop"
          ? "needs approval"
          : undefined;
    expect(helpFor({ command: "ecs", verb: "delete" }, describe).notes).toContain("Current policy: denied.");
    expect(helpFor({ command: "ecs", verb: "stop" }, describe).notes).toContain(
      "Current policy: needs approval before it runs.",
    );
    expect(helpFor({ command: "ecs", verb: "start" }, describe).notes).toContain(
      "Typically allowed without approval.",
    );
    const throwing = () => {
      throw new Error("policy unavailable");
    };
    expect(helpFor({ command: "ecs", verb: "reboot" }, throwing).notes.join(" ")).toMatch(/Typically/);
  });

  it("falls back to the overview for an unknown verb", () => {
    expect(helpFor({ command: "hss", verb: "nope" }).title).toBe(helpFor({ command: "hss" }).title);
  });
});
