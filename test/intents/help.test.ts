import { describe, expect, it } from "vitest";
import type { PolicyDescription } from "../../src/intents/help.js";
import {
  COMMANDS,
  helpFor,
  parseIntent,
  shippedPolicyOf,
  usageFor,
  verbKindOf,
  verbsOf,
} from "../../src/intents/index.js";

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
          // An example that needs an ID shows its placeholder (a made-up ID would fail when typed), and its
          // notes say where the ID comes from; with an ID in its place, the example parses.
          for (const [placeholder] of example.matchAll(/<[a-z_]+_id>/g)) {
            expect(help.notes.some((n) => n.startsWith(`\`${placeholder}\`: `))).toBe(true);
          }
          // Slack turns a picked `@alice` into `<@U…|alice>` before we see it.
          const sent = example
            .replace("@alice", "<@U0ALICE|alice>")
            .replace("<job_id>", "ff80808288d41e1b018990260955686a")
            .replace(/<[a-z_]+_id>/g, "5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d");
          const [cmd = "", ...rest] = sent.split(" ");
          const result = parseIntent(cmd, rest.join(" "));
          expect(result.ok ? "ok" : `${example}: ${result.error.message}`).toBe("ok");
        }
      }
    }
  });

  it("shows no made-up ID in an example: an ID the reader must look up is a placeholder", () => {
    for (const command of COMMANDS) {
      for (const verb of verbsOf(command)) {
        for (const example of helpFor({ command, verb }).examples) {
          expect(example).not.toMatch(/\b[0-9a-f]{8}-[0-9a-f]{4}-|\b[0-9a-f]{32}\b/);
        }
      }
    }
    expect(helpFor({ command: "ecs", verb: "job" }).examples).toEqual(["/ecs job <job_id>"]);
    expect(helpFor({ command: "ecs", verb: "group" }).notes).toContain(
      "`<group_id>`: the ECS group's ID, from `/ecs groups`.",
    );
    expect(helpFor({ command: "ecs", verb: "attach" }).notes.join("\n")).toContain("the console's EVS page");
    expect(helpFor({ command: "ecs", verb: "detach" }).notes.join("\n")).toContain("`/ecs show <server>`");
  });

  it("says what the shipped policy decides about every verb that changes something", () => {
    for (const verb of verbsOf("ecs")) {
      const kind = verbKindOf("ecs", verb);
      const notes = helpFor({ command: "ecs", verb }).notes;
      if (kind === "change" || kind === "destructive" || verb === "console-log") {
        expect(notes.some((n) => n.startsWith("Shipped policy:"))).toBe(true);
      } else {
        expect(notes.some((n) => /policy/i.test(n))).toBe(false);
      }
    }
  });

  it("lists every command by kind with its shipped policy in the overview", () => {
    for (const command of COMMANDS) {
      const overview = helpFor({ command, all: true });
      const lines = (overview.kinds ?? []).flatMap((k) => k.lines).join("\n");
      for (const verb of verbsOf(command).filter((v) => v !== "help" || command === "ops")) {
        for (const usage of helpFor({ command, verb }).usage) expect(lines).toContain(`\`${usage}\``);
        expect(lines).toContain(shippedPolicyOf(command, verb));
      }
    }
    const ecs = helpFor({ command: "ecs", all: true }).kinds ?? [];
    expect(ecs.map((k) => k.kind)).toEqual(["read", "change", "destructive"]);
    const of = (kind: string) => ecs.find((k) => k.kind === kind)?.lines.join("\n") ?? "";
    expect(of("read")).toContain("/ecs console-log");
    expect(of("change")).toMatch(/`\/ecs unlock <targets…>` — 1 approval/);
    expect(of("change")).toMatch(/`\/ecs detach <server> <volume_id>` — 1 approval/);
    expect(of("change")).toMatch(/`\/ecs lock <targets…>` — allowed/);
    expect(of("destructive")).toMatch(/`\/ecs reinstall <server> \[--keypair <name>\]` — 2 approvals; \+1/);
    expect(of("destructive")).toContain("/ecs change-os");
    expect(of("destructive")).toContain("/ecs delete");
  });

  it("describes the live policy when the caller can, next to the shipped one", () => {
    const describe = (action: string): PolicyDescription | undefined =>
      action === "ecs:cloudServers:delete"
        ? { verdict: "denied", serverRules: [] }
        : action === "ecs:cloudServers:stop"
          ? { verdict: "needs approval", serverRules: [] }
          : action === "ecs:cloudServers:reboot"
            ? { verdict: "allowed", serverRules: ["prod-needs-one-more"] }
            : undefined;
    expect(helpFor({ command: "ecs", verb: "delete" }, describe).notes).toContain("Current policy: denied.");
    // What a decision without servers cannot tell is said, with the rules that decide it and how to ask.
    expect(helpFor({ command: "ecs", verb: "reboot" }, describe).notes).toContain(
      "Current policy, on servers no rule singles out: allowed without approval. Rules on servers' tags or names decide otherwise for some (`prod-needs-one-more`): `/ops policy explain <command line>` tells for yours.",
    );
    expect(helpFor({ command: "ecs", verb: "stop" }, describe).notes).toContain(
      "Current policy: needs approval before it runs.",
    );
    expect(helpFor({ command: "ecs", verb: "start" }, describe).notes).toContain(
      "Shipped policy: allowed; 1 approval for `env=prod` servers.",
    );
    const throwing = () => {
      throw new Error("policy unavailable");
    };
    expect(helpFor({ command: "ecs", verb: "reboot" }, throwing).notes.join(" ")).toMatch(/Shipped policy/);
  });

  it("falls back to the overview for an unknown verb", () => {
    expect(helpFor({ command: "hss", verb: "nope" }).title).toBe(helpFor({ command: "hss" }).title);
  });
});
