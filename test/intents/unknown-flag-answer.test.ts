/**
 * What the requester reads when a command has a flag it does not take: every flag it does take, the flags every
 * change takes (`--reason`, `--break-glass`, `--at`, `--window`) among them, each said once.
 */
import { describe, expect, it } from "vitest";
import type { CommandRequest } from "../../src/commands/types.js";
import { understandCommand } from "../../src/commands/understand-command.js";
import { helpFor } from "../../src/intents/index.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { blocksText } from "../helpers/read-slack-blocks.js";

const answer = (command: string, text: string): string => {
  const request: CommandRequest = {
    command,
    text,
    actor: { userId: "U1", teamId: "T1" },
    channelId: "C1",
  };
  const understood = understandCommand(request, "ref");
  if (understood.ok) throw new Error(`understood: ${JSON.stringify(understood.intent)}`);
  return blocksText(renderBlockKit(understood.message).blocks);
};
const times = (text: string, word: string) => text.split(`\`${word}\``).length - 1;

describe("an unknown flag", () => {
  it("on a change: lists its own flags and those of every change, once each", () => {
    const said = answer("/ecs", "reboot web-01 --force");
    expect(said).toContain("`--force` is not a flag of `/ecs reboot`.");
    for (const flag of [
      "--hard",
      "--waves",
      "--max-failures",
      "--reason",
      "--break-glass",
      "--at",
      "--window",
    ])
      expect(times(said, flag), flag).toBe(1);
  });

  it("a mistyped flag every change takes is suggested, and works once corrected", () => {
    const said = answer("/ecs", 'stop web-01 --reasn "INC-9: leaks memory"');
    expect(said).toContain("Did you mean `--reason`?");
    expect(
      understandCommand(
        {
          command: "/ecs",
          text: 'stop web-01 --reason "INC-9: leaks memory"',
          actor: { userId: "U1", teamId: "T1" },
          channelId: "C1",
        },
        "ref",
      ).ok,
    ).toBe(true);
  });

  it("on a read: none of the flags of a change", () => {
    const said = answer("/ecs", "list --force");
    expect(said).toContain("`--force` is not a flag of `/ecs list`.");
    expect(said).toContain("No flags or filters are accepted here.");
    expect(said).not.toContain("--reason");
  });

  it("an unknown filter names the valid ones once", () => {
    const said = answer("/ecs", "list colour=red");
    expect(times(said, "status=")).toBe(1);
  });
});

describe("a change's help", () => {
  it("says which flags every change takes, its own usage line kept short", () => {
    const help = helpFor({ command: "ecs", verb: "reboot" });
    expect(help.usage).toEqual(["/ecs reboot <targets…> [--hard]"]);
    const notes = help.notes.join("\n");
    for (const flag of ["--reason", "--break-glass", "--at", "--window"]) expect(notes).toContain(flag);
    expect(helpFor({ command: "ecs", verb: "list" }).notes.join("\n")).not.toContain("--break-glass");
  });
});
