import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { APP_ENV_VARS } from "../src/app/load-app-config.js";
import { CLOUD_ENV_VARS } from "../src/cloud/load-cloud-config.js";
import { COMMANDS, verbKindOf, verbsOf } from "../src/intents/index.js";
import { SLACK_ENV_VARS } from "../src/slack/load-slack-config.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Architecture"));

describe("README configuration table", () => {
  const variables = [...SLACK_ENV_VARS, ...CLOUD_ENV_VARS, ...APP_ENV_VARS];

  it.each(variables.map((v) => [v.name, v] as const))("lists %s with its default", (name, variable) => {
    const row = table.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
    expect(row, `README has no row for ${name}`).toBeDefined();
    if (variable.default !== undefined) expect(row).toContain(variable.default);
  });

  it("lists no variable the code does not read", () => {
    const known = new Set([...variables.map((v) => v.name), "REDIS_URL"]);
    const listed = [...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.filter((name) => !known.has(name!))).toEqual([]);
  });

  it("keeps the two quick-start commands", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm ci && npm run test:all");
  });

  it("CI runs exactly the README's second command", () => {
    const ci = readFileSync(new URL("../.ci/run", import.meta.url), "utf8");
    const commands = ci.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
    expect(commands.at(-1)).toBe("npm ci && npm run test:all");
    expect(commands.filter((line) => line.includes("npm"))).toHaveLength(1);
  });
});

describe("README command table", () => {
  const commands = readme.slice(readme.indexOf("## Commands"), readme.indexOf("## Connecting to Slack"));
  const rows = commands.split("\n").filter((line) => line.startsWith("| `/"));

  it.each(
    COMMANDS.flatMap((command) =>
      verbsOf(command)
        .filter((verb) => verb !== "help" || command === "ops")
        .map((verb) => [command, verb] as const),
    ),
  )("lists /%s %s with its kind and default policy", (command, verb) => {
    const row = rows.find((r) => new RegExp(`\`/${command} ([^\`]*\\|)?${verb}[ \`|\\\\]`).test(r));
    expect(row, `README has no row for /${command} ${verb}`).toBeDefined();
    const cells = row!.split(/(?<!\\)\|/).map((c) => c.trim());
    expect(cells[3]).toBe(verbKindOf(command, verb));
    expect(cells[4]).not.toBe("");
  });
});
