/**
 * What a pasted code span and a misplaced or mistyped verb become: a target wrapped whole in backticks (as Slack
 * users copy IDs from code spans) is read as what is inside, never a partial wrap; an unknown verb close to one is
 * offered as the corrected command, ready to copy (flags taken out before the grammar kept), never run, with one
 * line pointing to the help instead of every verb's usage; `/ecs help` is a short first screen, `/ecs help all`
 * the whole reference.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CommandRequest } from "../../src/commands/types.js";
import { understandCommand } from "../../src/commands/understand-command.js";
import {
  formatTarget,
  helpFor,
  type Intent,
  parseIntent,
  tokenize,
  verbsOf,
} from "../../src/intents/index.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { buildHelpView } from "../../src/views/build-help-view.js";
import { blocksText } from "../helpers/read-slack-blocks.js";

const ID = "90c4c3d7-42c6-4f5d-ac07-1e5986404d3e";

function intentOf(command: string, text: string): Intent {
  const parsed = parseIntent(command, text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
  return parsed.intent;
}

function refusal(command: string, text: string) {
  const parsed = parseIntent(command, text);
  if (parsed.ok) throw new Error(`${text}: parsed`);
  return parsed.error;
}

/** What the requester reads for a command that is not understood. */
function answer(command: string, text: string): string {
  const request: CommandRequest = { command, text, actor: { userId: "U1", teamId: "T1" }, channelId: "C1" };
  const understood = understandCommand(request, "ref");
  if (understood.ok) throw new Error(`understood: ${JSON.stringify(understood.intent)}`);
  return blocksText(renderBlockKit(understood.message).blocks);
}

describe("a target pasted with its backticks", () => {
  it("is read as what is inside: an ID stays an ID, a flag a flag, a quoted name a name", () => {
    expect(intentOf("/ecs", `reboot \`${ID}\` --hard`)).toEqual({
      type: "ecs.reboot",
      targets: [{ kind: "id", id: ID }],
      hard: true,
    });
    expect(intentOf("/ecs", "stop `web-01`,`web-02` `--hard`")).toEqual({
      type: "ecs.stop",
      targets: [
        { kind: "name", name: "web-01" },
        { kind: "name", name: "web-02" },
      ],
      hard: true,
    });
    expect(intentOf("/ecs", 'stop `"ops box 1"` `tag:env=prod`')).toMatchObject({
      targets: [
        { kind: "name", name: "ops box 1" },
        { kind: "tag", key: "env", value: "prod" },
      ],
    });
    expect(intentOf("/ecs", "show `10.0.0.12`")).toMatchObject({ server: { kind: "ip", ip: "10.0.0.12" } });
  });

  it("a dash that only looks like a hyphen (another keyboard, an autocorrect) is named, with the name to type", () => {
    const hyphen = refusal("/ecs", "stop web\u201003");
    expect(hyphen.code).toBe("invalid_target");
    expect(hyphen.message).toContain(
      "It contains a dash that only looks like `-` (U+2010, character 4): type a plain hyphen, e.g. `web-03`.",
    );
    expect(refusal("/ecs", "show db\u2013primary\u221201").message).toContain(
      "(U+2013, character 3): type a plain hyphen, e.g. `db-primary-01`.",
    );
    // Quoted too: the dash is the problem, not the quotes.
    expect(refusal("/ecs", 'stop "web\uff0d03"').message).toContain("(U+FF0D, character 4)");
  });

  it("only wrapped whole: a partial wrap keeps its backticks, and no target has one", () => {
    for (const text of ["stop `web-01", "stop web-01`", "stop `web`-01", "stop `a`b`", "stop ``"]) {
      const error = refusal("/ecs", text);
      expect(error.code, text).toBe("invalid_target");
      expect(error.message).toContain("Backticks are not part of a target");
    }
    // Inside quotes, backticks are the quoted text's own.
    expect(refusal("/ecs", 'stop "`web-01`"').message).toContain("Quoted text is always read as a name");
    expect(tokenize("a`b` `c`").ok && tokenize("a`b` `c`")).toMatchObject({
      tokens: [{ text: "a`b`" }, { text: "c" }],
    });
  });

  it("a password in a code span is still refused, and kept out of the logs", () => {
    expect(refusal("/ecs", "reinstall web-01 `--password` hunter2x").code).toBe("password_not_allowed");
    expect(refusal("/ecs", "reinstall web-01 `adminpass=hunter2x`").code).toBe("password_not_allowed");
  });

  it("property: wrapping every target in backticks reads the same command", () => {
    const name = fc
      .stringMatching(/^[a-z][a-z0-9-]{0,12}$/)
      .filter((n) => !["help", "add", "remove"].includes(n));
    const target = fc.oneof(
      name.map((n) => ({ kind: "name" as const, name: n })),
      fc.uuid().map((id) => ({ kind: "id" as const, id: id.toLowerCase() })),
      fc.ipV4().map((ip) => ({ kind: "ip" as const, ip, version: 4 as const })),
      fc.tuple(name, name).map(([key, value]) => ({ kind: "tag" as const, key, value })),
    );
    fc.assert(
      fc.property(
        fc.array(target, { minLength: 1, maxLength: 5 }),
        fc.constantFrom("stop", "start", "reboot", "delete"),
        fc.constantFrom(" ", ",", ", "),
        (targets, verb, separator) => {
          const plain = targets.map(formatTarget);
          const bare = parseIntent("/ecs", `${verb} ${plain.join(separator)}`);
          const wrapped = parseIntent("/ecs", `${verb} ${plain.map((t) => `\`${t}\``).join(separator)}`);
          expect(wrapped).toEqual(bare);
          expect(bare.ok).toBe(true);
        },
      ),
    );
  });
});

describe("an unknown verb", () => {
  it("close to a verb: the corrected command to copy and one line to the help, not every verb's usage", () => {
    for (const [text, line] of [
      ["lsit checkout", "/ecs list checkout"],
      ["shwo checkout-2", "/ecs show checkout-2"],
      ["restart web-01 --hard", "/ecs reboot web-01 --hard"],
      [`rebot \`${ID}\``, `/ecs reboot ${ID}`],
    ] as const) {
      const said = answer("/ecs", text);
      expect(said, text).toContain(`Did you mean \`${line}\`?`);
      expect(said).toContain("`/ecs help` lists every verb");
      expect(said).not.toContain("*Usage*");
      expect(said).not.toContain("/ecs change-os");
    }
    expect(answer("/hss", "prots db-02")).toContain("Did you mean `/hss ports db-02`?");
  });

  it("after targets typed first: the verb put first, never run", () => {
    const error = refusal("/ecs", "checkout-03 reboot");
    expect(error).toMatchObject({
      code: "unknown_verb",
      suggestion: "reboot",
      correctedCommand: "/ecs reboot checkout-03",
    });
    expect(refusal("/ecs", 'web-01,"ops box 1" stop --hard').correctedCommand).toBe(
      '/ecs stop web-01 "ops box 1" --hard',
    );
    expect(answer("/ecs", "checkout-03 reboot")).toContain("Did you mean `/ecs reboot checkout-03`?");
    // A word that is no target before the verb: no guess.
    expect(refusal("/ecs", "xyzzy= reboot").suggestion).toBeUndefined();
  });

  it("keeps, as typed, the flags taken out before the grammar", () => {
    const said = answer("/ecs", 'checkout-03 reboot --hard --break-glass "checkout down, INC-9001"');
    expect(said).toContain(
      'Did you mean `/ecs reboot checkout-03 --hard --break-glass "checkout down, INC-9001"`?',
    );
    expect(answer("/ecs", "rebot web-01 --reason 'INC-1: leak'")).toContain(
      "Did you mean `/ecs reboot web-01 --reason 'INC-1: leak'`?",
    );
  });

  it("the verb alone where a line would not read as one, or would mean something else", () => {
    expect(refusal("/ecs", `rebot ${"web-01 ".repeat(60)}`).correctedCommand).toBeUndefined();
    expect(refusal("/ecs", `rebot ${"web-01 ".repeat(60)}`).message).toContain("Did you mean `reboot`?");
    expect(refusal("/ecs", "rebot <@U1|bob>").message).toContain("Did you mean `reboot`?");
    // Inside an explanation, a command to run is not what was asked for.
    const explained = refusal("/ops", "policy explain ecs rebot web");
    expect(explained.correctedCommand).toBeUndefined();
    expect(explained.message).toContain("Did you mean `reboot`?");
  });

  it("with nothing close: every verb and its usage", () => {
    const said = answer("/ecs", "xyzzy web-01");
    expect(said).toContain("Verbs: `list`");
    expect(said).toContain("*Usage*");
    expect(said).toContain("/ecs change-os");
  });
});

