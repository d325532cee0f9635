import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Slack's published schema lives beside the repository (`../shared/reference/`), not in it. */
function findSchema(): string {
  const override = process.env.SLACK_MANIFEST_SCHEMA;
  if (override) return override;
  let dir = resolve(root);
  for (;;) {
    const candidate = join(dir, "..", "shared", "reference", "slack-app-manifest.schema.json");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        "slack-app-manifest.schema.json not found in ../shared/reference/ (set SLACK_MANIFEST_SCHEMA)",
      );
    }
    dir = parent;
  }
}
const schemaPath = findSchema();

describe("manifest.yml", () => {
  const manifest = parse(readFileSync(`${root}/manifest.yml`, "utf8"));

  it("validates against Slack's published app manifest schema", () => {
    const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
    // strict: false because Slack's schema uses a non-standard `regex` keyword; formats are not checked.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("declares the commands, scopes and Socket Mode the bot needs", () => {
    const commands = manifest.features.slash_commands.map((c: { command: string }) => c.command);
    expect(commands).toEqual(["/ecs", "/hss", "/ops"]);
    for (const c of manifest.features.slash_commands) expect(c.usage_hint.length).toBeGreaterThan(0);
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(["commands", "chat:write", "users:read", "usergroups:read"]),
    );
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it("is rejected by the schema when it has an unknown key (the test can fail)", () => {
    const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
    expect(
      validate({ ...manifest, display_information: { ...manifest.display_information, colour: "red" } }),
    ).toBe(false);
  });
});
