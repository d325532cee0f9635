/**
 * A Slack mention where a verb or a sub-command belongs (a pasted `@someone`) is told what goes there, not
 * called an unknown verb: the answer names the command, what it takes, and what the choices are.
 */
import { expect, it } from "vitest";
import { parseIntent } from "../../src/intents/index.js";

function message(command: string, text: string): string {
  const result = parseIntent(command, text);
  if (result.ok) throw new Error(`parsed: ${JSON.stringify(result.intent)}`);
  expect(result.error.code).toBe("unknown_verb");
  return result.error.message;
}

it("a mention as the verb: the command starts with a verb", () => {
  const said = message("/ecs", "<@U0123ABCD|bob> web-01");
  expect(said).toMatch(/^`\/ecs` starts with a verb, not a Slack mention\. Verbs: `list`, /);
  expect(said).not.toContain("Unknown");
});

it.each([
  [
    "policy <@U0123ABCD>",
    "`/ops policy` takes a sub-command, not a Slack mention. The only one is `explain`.",
  ],
  ["watch <!channel>", "`/ops watch` takes a sub-command, not a Slack mention. The only one is `list`."],
  [
    "schedule <@U0123ABCD>",
    "`/ops schedule` takes a sub-command, not a Slack mention. The sub-commands are `add`, `list`, `pause`, `resume`, `delete`.",
  ],
])("/ops %s", (text, said) => {
  expect(message("/ops", text)).toBe(said);
});

it("a word that is no sub-command is still called unknown, quoted", () => {
  expect(message("/ops", "watch lsit")).toMatch(
    /^Unknown `\/ops watch` sub-command `lsit`\. The only one is `list`\./,
  );
});