describe("/ecs help", () => {
  const lines = (help: ReturnType<typeof helpFor>) =>
    blocksText(renderBlockKit(buildHelpView(help)).blocks).split("\n").length;

  it("is a short first screen: the most used verbs with an example each, how to get help on one and on all", () => {
    const first = helpFor({ command: "ecs" });
    expect(first.common?.length).toBeGreaterThanOrEqual(6);
    expect(first.common?.length).toBeLessThanOrEqual(8);
    for (const { example } of first.common ?? [])
      expect(parseIntent("/ecs", example.replace(/^\/ecs /, "")).ok).toBe(true);
    const text = blocksText(renderBlockKit(buildHelpView(first)).blocks);
    expect(text).toContain("`/ecs help stop`");
    expect(text).toContain("`/ecs help all`");
    expect(lines(first)).toBeLessThanOrEqual(12);
    expect(lines(helpFor({ command: "ecs", all: true }))).toBeGreaterThan(40);
  });

  it("`help all` is the whole reference; `help <verb>` one verb, from the same entries", () => {
    expect(intentOf("/ecs", "help all")).toEqual({ type: "help", topic: { command: "ecs", all: true } });
    expect(intentOf("/ecs", "")).toEqual({ type: "help", topic: { command: "ecs" } });
    expect(intentOf("/ops", "help ecs all")).toEqual({ type: "help", topic: { command: "ecs", all: true } });
    expect(intentOf("/ecs", "help stop")).toEqual({ type: "help", topic: { command: "ecs", verb: "stop" } });
    const all = helpFor({ command: "ecs", all: true });
    expect(all.kinds?.map((k) => k.kind)).toEqual(["read", "change", "destructive"]);
    const stop = helpFor({ command: "ecs", verb: "stop" });
    expect(helpFor({ command: "ecs" }).common).toContainEqual({
      example: "/ecs stop web-01",
      summary: stop.title.replace(/^\/ecs stop: /, ""),
    });
    // Commands whose whole reference is short have no other first screen.
    for (const command of ["hss", "ops"] as const)
      expect(helpFor({ command })).toEqual(helpFor({ command, all: true }));
    expect(verbsOf("ecs")).not.toContain("all");
  });
});
